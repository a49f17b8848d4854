"""The conference's audit log, filtered and paged."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _

from resolutions import audit, audit_labels
from resolutions.auth.access import conference_role
from resolutions.conferences import audit_log as audit_log_model
from resolutions.conferences.audit_log import AuditQuery
from resolutions.conferences.forms import AuditFilterForm
from resolutions.conferences.views._common import _page_arg, bp
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.models import Conference, Participant, Role

# --- audit log -------------------------------------------------------------------------------


def _audit_query(
    form: AuditFilterForm, conference: Conference, actions: list[str], actors: list[int]
) -> AuditQuery:
    """The filters the form asks for (days in the conference's time zone); a bad value is
    reported on the form and left out."""
    form.validate()
    action = form.action.data if form.action.data in actions else ""
    actor = int(form.actor.data) if (form.actor.data or "").isdigit() else None
    since = form.since.data if not form.since.errors else None
    until = form.until.data if not form.until.errors else None
    zone = conference.zone
    return AuditQuery(
        action=action,
        actor_id=actor if actor in actors else None,
        since=audit_log_model.day_start(since, zone) if since else None,
        before=audit_log_model.day_start(until + timedelta(days=1), zone) if until else None,
        page=_page_arg(),
    )


@bp.get("/c/<int:conference_id>/audit")
@conference_role(Role.SECRETARIAT)
def audit_log(conference: Conference, me: Participant) -> str:
    actions, actors = audit_log_model.filter_choices(conference)
    form = AuditFilterForm(formdata=request.args)
    everything = [("", _("All"))]
    form.action.choices = select_choices(
        everything
        + sorted(((a, audit_labels.action_label(a)) for a in actions), key=lambda c: c[1])
    )
    form.actor.choices = select_choices(everything + [(str(i), name) for i, name in actors])
    query = _audit_query(form, conference, actions, [i for i, _name in actors])
    # Verified once and remembered: only entries new since the last check are read. Committed
    # before the page's entries are loaded, so that the commit does not expire them.
    chain = audit.checked_chain()
    db.session.commit()
    found = audit_log_model.audit_log_page(conference, query)
    filters = {
        k: v
        for k, v in {
            "action": query.action,
            "actor": str(query.actor_id or ""),
            "since": request.args.get("since", "") if query.since else "",
            "until": request.args.get("until", "") if query.before else "",
        }.items()
        if v
    }
    return render_template(
        "conferences/audit_log.html",
        form=form,
        found=found,
        filters=filters,
        chain=chain,
        head=audit.short_digest(chain.head),
        break_reason=audit_labels.break_reason,
        in_zone=lambda moment: audit_labels.in_zone(moment, conference.zone),
        zone_label=audit_labels.zone_in_words(conference.timezone),
    )
