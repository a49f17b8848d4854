"""What every page shares: security headers, error pages, template helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, render_template, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from resolutions import labels
from resolutions.auth.access import has_role
from resolutions.conferences.navigation import conference_nav_items
from resolutions.models import Conference, Role

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
    413: _l("The file is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
ERROR_HINTS = {
    400: _l("Please go back, reload the page and try again."),
    403: _l("Your role in this conference does not allow this action."),
    404: _l("The page does not exist, or it belongs to a conference you are not part of."),
    405: _l("Please use the buttons on the page."),
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

    for name, table in labels.TABLES.items():
        app.add_template_filter(lambda value, table=table: labels.label(table, value), name)

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
            "format_datetime": format_datetime,
            "conference_nav_items": conference_nav_items,
            "conference_dates": conference_dates,
        }


def conference_dates(conference: Conference) -> str:
    """ "30 November 2026", or the span when the conference lasts several days."""
    start = format_date(conference.start_date, "long")
    if conference.end_date and conference.end_date != conference.start_date:
        return f"{start} – {format_date(conference.end_date, 'long')}"
    return start
