"""An app on catalogues compiled from the repository's ``.po`` files (the other tests' app has
none and reads the English source text), for tests that read pages in Russian."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

from resolutions import create_app
from resolutions.extensions import babel
from resolutions.extensions import db as _db
from tests.objects.app import RequestIsolatedClient

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues(target: Path) -> Path:
    """Compile ru and en from the ``.po`` files into ``target`` (not whatever ``.mo`` exists)."""
    for language in ("ru", "en"):
        with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            po = read_po(handle, locale=language)
        folder = target / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.mo").open("wb") as handle:
            write_mo(handle, po)
    return target


@contextmanager
def translated_app(tmp_path: Path, **config: object) -> Iterator[Flask]:
    """An app with compiled catalogues and its own SQLite, in context; ``config`` overrides."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'i18n.sqlite'}",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "localhost",
            "BABEL_TRANSLATION_DIRECTORIES": str(compile_catalogues(tmp_path / "translations")),
            **config,
        }
    )
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        # Flask-Babel keeps loaded catalogues per process, not per app: forget the other
        # tests' (they have none) before, and ours after, so no test sees another's language.
        babel.domain_instance.cache.clear()
        _db.create_all()
        try:
            yield app
        finally:
            _db.session.remove()
            for engine in _db.engines.values():
                engine.dispose()
            babel.domain_instance.cache.clear()
