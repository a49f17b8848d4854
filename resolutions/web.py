"""What every page shares: security headers, error pages, template globals (the filters are
in ``resolutions.filters``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from resolutions.conferences.clock import conference_time
from resolutions.conferences.navigation import conference_nav_items
from resolutions.extensions import db
from resolutions.models import Conference, Role
from resolutions.rules.roles import has_role
from resolutions.voting.open_vote import vote_banner

# The largest id the database holds: PostgreSQL's ``integer`` (SQLite's is wider).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a whole number from 0 to ``MAX_ID``, else no match (404).

    Registered as ``int`` in the app factory before any route, so no route can forget it.
    """

    def __init__(
        self,
        map: Map,  # noqa: A002 (werkzeug's name)
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = None,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=min,
            max=MAX_ID if max is None else max,
            signed=signed,
        )


def _holds_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def request_holds_nul() -> bool:
    """Whether the path, a query or form field name or value holds a NUL character: no
    database column can store one (PostgreSQL refuses it), and no person types one."""
    if "\x00" in request.path:
        return True
    for fields in (request.args, request.form):
        if _holds_nul(fields.keys()) or _holds_nul(fields.values()):
            return True
    return any("\x00" in (upload.filename or "") for upload in request.files.values())


# No inline script anywhere: scripts are files under /static. Inline style attributes are
# refused too; the stylesheet is a file.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    409: _l("This cannot be done now"),
    413: _l("The file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
ERROR_HINTS = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("Your role in this conference does not allow this action."),
    404: _l("The page does not exist, or it belongs to a conference you are not part of."),
    405: _l("Please use the buttons on the page."),
    409: _l("The page changed in the meantime. Please go back, reload it and try again."),
    413: _l("Please upload a smaller file."),
    429: _l("Please wait a few minutes before trying again."),
    500: _l("The error has been logged. Please try again in a moment."),
}


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            hint=message or ERROR_HINTS.get(code, ERROR_HINTS[500]),
        ),
        code,
    )


def bad_input(message: object) -> Any:
    """400 with a clear message, as a page or, for the page's scripts, as JSON."""
    if request.accept_mimetypes.best == "application/json":
        return {"error": str(message), "message": str(message)}, 400
    return render_error(400, str(message))


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["PRODUCTION"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.before_request
    def refuse_nul_bytes() -> Any:
        if request_holds_nul():
            return bad_input(_l("The request contains a NUL character, which is not allowed."))
        return None

    @app.errorhandler(sa.exc.DataError)
    @app.errorhandler(OverflowError)
    def unstorable_input(error: Exception) -> Any:
        # A number or a text beyond what the database holds (PostgreSQL's "integer out of
        # range", SQLite's "Python int too large"): the request's fault, not the server's.
        if isinstance(error, OverflowError) and "SQLite" not in str(error):
            raise error
        db.session.rollback()
        app.logger.warning("input the database cannot hold: %s", error)
        return bad_input(
            _l("A number or a text in the request is too large. Please check it and try again.")
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400, str(_l("The form has expired or was sent twice. Reload the page and try again."))
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        if request.accept_mimetypes.best == "application/json":
            return {"error": error.name}, error.code
        return render_error(error.code)

    @app.context_processor
    def template_helpers() -> dict[str, Any]:
        me = g.get("me")
        return {
            "conference": g.get("conference"),
            "me": me,
            "Role": Role,
            "can": lambda *roles: has_role(me, *roles),
            "current_locale": str(get_locale()),
            "format_date": format_date,
            # Every time in the conference's own zone, never with seconds (DESIGN.md).
            "format_datetime": conference_time,
            "conference_nav_items": conference_nav_items,
            "conference_dates": conference_dates,
            # Called once by base.html (a query only on conference pages that show it).
            "vote_banner": lambda: vote_banner(me),
        }


def conference_dates(conference: Conference) -> str:
    """ "30 November 2026", or the span when the conference lasts several days."""
    start = format_date(conference.start_date, "long")
    if conference.end_date and conference.end_date != conference.start_date:
        return f"{start} – {format_date(conference.end_date, 'long')}"
    return start
