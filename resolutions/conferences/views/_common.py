"""The conferences blueprint and what its pages share: paging, showing a refused change."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, request

from resolutions.conferences import service
from resolutions.extensions import db

bp = Blueprint("conferences", __name__)

PER_PAGE = 50
PREVIEW_ROWS = 200
IMPORT_MAX_AGE = 3600  # seconds between the preview and the confirmation


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def _show_error(error: service.ConferenceError, form: Any = None) -> None:
    """Put the message next to its field when the form has it, else flash it."""
    db.session.rollback()
    target = getattr(form, error.field, None) if form is not None and error.field else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        flash(error.message, "error")


def _form_status(form: Any) -> int:
    return 400 if request.method == "POST" and form.errors else 200
