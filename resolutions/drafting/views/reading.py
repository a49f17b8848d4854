"""Reading the draft: the list of resolutions, the draft as a document, a clause's history, the
text at a moment, the consolidated text, the previews.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _

from resolutions.auth.access import conference_role, get_in_conference
from resolutions.drafting import service
from resolutions.drafting.forms import (
    AmendmentFilterForm,
    DiffPreviewForm,
    ResolutionCreateForm,
    TextAtForm,
)
from resolutions.drafting.presentation import (
    DraftLinks,
    PageText,
    document_heading,
    draft_languages,
    local_to_utc,
    preview_rows,
    utc_now,
    version_reason,
)
from resolutions.drafting.text import DiffSegment, NumberedClause, word_diff
from resolutions.drafting.views._common import (
    Page,
    _amendment,
    _clause,
    _reference,
    _resolution,
    bp,
)
from resolutions.errors import DomainError
from resolutions.forms import select_choices
from resolutions.models import (
    AmendmentState,
    ClauseVersion,
    Conference,
    Participant,
    Poll,
    Role,
)
from resolutions.refusals import refuse

# --- resolutions ------------------------------------------------------------------------------


@bp.get("/resolutions")
@conference_role()
def resolutions(conference: Conference, me: Participant) -> Page:
    return _resolutions_page(conference, ResolutionCreateForm())


def _resolutions_page(
    conference: Conference, form: ResolutionCreateForm, status: int = 200
) -> tuple[str, int]:
    listed = service.list_resolutions(conference)
    return render_template("drafting/resolutions.html", resolutions=listed, form=form), status


@bp.get("/resolutions/<int:resolution_id>")
@conference_role()
def resolution(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    filters = AmendmentFilterForm(formdata=request.args)
    state = request.args.get("state", "")
    state_filter = AmendmentState(state) if state in AmendmentState._value2member_map_ else None
    proposer = request.args.get("proposer", "")
    proposer_filter = int(proposer) if proposer.isdigit() else None
    page = service.draft_page_data(res, me, state=state_filter, proposer_id=proposer_filter)
    filters.proposer.choices = select_choices(
        [("", _("Everyone"))] + [(str(p.id), p.user.name) for p in page.proposers]
    )
    shown = sum(map(len, page.amendments_to.values())) + sum(map(len, page.inserts_before.values()))
    # Amendments whose clause has been deleted have no place in the text: listed after it.
    live_ids = {c.clause_id for c in page.clauses}
    orphans = [
        view
        for groups in (page.amendments_to, page.inserts_before)
        for key, views in groups.items()
        if key is not None and key not in live_ids
        for view in views
    ]
    deadline = conference.amendment_deadline
    return render_template(
        "drafting/resolution.html",
        resolution=res,
        page=page,
        heading=document_heading(conference),
        filters=filters,
        filtering=state_filter is not None or proposer_filter is not None,
        shown=shown,
        orphans=orphans,
        deadline=deadline,
        deadline_passed=deadline is not None and deadline < utc_now(),
        links=DraftLinks(conference.id, res.id),
        t=PageText(res.numbering_style),
        **draft_languages(conference, page.clauses),
    )


@bp.post("/resolutions/<int:resolution_id>/diff-preview")
@conference_role(Role.DELEGATE, Role.SECRETARIAT)
def diff_preview(conference: Conference, me: Participant, resolution_id: int) -> Page:
    """The word diff of a clause's current text against the posted text, as an HTML fragment
    (drafting.js shows it live under the textarea)."""
    res = _resolution(conference, resolution_id)
    form = DiffPreviewForm()
    if not form.validate_on_submit():
        return render_template("drafting/_diff_fragment.html", error=True, segments=[]), 400
    clause = _clause(conference, form.clause.data or 0)  # required: 0 never comes
    if clause.resolution_id != res.id:
        abort(404)
    segments = word_diff(clause.text, form.text.data or "")
    return render_template("drafting/_diff_fragment.html", segments=segments, error=False)


# --- reading: history, the text at a moment, the clean text, the projector -------------------


@bp.get("/clauses/<int:clause_id>/history")
@conference_role()
def history(conference: Conference, me: Participant, clause_id: int) -> Page:
    clause = _clause(conference, clause_id)
    rows: list[tuple[ClauseVersion, list[DiffSegment] | None, str]] = []
    previous: ClauseVersion | None = None
    for version in service.clause_history(clause):
        diff = word_diff(previous.text, version.text) if previous is not None else None
        rows.append((version, diff, version_reason(version.reason)))
        previous = version
    current = next(
        (c for c in service.numbered_text(clause.resolution) if c.clause_id == clause.id), None
    )
    return render_template(
        "drafting/history.html",
        resolution=clause.resolution,
        clause=clause,
        reference=_reference(current, clause.resolution),
        rows=list(reversed(rows)),
    )


@bp.get("/resolutions/<int:resolution_id>/text-at")
@conference_role()
def text_at(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    form = TextAtForm(formdata=request.args)
    polls = service.opened_polls(res)
    form.poll.choices = select_choices(
        [("", _("No poll"))]
        + [(str(p.id), f"{p.title} ({format_datetime(p.opened_at, 'short')})") for p in polls]
    )
    numbered: list[NumberedClause] | None = None
    caption = ""
    poll_arg = request.args.get("poll", "")
    if poll_arg.isdigit():
        poll = get_in_conference(Poll, int(poll_arg), conference)
        if poll.resolution_id != res.id:
            abort(404)
        try:
            numbered = service.text_at_poll(poll)
        except DomainError as error:
            refuse(error)
        else:
            caption = _(
                "The text as it stood when the poll “%(title)s” opened (%(when)s).",
                title=poll.title,
                when=format_datetime(poll.opened_at, "medium") if poll.opened_at else "",
            )
    elif request.args.get("at"):
        if form.validate() and form.at.data is not None:
            moment = local_to_utc(form.at.data)
            numbered = service.text_at(res, moment)
            caption = _("The text as it stood on %(when)s.", when=format_datetime(moment, "medium"))
        else:
            form.at.errors = [_("Enter a date and a time, e.g. 30.11.2026 14:30.")]
    return render_template(
        "drafting/text_at.html",
        resolution=res,
        form=form,
        numbered=numbered,
        caption=caption,
        heading=document_heading(conference),
        has_polls=bool(polls),
    )


@bp.get("/resolutions/<int:resolution_id>/consolidated")
@conference_role()
def consolidated(conference: Conference, me: Participant, resolution_id: int) -> Page:
    res = _resolution(conference, resolution_id)
    adopted = service.adopted_amendments(res)
    return render_template(
        "drafting/consolidated.html",
        resolution=res,
        numbered=service.numbered_text(res),
        heading=document_heading(conference),
        adopted=[service.amendment_name(a) for a in adopted],
    )


@bp.get("/amendments/<int:amendment_id>/preview")
@conference_role()
def amendment_preview(conference: Conference, me: Participant, amendment_id: int) -> Page:
    amendment = _amendment(conference, amendment_id, me)
    res = amendment.resolution
    rows = preview_rows(amendment, service.numbered_text(res), service.amendment_preview(amendment))
    return render_template(
        "drafting/amendment_preview.html",
        resolution=res,
        a=amendment,
        view=service.amendment_view(amendment, me),
        rows=rows,
        heading=document_heading(conference),
    )
