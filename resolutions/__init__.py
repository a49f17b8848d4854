"""resolutions: a conference drafts, amends, votes on and publishes its resolution.

The factory lives in ``resolutions.app``; importing the package itself loads no Flask and no
database, so the pure modules (``resolutions.errors``, ``resolutions.enums``,
``resolutions.rules``, ``voting.majority``, …) stay pure when imported on their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def __getattr__(name: str) -> Any:
    # ``from resolutions import create_app``: the factory, loaded only when asked for.
    if name in ("create_app", "select_locale"):
        from resolutions import app

        return getattr(app, name)
    raise AttributeError(f"module 'resolutions' has no attribute {name!r}")
