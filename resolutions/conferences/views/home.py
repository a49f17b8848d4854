"""One's conferences, a conference's home (the dashboard), moving the conference's stage."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from resolutions.auth.access import conference_role
from resolutions.conferences import service
from resolutions.conferences.dashboard import dashboard
from resolutions.conferences.forms import StageForm
from resolutions.conferences.views._common import bp
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import Conference, ConferenceState, Participant, Role
from resolutions.refusals import refuse
from resolutions.rules.roles import has_role


@bp.get("/")
@login_required
def index() -> str:
    return render_template(
        "conferences/index.html", memberships=service.conferences_of(current_user)
    )


@bp.get("/c/<int:conference_id>/")
@conference_role()
def home(conference: Conference, me: Participant) -> str:
    from resolutions.drafting import service as drafting  # drafting builds on conferences

    awaiting = (
        drafting.resolutions_awaiting_ruling(conference) if has_role(me, Role.SECRETARIAT) else []
    )
    return render_template(
        "conferences/home.html",
        board=dashboard(conference, me),
        awaiting=awaiting,
        stage_offer=service.stage_offer(conference, me),
    )


@bp.post("/c/<int:conference_id>/stage")
@conference_role(Role.CHAIR, Role.SECRETARIAT)
def stage(conference: Conference, me: Participant) -> Response:
    form = StageForm()
    back = (
        url_for("voting.console", conference_id=conference.id)
        if form.back.data == "console" and has_role(me, Role.CHAIR)
        else url_for(".home", conference_id=conference.id)
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
        return redirect(back)
    try:
        service.move_stage(conference, ConferenceState(form.stage.data or ""), me)
    except DomainError as error:
        refuse(error)
        return redirect(back)
    db.session.commit()
    if conference.is_closed:
        flash(
            _("The conference is closed. Everything is read-only; the documents stay available."),
            "success",
        )
    else:
        flash(_("The sitting has started."), "success")
    return redirect(back)
