"""The secretariat's participants pages: the list, invitations, adding, editing, removing,
access and presence.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from resolutions import labels, mail
from resolutions.auth.access import conference_role, get_in_conference
from resolutions.conferences import invitations, service
from resolutions.conferences.forms import (
    AccessForm,
    ConfirmForm,
    InviteForm,
    ParticipantEditForm,
    ParticipantFilterForm,
    ParticipantForm,
    PresenceForm,
)
from resolutions.conferences.views._common import PER_PAGE, _form_status, _page_arg, bp
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.models import Conference, Participant, Role
from resolutions.refusals import refuse
from resolutions.rules.roles import has_role
from resolutions.voting import attendance

# --- participants ----------------------------------------------------------------------------


@bp.get("/c/<int:conference_id>/participants")
@conference_role(Role.SECRETARIAT)
def participants(conference: Conference, me: Participant) -> str:
    form = ParticipantFilterForm(formdata=request.args)
    countries, delegations = service.filter_choices(conference)
    everyone = [("", _("All"))]
    form.role.choices = select_choices(everyone + list(labels.ROLE.items()))
    form.country.choices = select_choices(everyone + [(c, c) for c in countries])
    form.delegation.choices = select_choices(everyone + [(d, d) for d in delegations])
    form.validate()
    role = form.role.data if form.role.data in set(Role) else None
    query = service.ParticipantQuery(
        text=(form.q.data or "")[:100],
        role=Role(role) if role else None,
        country=form.country.data or "",
        delegation=form.delegation.data or "",
        page=_page_arg(),
        per_page=PER_PAGE,
    )
    found = service.list_participants(conference, query)
    filters = {
        k: v
        for k, v in {
            "q": query.text,
            "role": role or "",
            "country": query.country,
            "delegation": query.delegation,
        }.items()
        if v
    }
    return render_template(
        "conferences/participants.html",
        form=form,
        found=found,
        filters=filters,
        summary=service.participant_summary(conference),
        invite_form=InviteForm(formdata=None),
        statuses=invitations.statuses(found.items),
        without_access=len(invitations.without_access(conference)),
    )


def invitation_link(token: str) -> str:
    return url_for("auth.invitation", token=token, _external=True)


def send_invitations(
    conference: Conference, people: list[Participant], actor: Participant
) -> list[invitations.Outcome]:
    """Issue the links (committed), then mail them outside the transaction and commit the
    delivery records: a slow or failing mail server never holds the database."""
    days = current_app.config["INVITATION_DAYS"]
    outcomes = invitations.issue(conference, people, actor, days)
    db.session.commit()
    invitations.send(conference, outcomes, invitation_link, days, mail.send_all)
    db.session.commit()
    return outcomes


@bp.post("/c/<int:conference_id>/participants/invite")
@conference_role(Role.SECRETARIAT)
def participants_invite(conference: Conference, me: Participant) -> Response:
    form = InviteForm()
    if not form.validate_on_submit():
        abort(400)
    back = redirect(url_for(".participants", conference_id=conference.id))
    if conference.is_closed:
        flash(_("The conference is closed: it can no longer be changed."), "error")
        return back
    if form.invite_all.data:
        people = invitations.without_access(conference)
    else:
        people = invitations.chosen(conference, form.participant.data or [])
    if not people:
        flash(_("Nobody to invite: tick the people to invite first."), "error")
        return back
    outcomes = send_invitations(conference, people, me)
    response = make_response(
        render_template(
            "conferences/invitations_sent.html",
            outcomes=outcomes,
            sent=sum(1 for o in outcomes if o.sent),
            mail_to_files=current_app.config["MAIL_BACKEND"] == "file",
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _participant_values(form: ParticipantForm) -> service.ParticipantFields:
    role = Role(form.role.data)
    return service.ParticipantFields(
        role=role,
        organisation=form.organisation.data or "",
        country=form.country.data or "",
        delegation=form.delegation.data or "",
        # The box is ticked by default; an observer or secretariat member simply has no vote.
        voting_right=bool(form.voting_right.data) and role in service.VOTING_ROLES,
        weight=form.weight.data or 1,
    )


def _edit_url(conference: Conference, participant_id: int) -> str:
    return url_for(".participant_edit", conference_id=conference.id, participant_id=participant_id)


@bp.route("/c/<int:conference_id>/participants/new", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def participant_new(conference: Conference, me: Participant) -> tuple[str, int] | Response:
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            participant = service.add_participant(
                conference,
                name=form.name.data or "",
                email=form.email.data or "",
                values=_participant_values(form),
                actor=me,
            )
        except DomainError as error:
            refuse(error, form)
        else:
            db.session.commit()
            flash(_("%(name)s has been added.", name=participant.user.name), "success")
            return redirect(_edit_url(conference, participant.id))
    return render_template("conferences/participant_new.html", form=form), _form_status(form)


@bp.route("/c/<int:conference_id>/participants/<int:participant_id>/edit", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def participant_edit(
    conference: Conference, me: Participant, participant_id: int
) -> tuple[str, int] | Response:
    participant = get_in_conference(Participant, participant_id, conference)
    form = ParticipantEditForm(obj=None if request.method == "POST" else participant)
    if request.method == "GET":
        form.name.data = participant.user.name
        form.role.data = participant.role.value
    if form.validate_on_submit():
        try:
            changes = service.update_participant(
                conference,
                participant,
                values=_participant_values(form),
                name=form.name.data,
                actor=me,
            )
        except DomainError as error:
            refuse(error, form)
            participant = get_in_conference(Participant, participant_id, conference)
        else:
            db.session.commit()
            flash(
                _("The changes have been saved.") if changes else _("Nothing was changed."),
                "success" if changes else "info",
            )
            if participant.id == me.id and participant.role != Role.SECRETARIAT:
                # One's own step down from the secretariat: its pages are closed now.
                return redirect(url_for(".home", conference_id=conference.id))
            return redirect(url_for(".participants", conference_id=conference.id))
    return render_template(
        "conferences/participant_edit.html",
        form=form,
        participant=participant,
        name_editable=service.name_is_editable(participant),
        access_resettable=service.access_can_be_reset(participant, me),
        delete_form=ConfirmForm(),
        access_form=AccessForm(),
        presence_form=PresenceForm(),
    ), _form_status(form)


@bp.post("/c/<int:conference_id>/participants/<int:participant_id>/delete")
@conference_role(Role.SECRETARIAT)
def participant_delete(conference: Conference, me: Participant, participant_id: int) -> Response:
    participant = get_in_conference(Participant, participant_id, conference)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    name = participant.user.name
    try:
        service.remove_participant(conference, participant, me)
    except DomainError as error:
        refuse(error)
        return redirect(_edit_url(conference, participant_id))
    db.session.commit()
    flash(_("%(name)s has been removed from the conference.", name=name), "success")
    if participant_id == me.id:
        return redirect(url_for(".index"))
    return redirect(url_for(".participants", conference_id=conference.id))


@bp.post("/c/<int:conference_id>/participants/<int:participant_id>/access")
@conference_role(Role.SECRETARIAT)
def participant_access(
    conference: Conference, me: Participant, participant_id: int
) -> Response | tuple[str, int]:
    participant = get_in_conference(Participant, participant_id, conference)
    form = AccessForm()
    if not form.validate_on_submit():
        abort(400)
    days = current_app.config["INVITATION_DAYS"]
    try:
        if form.kind.data == "invitation":
            token = service.create_access_invitation(conference, participant, me, days)
            secret = url_for("auth.invitation", token=token, _external=True)
        else:
            secret = service.generate_password(conference, participant, me, days)
    except DomainError as error:
        refuse(error)
        return redirect(_edit_url(conference, participant_id))
    db.session.commit()
    response = make_response(
        render_template(
            "conferences/access_granted.html",
            participant=participant,
            kind=form.kind.data,
            secret=secret,
            days=days,
        )
    )
    # Shown once: no copy in the browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/c/<int:conference_id>/participants/<int:participant_id>/presence")
@conference_role(Role.CHAIR, Role.SECRETARIAT)
def participant_presence(conference: Conference, me: Participant, participant_id: int) -> Response:
    participant = get_in_conference(Participant, participant_id, conference)
    form = PresenceForm()
    if not form.validate_on_submit():
        abort(400)
    if conference.is_closed:
        flash(_("The conference is closed: it can no longer be changed."), "error")
    else:
        present = form.present.data == "1"
        attendance.set_presence(conference, participant, present, me)
        db.session.commit()
        if present:
            flash(_("%(name)s is checked in.", name=participant.user.name), "success")
        else:
            flash(_("%(name)s is marked absent.", name=participant.user.name), "info")
    if form.back.data == "edit" and has_role(me, Role.SECRETARIAT):
        return redirect(_edit_url(conference, participant_id))
    return redirect(url_for(".card", card_token=participant.card_token))
