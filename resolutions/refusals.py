"""The one mapper from a service's refusal (``resolutions.errors``) to an HTTP answer.

A view that expects a refusal catches ``DomainError`` and calls ``refuse``: the request's
changes are rolled back; ``PermissionDenied`` and ``NotFound`` answer the standard 403/404 page;
any other refusal is shown next to the form field it names (when the form shows that field) or
as a flash, and ``refuse`` returns the status the view answers with when it draws the page
again. A view that redirects instead uses ``refuse_and_redirect``; the page's scripts get
``refusal_json``.

A refusal no view caught reaches the error handler registered by ``init_app`` (from
``create_app``): rolled back, and answered with its status and its message, as a page or as
JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, flash, jsonify, redirect, request
from werkzeug.wrappers import Response

from resolutions.errors import DomainError, NotFound, PermissionDenied
from resolutions.extensions import db
from resolutions.web import render_error


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def refuse(error: DomainError, form: Any = None, *, explain_permission: bool = False) -> int:
    """Roll back and tell the user; returns the status of the page drawn again (400 or 409).

    403 and 404 abort here, with the standard page: a permission refusal says no more than
    the role check in front of the view would. Where the user must read why they may not
    (the ballot: "you hold no proxy for …"), ``explain_permission`` shows it like any refusal.
    """
    db.session.rollback()
    if isinstance(error, NotFound) or (
        isinstance(error, PermissionDenied) and not explain_permission
    ):
        abort(error.status)
    field = getattr(form, error.field, None) if form is not None and error.field else None
    visible = getattr(getattr(field, "widget", None), "input_type", None) != "hidden"
    if field is not None and hasattr(field, "errors") and visible:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")
    return error.status


def refuse_and_redirect(
    error: DomainError, url: str, *, explain_permission: bool = False
) -> Response:
    """``refuse``, then back to ``url`` where the flash is shown (POST-redirect-GET)."""
    refuse(error, explain_permission=explain_permission)
    return redirect(url)


def refusal_json(error: DomainError) -> tuple[Response, int]:
    """For the page's scripts: ``{"ok": false, "message": ...}`` with the refusal's status."""
    db.session.rollback()
    return jsonify(ok=False, message=str(error.message)), error.status


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def unhandled_refusal(error: DomainError) -> Any:
        db.session.rollback()
        if _wants_json():
            message = str(error.message)
            return {"error": message, "message": message}, error.status
        if isinstance(error, PermissionDenied | NotFound):
            return render_error(error.status)
        return render_error(error.status, str(error.message))
