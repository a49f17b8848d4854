"""The conferences blueprint and what its pages share: paging, a form's status. A refused
change is answered by ``resolutions.refusals.refuse`` (the one mapper of every area)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

bp = Blueprint("conferences", __name__)

PER_PAGE = 50
PREVIEW_ROWS = 200
IMPORT_MAX_AGE = 3600  # seconds between the preview and the confirmation


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def _form_status(form: Any) -> int:
    return 400 if request.method == "POST" and form.errors else 200
