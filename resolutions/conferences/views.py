"""Conference pages: one's conferences, a conference's home, and the secretariat's pages
(settings, participants, CSV import, access, audit log), plus the public access card."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from resolutions import audit, audit_labels, labels, mail
from resolutions.auth.access import conference_role, get_in_conference, has_role, seat_of
from resolutions.auth.forms import SetPasswordForm
from resolutions.conferences import audit_log as audit_log_model
from resolutions.conferences import clock, csv_import, invitations, service
from resolutions.conferences.audit_log import AuditQuery
from resolutions.conferences.dashboard import dashboard
from resolutions.conferences.forms import (
    AccessForm,
    AuditFilterForm,
    ConfirmForm,
    ImportConfirmForm,
    ImportUploadForm,
    InviteForm,
    ParticipantEditForm,
    ParticipantFilterForm,
    ParticipantForm,
    PresenceForm,
    SettingsForm,
    StageForm,
)
from resolutions.documents.heading import dateline
from resolutions.extensions import db
from resolutions.forms import select_choices
from resolutions.models import (
    BallotKind,
    Conference,
    ConferenceState,
    MajorityMethod,
    Participant,
    Role,
    utcnow,
)
from resolutions.voting import attendance

bp = Blueprint("conferences", __name__)

PER_PAGE = 50
PREVIEW_ROWS = 200
IMPORT_MAX_AGE = 3600  # seconds between the preview and the confirmation


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

    awaiting = drafting.awaiting_ruling(conference) if has_role(me, Role.SECRETARIAT) else []
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
        service.move_stage(conference, ConferenceState(form.stage.data), me)
    except service.ConferenceError as error:
        _show_error(error)
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


def _page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def _show_error(error: service.ConferenceError, form: Any = None) -> None:
    """Put the message next to its field when the form has it, else flash it."""
    db.session.rollback()
    target = getattr(form, error.field, None) if form is not None and error.field else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        flash(error.message, "error")


# --- settings --------------------------------------------------------------------------------


@bp.route("/c/<int:conference_id>/settings", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def settings(conference: Conference, me: Participant) -> tuple[str, int] | Response:
    form = SettingsForm(obj=None if request.method == "POST" else conference)
    form.timezone.choices = select_choices(
        (name, name) for name in sorted(service.time_zone_names())
    )
    if request.method == "GET":
        form.state.data = conference.state.value
        form.majority_method.data = conference.majority_method.value
        form.ballot_kind.data = conference.ballot_kind.value
        # Entered and shown in the conference's own time zone; stored in UTC.
        form.amendment_deadline.data = clock.to_local(conference, conference.amendment_deadline)
    if form.validate_on_submit() and not conference.is_closed:
        values = service.ConferenceSettings(
            title=form.title.data,
            short_name=form.short_name.data,
            place=form.place.data or "",
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            language=form.language.data,
            timezone=form.timezone.data or conference.timezone,
            state=ConferenceState(form.state.data),
            majority_method=MajorityMethod(form.majority_method.data),
            quorum=form.quorum.data,
            ballot_kind=BallotKind(form.ballot_kind.data),
            amendment_deadline=clock.from_local(conference, form.amendment_deadline.data),
            proxy_limit=form.proxy_limit.data,
        )
        try:
            changes = service.update_settings(conference, values, me.user)
        except service.ConferenceError as error:
            _show_error(error, form)
        else:
            db.session.commit()
            if changes:
                flash(_("The settings have been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for(".settings", conference_id=conference.id))
    elif request.method == "POST" and conference.is_closed:
        flash(_("The conference is closed: it can no longer be changed."), "error")
    return render_template(
        "conferences/settings.html",
        form=form,
        now_utc=utcnow(),
        dateline=dateline(
            conference.start_date, conference.end_date, conference.place, conference.language
        ),
    ), _form_status(form)


@bp.get("/c/<int:conference_id>/settings/dateline")
@conference_role(Role.SECRETARIAT)
def dateline_preview(conference: Conference, me: Participant) -> Response:
    """How the date line reads with the values typed so far (the settings page's live
    preview), from the same function the documents use; the saved values fill the gaps."""
    args = request.args
    try:
        start = date.fromisoformat(args.get("start_date", ""))
    except ValueError:
        start = conference.start_date
    try:
        end: date | None = date.fromisoformat(args.get("end_date", ""))
    except ValueError:
        end = None
    if end is not None and end < start:
        end = None
    language = args.get("language") if args.get("language") in ("ru", "en") else None
    place = (args.get("place") or "")[:200]
    text = dateline(start, end, place, language or conference.language)
    return jsonify({"dateline": text})


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
    conference: Conference, people: list[Participant], actor: Any
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
    outcomes = send_invitations(conference, people, me.user)
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
        weight=form.weight.data,
    )


def _edit_url(conference: Conference, participant_id: int) -> str:
    return url_for(".participant_edit", conference_id=conference.id, participant_id=participant_id)


def _form_status(form: Any) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@bp.route("/c/<int:conference_id>/participants/new", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def participant_new(conference: Conference, me: Participant) -> tuple[str, int] | Response:
    form = ParticipantForm()
    if form.validate_on_submit():
        try:
            participant = service.add_participant(
                conference,
                name=form.name.data,
                email=form.email.data,
                values=_participant_values(form),
                actor=me.user,
            )
        except service.ConferenceError as error:
            _show_error(error, form)
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
                actor=me.user,
            )
        except service.ConferenceError as error:
            _show_error(error, form)
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
        access_resettable=service.access_can_be_reset(participant, me.user),
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
        service.remove_participant(conference, participant, me.user)
    except service.ConferenceError as error:
        _show_error(error)
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
            token = service.create_access_invitation(conference, participant, me.user, days)
            secret = url_for("auth.invitation", token=token, _external=True)
        else:
            secret = service.generate_password(conference, participant, me.user, days)
    except service.ConferenceError as error:
        _show_error(error)
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
        attendance.set_presence(conference, participant, present, me.user)
        db.session.commit()
        if present:
            flash(_("%(name)s is checked in.", name=participant.user.name), "success")
        else:
            flash(_("%(name)s is marked absent.", name=participant.user.name), "info")
    if form.back.data == "edit" and has_role(me, Role.SECRETARIAT):
        return redirect(_edit_url(conference, participant_id))
    return redirect(url_for(".card", card_token=participant.card_token))


# --- CSV import ------------------------------------------------------------------------------


def _import_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="participants-import")


def _sign_upload(conference: Conference, me: Participant, upload: dict[str, Any]) -> str:
    # The checked file travels back with the confirmation, signed: any process can verify it,
    # and the client cannot change a byte of it without the signature failing.
    return _import_serializer().dumps({"c": conference.id, "u": me.user_id, **upload})


def _load_upload(payload: str, conference: Conference, me: Participant) -> dict[str, Any] | None:
    try:
        data = _import_serializer().loads(payload, max_age=IMPORT_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != conference.id or data.get("u") != me.user_id:
        return None
    return data


def _role_counts(rows: list[csv_import.ImportRow]) -> dict[Role, int]:
    counts = {role: 0 for role in Role}
    for row in rows:
        counts[row.role] += 1
    return counts


def _plan(
    conference: Conference, me: Participant, parsed: csv_import.ParsedFile, upload: dict[str, Any]
) -> service.ImportPlan:
    return service.plan_import(
        conference,
        parsed.rows,
        parsed.columns,
        chair_votes=bool(upload["cv"]),
        remove_missing=bool(upload["rm"]),
        actor=me.user,
    )


@bp.route("/c/<int:conference_id>/participants/import", methods=["GET", "POST"])
@conference_role(Role.SECRETARIAT)
def participants_import(conference: Conference, me: Participant) -> tuple[str, int] | Response:
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    if conference.is_closed and request.method == "POST":
        flash(_("The conference is closed: it can no longer be changed."), "error")
    elif confirm.confirm.data and confirm.validate_on_submit():
        data = _load_upload(confirm.payload.data, conference, me)
        if data is None:
            flash(_("The preview has expired. Please upload the file again."), "error")
            return render_template("conferences/import.html", upload=upload), 400
        try:
            parsed = csv_import.parse(data["t"])
            plan = _plan(conference, me, parsed, data)
            if parsed.errors or plan.fingerprint() != data["fp"]:
                raise service.ConferenceError(
                    _(
                        "The participants have changed since the preview. Upload the file again "
                        "to see what the import would do now."
                    )
                )
            service.apply_import(conference, plan, me.user, data["f"], data["e"])
        except (csv_import.ImportFileError, service.ConferenceError) as error:
            db.session.rollback()
            flash(str(error), "error")
            return render_template("conferences/import.html", upload=upload), 409
        db.session.commit()
        flash(
            _(
                "Import done: %(added)s added, %(changed)s updated, %(removed)s removed.",
                added=len(plan.added),
                changed=len(plan.changed),
                removed=len(plan.removed),
            ),
            "success",
        )
        return redirect(url_for(".participants", conference_id=conference.id))
    elif upload.validate_on_submit():
        file = upload.file.data
        filename = (file.filename or "")[:200]
        try:
            text, encoding = csv_import.decode(file.read())
            parsed = csv_import.parse(text)
        except csv_import.ImportFileError as error:
            upload.file.errors = [*upload.file.errors, str(error)]
        else:
            options = {"cv": bool(upload.chair_votes.data), "rm": bool(upload.remove_missing.data)}
            errors = sorted(parsed.errors, key=lambda e: e.line)
            plan = None
            if not errors:
                try:
                    plan = _plan(conference, me, parsed, options)
                except service.ConferenceError as error:
                    errors = [csv_import.RowError(0, error.message)]
            if plan is not None:
                confirm.payload.data = _sign_upload(
                    conference,
                    me,
                    {"f": filename, "t": text, "e": encoding, "fp": plan.fingerprint(), **options},
                )
            return render_template(
                "conferences/import.html",
                upload=upload,
                confirm=confirm,
                parsed=parsed,
                plan=plan,
                errors=errors,
                error_lines=sorted({e.line for e in errors}),
                filename=filename,
                encoding=encoding,
                counts=_role_counts(parsed.rows),
                preview_rows=PREVIEW_ROWS,
                field_labels=IMPORT_FIELD_LABELS,
            ), (200 if not errors else 422)
    return render_template("conferences/import.html", upload=upload), _form_status(upload)


# The participant fields an import changes, named as the audit log names them (one home).
IMPORT_FIELD_LABELS = {
    name: audit_labels.DETAIL[name]
    for name in ("name", "role", "organisation", "country", "delegation", "voting_right", "weight")
}


@bp.get("/c/<int:conference_id>/participants/import/sample-<any(ru, en):language>.csv")
@conference_role(Role.SECRETARIAT)
def participants_import_sample(conference: Conference, me: Participant, language: str) -> Response:
    data = csv_import.write(csv_import.SAMPLE_ROWS[language], language)
    response = make_response(data)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="participants-sample-{language}.csv"'
    )
    return response


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


# --- the access card (public) ----------------------------------------------------------------


@bp.route("/card/<card_token>", methods=["GET", "POST"])
def card(card_token: str) -> str | tuple[str, int] | Response:
    """The QR code on a printed access card.

    For a chair or secretariat member of the card's conference: the participant and a check-in
    button. For the holder or anyone not signed in: sign-in with the e-mail filled in, or, while
    the account has no password yet, a form to set one (the card works like an invitation).
    """
    participant = service.find_card(card_token)
    if participant is None:
        abort(404)
    conference = participant.conference
    home = url_for(".home", conference_id=conference.id)
    if current_user.is_authenticated:
        viewer = seat_of(conference, current_user._get_current_object())
        if viewer is not None and has_role(viewer, Role.CHAIR, Role.SECRETARIAT):
            g.conference, g.me = conference, viewer
            attendance = "voting.attendance"
            return render_template(
                "conferences/card_check_in.html",
                participant=participant,
                presence_form=PresenceForm(),
                attendance_url=url_for(attendance, conference_id=conference.id)
                if attendance in current_app.view_functions
                else None,
            )
        if current_user.id == participant.user_id:
            return redirect(home)
        return render_template("conferences/card_other.html", participant=participant)
    user = participant.user
    if not service.card_signs_in(participant):
        # The account is used in other conferences too: it keeps its own credentials.
        status = 403 if request.method == "POST" else 200
        return render_template("conferences/card_own_account.html", next_url=home), status
    if user.password_hash:
        return redirect(url_for("auth.sign_in", email=user.email, next=home))
    form = SetPasswordForm()
    if form.validate_on_submit():
        if not service.set_password_from_card(participant, form.password.data):
            db.session.rollback()
            flash(_("A password has already been set for this account. Please sign in."), "info")
            return redirect(url_for("auth.sign_in", email=user.email, next=home))
        db.session.commit()
        session.clear()
        login_user(participant.user)
        flash(_("Your password is set. Welcome!"), "success")
        return redirect(home)
    return render_template(
        "conferences/card_set_password.html", form=form, participant=participant
    ), _form_status(form)
