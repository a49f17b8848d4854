"""The conference's documents page and its downloads (PDF and CSV)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from babel import Locale
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as Reply

from resolutions.auth.access import conference_role, get_in_conference
from resolutions.documents import content, docx_export
from resolutions.documents.bilingual import TranslationsMissing, text_choice
from resolutions.documents.render import (
    document_language,
)
from resolutions.models import Conference, Participant, Resolution, ResolutionState, Role
from resolutions.rules.roles import has_role


@dataclass(frozen=True)
class TranslationRefusal:
    """A bilingual export refused: the clauses without a current translation, and the link
    that exports it anyway with the gaps marked (the secretariat's only)."""

    resolution: Resolution
    references: list[str]
    insist_url: str | None


bp = Blueprint("documents", __name__, url_prefix="/c/<int:conference_id>")


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = _attachment(filename)
    # Documents may hold unpublished results or sign-in links: never kept by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _attachment(filename: str) -> str:
    """The Content-Disposition of a download. A name beyond ASCII (a Russian title) goes as
    RFC 6266's ``filename*`` in UTF-8, with an ASCII approximation for old clients."""
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        stem, dot, extension = simple.replace('"', "").replace("\\", "").rpartition(".")
        if not any(c.isalnum() for c in stem):
            stem = "document"
        simple = " ".join(stem.split()) + dot + extension
        quoted = quote(filename, safe="!#$&+-.^_`|~")
        return f"attachment; filename=\"{simple}\"; filename*=UTF-8''{quoted}"
    return f'attachment; filename="{filename}"'


def _option(name: str) -> bool:
    """A document option that is on unless turned off: the form sends "0" from a hidden field
    and then "1" from the ticked box, so the last value given wins; a bare link gets "on"."""
    values = request.args.getlist(name)
    return (values[-1] if values else "1") == "1"


@bp.route("/documents")
@conference_role()
def index(conference: Conference, me: Participant) -> str:
    return render_template("documents/index.html", offer=content.documents_on_offer(conference, me))


def _not_yet(conference: Conference, resolution: Resolution) -> Reply:
    """Back to the documents page, saying why the resolution is not to be had."""
    if resolution.state == ResolutionState.REJECTED:
        flash(_("This resolution was not adopted; the draft with amendments is here."))
    else:
        flash(_("This resolution has not been adopted yet; the draft with amendments is here."))
    return redirect(url_for(".index", conference_id=conference.id))


def _refused_bilingual(
    conference: Conference,
    me: Participant,
    resolution: Resolution,
    missing: TranslationsMissing,
    endpoint: str,
) -> Response:
    """The documents page with the clauses a bilingual export lacks, and for the secretariat
    the link that exports it anyway, gaps marked (409)."""
    # every value of each option (a ticked box sends "0" then "1")
    options: dict[str, Any] = {**request.args.to_dict(flat=False), "insist": "1"}
    refusal = TranslationRefusal(
        resolution=resolution,
        references=missing.references,
        insist_url=url_for(
            endpoint, conference_id=conference.id, resolution_id=resolution.id, **options
        )
        if has_role(me, Role.SECRETARIAT)
        else None,
    )
    page = render_template(
        "documents/index.html",
        offer=content.documents_on_offer(conference, me),
        refusal=refusal,
    )
    return Response(page, status=409)


def _resolution_options(conference: Conference, me: Participant) -> dict[str, Any]:
    """The resolution form's choices, the same for the PDF and the Word file: language or
    both, voting figures, signatures, and whether to export with translation gaps marked
    (only the secretariat may insist: it exports, DESIGN.md)."""
    choice = text_choice(conference, request.args.get("lang"))
    return {
        "language": choice.language,
        "include_votes": _option("votes"),
        "include_signatures": _option("signatures"),
        "mode": choice.mode,
        "insist": request.args.get("insist") == "1" and has_role(me, Role.SECRETARIAT),
    }


@bp.route("/documents/resolution/<int:resolution_id>.pdf")
@conference_role()
def resolution_pdf(conference: Conference, me: Participant, resolution_id: int) -> Reply:
    resolution = get_in_conference(Resolution, resolution_id, conference)
    if not content.may_get_resolution(resolution, me):
        return _not_yet(conference, resolution)
    try:
        document = content.resolution_pdf(resolution, me, **_resolution_options(conference, me))
    except TranslationsMissing as missing:
        return _refused_bilingual(conference, me, resolution, missing, ".resolution_pdf")
    return _download(document.content, document.filename, "application/pdf")


@bp.route("/documents/resolution/<int:resolution_id>.json")
@conference_role()
def resolution_json(conference: Conference, me: Participant, resolution_id: int) -> Reply:
    """The resolution as data: its structure, text in each language, amendments, polls."""
    resolution = get_in_conference(Resolution, resolution_id, conference)
    if not content.may_get_resolution(resolution, me):
        return _not_yet(conference, resolution)
    file = content.json_file(content.resolution_data(resolution, me))
    return _download(file.content, file.filename, file.mimetype)


@bp.route("/documents/resolution/<int:resolution_id>.akn.xml")
@conference_role()
def resolution_akn(conference: Conference, me: Participant, resolution_id: int) -> Reply:
    """The resolution as Akoma Ntoso XML in one language (``lang``; the working language
    unless asked); a language the text is not complete in leads back to the documents
    page with a message."""
    resolution = get_in_conference(Resolution, resolution_id, conference)
    if not content.may_get_resolution(resolution, me):
        return _not_yet(conference, resolution)
    data = content.resolution_data(resolution, me)
    language = document_language(conference, request.args.get("lang"))
    if language not in data.complete_languages():
        flash(
            _(
                "The resolution has no complete text in %(language)s yet: "
                "a clause is not translated. Its JSON holds what there is.",
                language=Locale.parse(language).get_display_name(str(get_locale() or "ru")),
            )
        )
        return redirect(url_for(".index", conference_id=conference.id))
    file = content.akn_file(data, language)
    return _download(file.content, file.filename, file.mimetype)


@bp.route("/documents/draft/<int:resolution_id>.pdf")
@conference_role()
def draft_pdf(conference: Conference, me: Participant, resolution_id: int) -> Response:
    resolution = get_in_conference(Resolution, resolution_id, conference)
    language = document_language(conference, request.args.get("lang"))
    document = content.draft_pdf(resolution, language=language)
    return _download(document.content, document.filename, "application/pdf")


@bp.route("/documents/resolution/<int:resolution_id>.docx")
@conference_role()
def resolution_docx(conference: Conference, me: Participant, resolution_id: int) -> Reply:
    """The resolution as a Word file: the same text, heading, languages and options as the
    PDF (both languages: a table of two columns)."""
    resolution = get_in_conference(Resolution, resolution_id, conference)
    if not content.may_get_resolution(resolution, me):
        return _not_yet(conference, resolution)
    try:
        document = docx_export.resolution_docx(
            resolution, me, **_resolution_options(conference, me)
        )
    except TranslationsMissing as missing:
        return _refused_bilingual(conference, me, resolution, missing, ".resolution_docx")
    return _download(document.content, document.filename, docx_export.DOCX_MIMETYPE)


@bp.route("/documents/draft/<int:resolution_id>.docx")
@conference_role()
def draft_docx(conference: Conference, me: Participant, resolution_id: int) -> Response:
    """The draft with every pending amendment as a Word tracked change."""
    resolution = get_in_conference(Resolution, resolution_id, conference)
    language = document_language(conference, request.args.get("lang"))
    document = docx_export.draft_docx(resolution, language=language)
    return _download(document.content, document.filename, docx_export.DOCX_MIMETYPE)


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
