"""The Russian catalogue: complete, placeholders and markup intact, plural forms and contexts
right, in step with the code, and what the pages actually show.

The other tests read the English source text (``tests/conftest.py`` gives their app no
catalogues); these build an app on catalogues compiled from the ``.po`` files here, so they
check the files in the repository, not whatever ``.mo`` was last compiled.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import ngettext

from resolutions import labels
from resolutions.extensions import db as _db
from tests.i18n_support import translated_app
from tests.mail_support import parts, running_smtp
from tests.objects.app import sign_in, url_path
from tests.objects.world import make_conference

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
RU_PLURALS = "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"
# The same keywords as `make extract-messages`.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_pgettext": ((1, "c"), 2),
    "lazy_ngettext": (1, 2),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return _read(TRANSLATIONS / "messages.pot")


@pytest.fixture(scope="module")
def russian() -> Catalog:
    return _read(TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po", "ru")


def _key(message: object) -> tuple[str | None, str]:
    msgid = message.id  # type: ignore[attr-defined]
    return message.context, msgid[0] if isinstance(msgid, tuple) else msgid  # type: ignore[attr-defined]


def _forms(message: object) -> list[str]:
    string = message.string  # type: ignore[attr-defined]
    return list(string) if isinstance(string, tuple) else [string]


def _names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_russian_header_has_three_plural_forms(russian: Catalog) -> None:
    assert str(russian.locale) == "ru"
    assert russian.num_plurals == 3
    assert russian.plural_expr == RU_PLURALS


def test_every_msgid_has_a_russian_translation(pot: Catalog, russian: Catalog) -> None:
    problems = []
    for message in pot:
        if not message.id:
            continue
        context, msgid = _key(message)
        translated = russian.get(msgid, context=context)
        if translated is None:
            problems.append(f"missing: {context or ''}|{msgid}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {context or ''}|{msgid}")
        elif not all(form.strip() for form in _forms(translated)):
            problems.append(f"empty: {context or ''}|{msgid}")
        elif message.pluralizable and len(_forms(translated)) != 3:
            problems.append(f"not three plural forms: {msgid}")
    assert not problems, "\n".join(problems)
    assert len(pot) > 900  # the whole product, not an empty template


def test_translations_keep_placeholders_and_markup(pot: Catalog, russian: Catalog) -> None:
    problems = []
    for message in pot:
        if not message.id:
            continue
        context, msgid = _key(message)
        translated = russian.get(msgid, context=context)
        if translated is None:
            continue  # reported by the test above
        if message.pluralizable:
            singular, plural = message.id
            needed, allowed = _names(singular), _names(singular) | _names(plural)
        else:
            singular = plural = message.id
            needed = allowed = _names(singular)
        for form in _forms(translated):
            if not needed <= _names(form) <= allowed:
                problems.append(f"placeholders differ: {msgid!r} -> {form!r}")
            if sorted(TAG.findall(form)) != sorted(TAG.findall(singular)):
                problems.append(f"markup differs: {msgid!r} -> {form!r}")
    assert not problems, "\n".join(problems)


def test_template_is_in_step_with_the_code(pot: Catalog) -> None:
    """Every string the code marks for translation is in messages.pot (run
    `make extract-messages` and translate the new ones if this fails)."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    skipped = {".venv", "node_modules", "tests", "test-artifacts", "migrations", "bench"}

    def wanted(path: str) -> bool:
        name = Path(path).name
        return name not in skipped and not name.startswith((".", "_"))

    missing, found = set(), set()
    for _filename, _lineno, msgid, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=wanted
    ):
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        found.add((context, key))
        if pot.get(key, context=context) is None:
            missing.add(f"{context or ''}|{key}")
    assert not missing, "\n".join(sorted(missing))
    assert len(found) == len([m for m in pot if m.id])  # and nothing stale is left in it


@pytest.fixture
def ru_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on catalogues compiled from the repository's .po files, with its own SQLite."""
    with translated_app(tmp_path) as app:
        yield app


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_sign_in_page_follows_the_browser_language(ru_app: Flask) -> None:
    client = ru_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    russian = _text(client.get(url_path("auth.sign_in")))
    assert '<html lang="ru">' in russian
    assert "Войти" in russian and "Пароль" in russian
    assert "Password" not in russian
    english = ru_app.test_client()
    english.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "Password" in _text(english.get(url_path("auth.sign_in")))


def test_conference_pages_are_in_russian(ru_app: Flask) -> None:
    world = make_conference("Конференция профсоюзов")
    chair = sign_in(ru_app.test_client(), world.chair)
    chair.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    home = _text(chair.get(url_path("conferences.home", conference_id=world.conference.id)))
    assert "Пульт председателя" in home
    assert "Работа над проектом" in home  # the conference's stage, in the conference's gender
    assert "Chair's console" not in home
    delegate = sign_in(ru_app.test_client(), world.delegate)
    ballot = _text(delegate.get(url_path("voting.ballot", conference_id=world.conference.id)))
    assert "<h1>Голосование</h1>" in ballot  # the page, not "Голос" (a single vote)
    resolutions = _text(
        delegate.get(url_path("drafting.resolutions", conference_id=world.conference.id))
    )
    assert "Резолюции" in resolutions


def test_plural_forms_and_contexts_in_russian(ru_app: Flask) -> None:
    with ru_app.test_request_context(headers={"Accept-Language": "ru"}):
        amendments = {
            n: ngettext("%(num)s amendment", "%(num)s amendments", n) for n in (1, 3, 5, 11, 21, 22)
        }
        assert amendments == {
            1: "1 поправка",
            3: "3 поправки",
            5: "5 поправок",
            11: "11 поправок",
            21: "21 поправка",
            22: "22 поправки",
        }
        # One English word, Russian forms that agree with what they describe.
        assert labels.label(labels.AMENDMENT_STATE, "adopted") == "Принята"
        assert labels.label(labels.POLL_OUTCOME, "adopted") == "Принято"
        assert labels.label(labels.RESOLUTION_STATE, "draft") == "Проект"
        assert labels.label(labels.AMENDMENT_STATE, "draft") == "Черновик"
        assert labels.label(labels.CONFERENCE_STATE, "closed") == "Завершена"
        assert labels.label(labels.POLL_STATE, "closed") == "Закрыто"
        assert labels.label(labels.CHOICE, "abstain") == "Воздержался"


def test_sign_in_reminder_is_translated(ru_app: Flask) -> None:
    """Flask-Login's flash when a page needs a signed-in user speaks the reader's language."""
    world = make_conference()
    client = ru_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    answer = client.get(
        url_path("conferences.home", conference_id=world.conference.id), follow_redirects=True
    )
    assert "Войдите, чтобы открыть эту страницу." in _text(answer)
    assert "Please log in" not in _text(answer)


def test_invitation_mails_speak_each_persons_language(ru_app: Flask) -> None:
    """The person's chosen language, else the conference's working language (Russian here)."""
    world = make_conference("Конференция профсоюзов")
    world.delegates[0].user.locale = "en"
    _db.session.commit()
    client = sign_in(ru_app.test_client(), world.secretariat)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    with running_smtp(ru_app) as inbox:
        ids = [str(world.delegates[0].id), str(world.delegates[1].id)]
        page = _text(
            client.post(
                url_path("conferences.participants_invite", conference_id=world.conference.id),
                data={"participant": ids, "invite_selected": "x"},
            )
        )
    assert "Отправлено приглашений: 2 из 2." in page
    english = inbox.to(world.delegates[0].user.email)[0]
    russian = inbox.to(world.delegates[1].user.email)[0]
    assert english["Subject"] == "Invitation: Конференция профсоюзов"
    assert russian["Subject"] == "Приглашение: Конференция профсоюзов"
    text, html = parts(russian)
    assert "Здравствуйте, Delegate 2!" in text and "Ваша роль: делегат." in text
    assert "Задать пароль" in html
    assert "Your role: delegate." in parts(english)[0]
