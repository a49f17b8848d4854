"""The conference's documents page and its downloads (PDF and CSV)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as Reply

from resolutions.auth.access import conference_role, get_in_conference
from resolutions.documents import content
from resolutions.documents.render import (
    document_language,
)
from resolutions.models import Conference, Participant, Resolution, ResolutionState, Role

bp = Blueprint("documents", __name__, url_prefix="/c/<int:conference_id>")


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Documents may hold unpublished results or sign-in links: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _option(name: str) -> bool:
    """A document option that is on unless turned off: the form sends "0" from a hidden field
    and then "1" from the ticked box, so the last value given wins; a bare link gets "on"."""
    values = request.args.getlist(name)
    return (values[-1] if values else "1") == "1"


@bp.route("/documents")
@conference_role()
def index(conference: Conference, me: Participant) -> str:
    return render_template("documents/index.html", offer=content.documents_on_offer(conference, me))


@bp.route("/documents/resolution/<int:resolution_id>.pdf")
@conference_role()
def resolution_pdf(conference: Conference, me: Participant, resolution_id: int) -> Reply:
    resolution = get_in_conference(Resolution, resolution_id, conference)
    if not content.may_get_resolution(resolution, me):
        if resolution.state == ResolutionState.REJECTED:
            flash(_("This resolution was not adopted; the draft with amendments is here."))
        else:
            flash(_("This resolution has not been adopted yet; the draft with amendments is here."))
        return redirect(url_for(".index", conference_id=conference.id))
    language = document_language(conference, request.args.get("lang"))
    document = content.resolution_pdf(
        resolution,
        me,
        language=language,
        include_votes=_option("votes"),
        include_signatures=_option("signatures"),
    )
    return _download(document.content, document.filename, "application/pdf")


@bp.route("/documents/draft/<int:resolution_id>.pdf")
@conference_role()
def draft_pdf(conference: Conference, me: Participant, resolution_id: int) -> Response:
    resolution = get_in_conference(Resolution, resolution_id, conference)
    language = document_language(conference, request.args.get("lang"))
    document = content.draft_pdf(resolution, language=language)
    return _download(document.content, document.filename, "application/pdf")


@bp.route("/documents/record.pdf")
@conference_role()
def record_pdf(conference: Conference, me: Participant) -> Response:
    language = document_language(conference, request.args.get("lang"))
    document = content.record_pdf(conference, me, language=language)
    return _download(document.content, document.filename, "application/pdf")


@bp.route("/documents/record.csv")
@conference_role()
def record_csv(conference: Conference, me: Participant) -> Response:
    language = document_language(conference, request.args.get("lang"))
    data, filename = content.record_csv(conference, me, language=language)
    return _download(data, filename, "text/csv")  # Werkzeug adds "; charset=utf-8"


@bp.route("/documents/cards.pdf")
@conference_role(Role.SECRETARIAT)
def cards_pdf(conference: Conference, me: Participant) -> Response:
    language = document_language(conference, request.args.get("lang"))
    document = content.cards_pdf(conference, language=language)
    return _download(document.content, document.filename, "application/pdf")
