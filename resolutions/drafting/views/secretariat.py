"""The secretariat's pages: the resolution's title and numbering, and the table of
amendments (triage): every amendment of a resolution with its target, kind, author,
co-sponsors, state and deadline status, filtered and sorted, and the ruling on several at
once. The chair reads the table; the secretariat rules (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from resolutions.auth.access import conference_role
from resolutions.drafting import service
from resolutions.drafting.forms import (
    TRIAGE_SORTS,
    ResolutionEditForm,
    TriageFilterForm,
    TriageRulingForm,
)
from resolutions.drafting.service import TriageRow
from resolutions.drafting.views._common import Page, _resolution, bp
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.models import (
    AmendmentKind,
    AmendmentState,
    Conference,
    NumberingStyle,
    Participant,
    Resolution,
    ResolutionState,
    Role,
)
from resolutions.refusals import refuse
from resolutions.rules.roles import has_role

SORT_KEYS = {
    "number": lambda row: (row.amendment.number or 0, row.amendment.id),
    "target": lambda row: (row.order, row.amendment.number or 0),
    "kind": lambda row: (row.amendment.kind.value, row.amendment.number or 0),
    "author": lambda row: (row.proposer.name.casefold(), row.amendment.number or 0),
    "state": lambda row: (
        list(AmendmentState).index(row.amendment.state),
        row.amendment.number or 0,
    ),
    "deadline": lambda row: (not row.late, row.amendment.number or 0),
}


def _may_rule(conference: Conference, resolution: Resolution, me: Participant) -> bool:
    return (
        has_role(me, Role.SECRETARIAT)
        and not conference.is_closed
        and resolution.state == ResolutionState.DRAFT
    )


def _triage_page(
    conference: Conference,
    me: Participant,
    resolution: Resolution,
    ruling: TriageRulingForm,
    status: int = 200,
) -> tuple[str, int]:
    filters = TriageFilterForm(formdata=request.args)
    rows = service.triage_rows(resolution)
    proposers = {row.proposer.id: row.proposer for row in rows}
    filters.proposer.choices = select_choices(
        [("", _("Everyone"))]
        + [(str(p.id), p.name) for p in sorted(proposers.values(), key=lambda p: p.name.casefold())]
    )
    state = filters.state.data or ""
    kind = filters.kind.data or ""
    proposer = filters.proposer.data or ""
    shown: list[TriageRow] = [
        row
        for row in rows
        if (state not in AmendmentState._value2member_map_ or row.amendment.state.value == state)
        and (kind not in AmendmentKind._value2member_map_ or row.amendment.kind.value == kind)
        and (not proposer.isdigit() or row.proposer.id == int(proposer))
    ]
    sort = filters.sort.data if filters.sort.data in TRIAGE_SORTS else "number"
    descending = filters.order.data == "desc"
    shown.sort(key=SORT_KEYS[sort], reverse=descending)
    return render_template(
        "drafting/triage.html",
        resolution=resolution,
        rows=shown,
        total=len(rows),
        awaiting=sum(1 for row in rows if row.awaiting_ruling),
        filters=filters,
        query={k: v for k, v in (("state", state), ("kind", kind), ("proposer", proposer)) if v},
        sort=sort,
        descending=descending,
        sorts=TRIAGE_SORTS,
        ruling=ruling,
        may_rule=_may_rule(conference, resolution, me),
        deadline=conference.amendment_deadline,
    ), status


@bp.get("/resolutions/<int:resolution_id>/amendments")
@conference_role(Role.SECRETARIAT, Role.CHAIR)
def triage(conference: Conference, me: Participant, resolution_id: int) -> Page:
    resolution = _resolution(conference, resolution_id)
    return _triage_page(conference, me, resolution, TriageRulingForm())


@bp.post("/resolutions/<int:resolution_id>/amendments/rule")
@conference_role(Role.SECRETARIAT)
def triage_rule(conference: Conference, me: Participant, resolution_id: int) -> Page:
    resolution = _resolution(conference, resolution_id)
    form = TriageRulingForm()
    if not form.validate_on_submit():
        return _triage_page(conference, me, resolution, form, 400)
    ids = [int(value) for value in request.form.getlist("amendments") if value.isdigit()]
    admit = form.decision.data == "admit"
    try:
        ruled = service.rule_on_amendments(
            resolution, me, ids, admit=admit, reason=form.reason.data or ""
        )
    except DomainError as error:
        refuse(error, form)
        return _triage_page(conference, me, resolution, form, 409)
    db.session.commit()
    names = ", ".join(service.amendment_name(a) for a in ruled)
    if admit:
        message = ngettext(
            "%(num)s amendment admitted: %(names)s.",
            "%(num)s amendments admitted: %(names)s.",
            len(ruled),
            names=names,
        )
    else:
        message = ngettext(
            "%(num)s amendment ruled out of order: %(names)s.",
            "%(num)s amendments ruled out of order: %(names)s.",
            len(ruled),
            names=names,
        )
    flash(message, "success")
    back: dict[str, Any] = {
        k: v for k, v in request.args.items() if k in ("state", "kind", "proposer", "sort")
    }
    return redirect(
        url_for(".triage", conference_id=conference.id, resolution_id=resolution.id, **back)
    )


@bp.route("/resolutions/<int:resolution_id>/settings", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def resolution_settings(conference: Conference, me: Participant, resolution_id: int) -> Page:
    resolution = _resolution(conference, resolution_id)
    form = ResolutionEditForm(obj=None if request.method == "POST" else resolution)
    if request.method == "GET":
        form.numbering_style.data = resolution.numbering_style.value
    open_for_changes = resolution.state == ResolutionState.DRAFT and not conference.is_closed
    if open_for_changes and form.validate_on_submit():
        try:
            service.update_resolution(
                resolution,
                me,
                title=form.title.data or "",
                numbering_style=NumberingStyle(form.numbering_style.data),
            )
        except DomainError as error:
            refuse(error, form)
            return render_template(
                "drafting/resolution_settings.html", resolution=resolution, form=form
            ), 409
        db.session.commit()
        flash(_("The resolution has been saved."), "success")
        return redirect(
            url_for(".resolution", conference_id=conference.id, resolution_id=resolution.id)
        )
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and not open_for_changes:
        flash(_("The resolution has been decided; its title can no longer change."), "error")
        status = 409
    return render_template(
        "drafting/resolution_settings.html",
        resolution=resolution,
        form=form,
        open_for_changes=open_for_changes,
    ), status
