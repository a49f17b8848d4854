"""Attendance: the list of who is present, marking presence, the roll call."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from resolutions.auth.access import conference_role, get_in_conference
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import Conference, Participant, Role
from resolutions.refusals import refuse_and_redirect
from resolutions.voting import attendance
from resolutions.voting.forms import PresenceForm, RollCallForm
from resolutions.voting.views._common import _accept, _live_attrs, bp

# --- attendance ------------------------------------------------------------------------------


@bp.get("/attendance", endpoint="attendance")
@conference_role(Role.CHAIR, Role.SECRETARIAT)
def attendance_list(conference: Conference, me: Participant) -> str:
    """Who is present: search, check in and out, the roll call, the present voting weight."""
    query = (request.args.get("q") or "").strip()[:100]
    participants = attendance.attendance_list(conference, query)
    present_weight, total_weight = attendance.present_weight(conference)
    return render_template(
        "voting/attendance.html",
        **_live_attrs(conference, "attendance"),
        participants=participants,
        query=query,
        present_weight=present_weight,
        total_weight=total_weight,
        present_count=sum(1 for p in participants if p.present),
        presence_form=PresenceForm(formdata=None),
        roll_call_form=RollCallForm(formdata=None),
    )


@bp.post("/attendance/<int:participant_id>")
@conference_role(Role.CHAIR, Role.SECRETARIAT)
def set_presence(conference: Conference, me: Participant, participant_id: int) -> Response:
    participant = get_in_conference(Participant, participant_id, conference)
    form = PresenceForm()
    query = (form.q.data or "").strip()
    back = url_for("voting.attendance", conference_id=conference.id, q=query or None)
    if not form.validate_on_submit():
        flash(next(iter(form.errors.get("present", [])), _("Choose present or absent.")), "error")
        return redirect(back)
    present = form.present.data == "1"
    attendance.set_presence(conference, participant, present, me)
    db.session.commit()
    if present:
        flash(_("%(name)s is checked in.", name=participant.name), "success")
    else:
        flash(_("%(name)s is checked out.", name=participant.name), "success")
    return redirect(back + f"#participant-{participant.id}")


@bp.post("/roll-call")
@conference_role(Role.CHAIR, Role.SECRETARIAT)
def roll_call(conference: Conference, me: Participant) -> Response:
    """Open or close the roll call (delegates then check themselves in from their ballot page)."""
    form = RollCallForm()
    if not form.validate_on_submit():
        flash(_("Open or close the roll call."), "error")
        return redirect(url_for("voting.attendance", conference_id=conference.id))
    try:
        if form.open.data == "1":
            attendance.open_roll_call(conference, me)
            message = _("The roll call is open: delegates can check themselves in.")
        else:
            attendance.close_roll_call(conference, me)
            message = _("The roll call is closed.")
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.attendance", conference_id=conference.id))
    return _accept(conference, message, "voting.attendance")
