"""The sitting: ballots, the chair's console, attendance, proxies, projector, results, live.

Views parse the form, call the voting service (which holds every rule) and commit once; the
live channel (``live.py``) tells open pages that something changed.
"""

from __future__ import annotations

import contextlib
from typing import Any

import redis
import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from resolutions import audit
from resolutions.auth.access import conference_role, get_in_conference
from resolutions.conferences import service as conference_service
from resolutions.conferences.search import folded
from resolutions.drafting import service as drafting_service
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    Choice,
    Clause,
    Conference,
    Participant,
    Poll,
    PollEntitlement,
    PollState,
    PollSubject,
    Proxy,
    Resolution,
    ResolutionState,
    Role,
    User,
)
from resolutions.voting import attendance, live, notify, service, sitting
from resolutions.voting.errors import PermissionDenied, VotingError
from resolutions.voting.forms import (
    ActionForm,
    CancelPollForm,
    CastForm,
    ClosePollForm,
    PresenceForm,
    ProceduralPollForm,
    ProxyForm,
    QueuePollForm,
    RollCallForm,
    new_idempotency_key,
)
from resolutions.voting.naming import poll_label
from resolutions.voting.open_vote import open_vote_for

bp = Blueprint("voting", __name__, url_prefix="/c/<int:conference_id>")
# Live changes committed during any request are published when it ends (live.py).
bp.after_app_request(live.publish_committed)


@bp.teardown_app_request
def _publish_live_leftovers(error: BaseException | None) -> None:
    live.publish_committed()


LIVE_VIEWS = ("ballot", "console", "projector", "attendance", "poll", "banner")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _is_fragment() -> bool:
    """The page's script asks for the page again to swap its live regions."""
    return request.headers.get("X-Live-Fragment") == "1"


def _refuse(error: VotingError, fallback: str, **values: Any) -> Response:
    """Answer a refused action: 403 for a permission, else the message as a flash."""
    db.session.rollback()
    if isinstance(error, PermissionDenied):
        abort(403)
    flash(str(error), "error")
    return redirect(url_for(fallback, **values))


def _accept(conference: Conference, message: str, endpoint: str) -> Response:
    """End an accepted action: commit it, tell open pages, confirm it and go back to the page."""
    conference_id = conference.id
    db.session.commit()
    notify.touch(conference_id)
    flash(message, "success")
    return redirect(url_for(endpoint, conference_id=conference_id))


def _live_attrs(conference: Conference, view: str) -> dict[str, Any]:
    """What the page's script needs to follow the live channel (see voting.js)."""
    state_version, turnout_version = notify.live_versions(conference.id)
    return {
        "live_view": view,
        "live_state_version": state_version,
        "live_turnout_version": turnout_version,
        "live_url": url_for("voting.live", conference_id=conference.id, view=view),
        "events_url": (
            url_for("voting.events", conference_id=conference.id, view=view)
            if current_app.config.get("REDIS_URL")
            else ""
        ),
    }


# --- ballot ----------------------------------------------------------------------------------


@bp.get("/vote")
@conference_role(Role.DELEGATE)
def ballot(conference: Conference, me: Participant) -> str:
    """The delegate's page: the open poll, their ballot(s), the receipt; proxies and check-in."""
    attrs = _live_attrs(conference, "ballot")
    poll = live.current_poll(conference.id)
    context = _ballot_context(conference, me, poll)
    template = "voting/_ballot_live.html" if _is_fragment() else "voting/ballot.html"
    return render_template(template, **attrs, **context)


def _ballot_context(conference: Conference, me: Participant, poll: Poll | None) -> dict[str, Any]:
    voters: list[dict[str, Any]] = []
    if poll is not None and poll.state == PollState.OPEN:
        mine = service.my_votes(poll, me)
        rows = db.session.execute(
            sa.select(PollEntitlement, Participant, User)
            .join(Participant, Participant.id == PollEntitlement.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(PollEntitlement.poll_id == poll.id, PollEntitlement.holder_id == me.id)
            .order_by(Participant.id != me.id, User.name)
        ).all()
        for entitlement, participant, _user in rows:
            voter = _voter(participant, entitlement.weight, me)
            voter["record"] = mine.get(participant.id)
            voters.append(voter)
    pending = [v for v in voters if v["record"] is None]
    holds = attendance.proxies_held(me)
    given = attendance.proxy_given(me)
    # The ballots this delegate would cast if a poll opened now (the script's template).
    potential = [_voter(me, me.weight, me)] if me.voting_right and me.present else []
    potential += [_voter(proxy.principal, proxy.principal.weight, me) for proxy in holds]
    return {
        "potential": potential,
        "poll": poll,
        "public": live.public_poll_context(poll) if poll is not None else None,
        "result": (
            service.poll_result(poll)
            if poll is not None and poll.state == PollState.PUBLISHED
            else None
        ),
        "voters": voters,
        "pending": pending,
        "cast_form": CastForm(formdata=None, idempotency_key=new_idempotency_key()),
        "check_in_form": ActionForm(formdata=None),
        "holds": holds,
        "given": given,
        "roll_call_open": conference.roll_call_open,
    }


def _held(poll_id: int, me: Participant) -> list[int]:
    """The votes ``me`` casts in the poll (their own and their principals')."""
    return list(
        db.session.scalars(
            sa.select(PollEntitlement.participant_id).where(
                PollEntitlement.poll_id == poll_id, PollEntitlement.holder_id == me.id
            )
        )
    )


def _voter(participant: Participant, weight: int, me: Participant) -> dict[str, Any]:
    return {
        "id": participant.id,
        "name": participant.name,
        "delegation": participant.delegation,
        "weight": weight,
        "is_me": participant.id == me.id,
        "record": None,
    }


@bp.post("/polls/<int:poll_id>/ballot")
@conference_role(Role.DELEGATE)
def cast(conference: Conference, me: Participant, poll_id: int) -> Any:
    """Record a ballot; POST-redirect-GET without JavaScript, JSON for the page's script.

    The poll is not loaded here: ``cast_ballot`` locks it and refuses a poll of another
    conference (the caster is a member of the conference in the URL), one query fewer on the
    busiest request of the sitting.
    """
    form = CastForm()
    if not form.validate_on_submit():
        message = next(iter(e for errors in form.errors.values() for e in errors), "")
        if _wants_json():
            return jsonify(ok=False, message=str(message)), 400
        flash(str(message) or _("The ballot could not be read. Please try again."), "error")
        return redirect(url_for("voting.ballot", conference_id=conference.id))
    # Read before the commit expires them: afterwards each would cost a query.
    my_id, my_name, conference_id = me.id, me.name, conference.id
    wanted = form.for_.data or None
    if form.for_all.data == "1" and not wanted:
        # The script built this form before knowing of a late proxy: every ballot I hold.
        wanted = _held(poll_id, me) or None
    try:
        receipt = service.cast_ballot(
            poll_id,
            me,
            Choice(form.choice.data),
            for_participant_ids=wanted,
            idempotency_key=form.idempotency_key.data or None,
        )
    except VotingError as error:
        db.session.rollback()
        if _wants_json():
            status = 403 if isinstance(error, PermissionDenied) else 409
            return jsonify(ok=False, message=str(error)), status
        flash(str(error), "error")
        return redirect(url_for("voting.ballot", conference_id=conference_id))
    # The caster's own name needs no query (their user is the signed-in one, already loaded).
    names = [my_name] if receipt.recorded == [my_id] else _names(receipt.recorded)
    if receipt.already_recorded:
        message = _("Already recorded. Your receipt: %(receipt)s", receipt=receipt.receipt)
    else:
        message = ngettext(
            "Your vote has been recorded. Receipt: %(receipt)s",
            "Your %(num)d votes have been recorded. Receipt: %(receipt)s",
            len(receipt.recorded),
            receipt=receipt.receipt,
        )
    if _wants_json():
        return jsonify(
            ok=True,
            receipt=receipt.receipt,
            recorded=receipt.recorded,
            names=names,
            already_recorded=receipt.already_recorded,
            message=message,
        )
    flash(message, "success")
    return redirect(url_for("voting.ballot", conference_id=conference_id))


def _names(participant_ids: list[int]) -> list[str]:
    if not participant_ids:
        return []
    rows = db.session.execute(
        sa.select(Participant.id, User.name)
        .join(User, User.id == Participant.user_id)
        .where(Participant.id.in_(participant_ids))
    ).all()
    by_id = dict(rows)
    return [by_id.get(pid, "") for pid in participant_ids]


@bp.post("/check-in")
@conference_role(Role.DELEGATE)
def self_check_in(conference: Conference, me: Participant) -> Response:
    """A delegate checks themself in while the chair's roll call is open."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attendance.self_check_in(conference, me)
    except VotingError as error:
        return _refuse(error, "voting.ballot", conference_id=conference.id)
    return _accept(conference, _("You are checked in. Welcome!"), "voting.ballot")


# --- proxies ---------------------------------------------------------------------------------


@bp.route("/proxies", methods=["GET", "POST"])
@conference_role(Role.DELEGATE)
def proxies(conference: Conference, me: Participant) -> Any:
    """Give my vote to another present delegate; see whom I hold proxies for; revoke."""
    form = ProxyForm()
    candidates = _proxy_candidates(conference, me)
    form.holder.choices = [(0, _("Choose a delegate"))] + [
        (p.id, _proxy_label(p)) for p in candidates
    ]
    if request.method == "POST" and form.validate_on_submit():
        holder = get_in_conference(Participant, form.holder.data, conference)
        try:
            attendance.give_proxy(me, holder)
        except VotingError as error:
            db.session.rollback()
            if isinstance(error, PermissionDenied):
                abort(403)
            form.holder.errors = [str(error)]
            return (
                render_template("voting/proxies.html", **_proxies_context(me, form, candidates)),
                400,
            )
        else:
            message = _("%(name)s will vote for you.", name=holder.name)
            return _accept(conference, message, "voting.proxies")
    elif request.method == "POST":
        return (
            render_template("voting/proxies.html", **_proxies_context(me, form, candidates)),
            400,
        )
    return render_template("voting/proxies.html", **_proxies_context(me, form, candidates))


def _proxies_context(me: Participant, form: ProxyForm, candidates: list[Participant]) -> dict:
    return {
        "form": form,
        "candidates": candidates,
        "given": attendance.proxy_given(me),
        "holds": attendance.proxies_held(me),
        "revoke_form": ActionForm(formdata=None),
        "poll_open": live.current_poll(me.conference_id, open_only=True) is not None,
    }


def _proxy_label(participant: Participant) -> str:
    parts = [participant.name]
    if participant.delegation:
        parts.append(participant.delegation)
    elif participant.country:
        parts.append(participant.country)
    return " · ".join(parts)


def _proxy_candidates(conference: Conference, me: Participant) -> list[Participant]:
    """Present delegates (and the chair) with voting right, other than me."""
    return list(
        db.session.scalars(
            sa.select(Participant)
            .join(User, User.id == Participant.user_id)
            .options(selectinload(Participant.user))
            .where(
                Participant.conference_id == conference.id,
                Participant.id != me.id,
                Participant.present.is_(True),
                Participant.voting_right.is_(True),
                Participant.role.in_([Role.DELEGATE, Role.CHAIR]),
            )
            .order_by(User.name)
        )
    )


@bp.post("/proxies/<int:proxy_id>/revoke")
@conference_role(Role.DELEGATE)
def revoke_proxy(conference: Conference, me: Participant, proxy_id: int) -> Response:
    proxy = get_in_conference(Proxy, proxy_id, conference)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        attendance.revoke_proxy(proxy, me)
    except VotingError as error:
        return _refuse(error, "voting.proxies", conference_id=conference.id)
    return _accept(conference, _("The proxy has been revoked."), "voting.proxies")


# --- the chair's console ---------------------------------------------------------------------


@bp.get("/console")
@conference_role(Role.CHAIR)
def console(conference: Conference, me: Participant) -> str:
    attrs = _live_attrs(conference, "console")
    context = _console_context(conference)
    template = "voting/_console_live.html" if _is_fragment() else "voting/console.html"
    offer = conference_service.stage_offer(conference, me)
    return render_template(template, **attrs, **context, stage_offer=offer)


def _console_context(conference: Conference) -> dict[str, Any]:
    polls = list(
        db.session.scalars(
            sa.select(Poll)
            .where(Poll.conference_id == conference.id)
            .order_by(Poll.created_at.desc(), Poll.id.desc())
        )
    )
    open_poll = next((p for p in polls if p.state == PollState.OPEN), None)
    prepared = [p for p in polls if p.state == PollState.CREATED]
    finished = [p for p in polls if p.state in (PollState.CLOSED, PollState.PUBLISHED)]
    last = max(finished, key=lambda p: (p.closed_at or p.created_at, p.id), default=None)
    resolutions = list(
        db.session.scalars(
            sa.select(Resolution)
            .where(Resolution.conference_id == conference.id)
            .order_by(Resolution.position, Resolution.id)
        )
    )
    queues = [(r, service.voting_queue(conference, r)) for r in resolutions]
    # Any clause of a draft may be put to a separate vote ("shall it stay?") on request.
    clause_options = {
        r.id: [
            (c, drafting_service.clause_reference(c, r.numbering_style))
            for c in drafting_service.numbered_text(r)
        ]
        for r in resolutions
        if r.state == ResolutionState.DRAFT
    }
    present_weight, total_weight = attendance.present_weight(conference)
    turnout = service.turnout(open_poll) if open_poll else None
    # Submitted amendments nobody ruled on lapse at the vote on the whole: warn before it.
    awaiting = {}
    for r in resolutions:
        if r.state == ResolutionState.DRAFT:
            waiting = sitting.awaiting_ruling(r)
            if waiting:
                numbered = {c.clause_id: c for c in drafting_service.numbered_text(r)}
                awaiting[r.id] = [
                    (a, drafting_service.amendment_label(a, numbered)) for a in waiting
                ]
    return {
        "open_poll": open_poll,
        "open_public": live.public_poll_context(open_poll) if open_poll else None,
        "turnout": turnout,
        "quorum": sitting.quorum_signal(
            conference, present_weight, open_poll, turnout.voted_weight if turnout else 0
        ),
        "not_voted": sitting.not_voted(open_poll) if open_poll else [],
        "awaiting": awaiting,
        "prepared": prepared,
        "last": last,
        "last_result": service.poll_result(last) if last else None,
        "unpublished": [p for p in finished if p.state == PollState.CLOSED],
        "queues": queues,
        "clause_options": clause_options,
        "procedural_form": ProceduralPollForm(formdata=None),
        "queue_form": QueuePollForm(formdata=None),
        "close_form": ClosePollForm(formdata=None),
        "cancel_form": CancelPollForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "present_weight": present_weight,
        "total_weight": total_weight,
    }


def _console_redirect(conference: Conference) -> Response:
    return redirect(url_for("voting.console", conference_id=conference.id))


def _console_with_errors(conference: Conference, **forms: Any) -> tuple[str, int]:
    db.session.rollback()
    context = _console_context(conference)
    context.update(forms)
    return (
        render_template("voting/console.html", **_live_attrs(conference, "console"), **context),
        400,
    )


@bp.post("/polls")
@conference_role(Role.CHAIR)
def create_poll(conference: Conference, me: Participant) -> Any:
    """Create a poll on an item of the queue and, by default, open it at once."""
    form = QueuePollForm()
    if not form.validate_on_submit():
        return _console_with_errors(conference, queue_form=form)
    subject = PollSubject(form.subject.data)
    object_id = int(form.object_id.data)
    target: dict[str, Any] = {}
    if subject == PollSubject.AMENDMENT:
        target["amendment"] = get_in_conference(Amendment, object_id, conference)
    elif subject == PollSubject.CLAUSE:
        target["clause"] = get_in_conference(Clause, object_id, conference)
    else:
        target["resolution"] = get_in_conference(Resolution, object_id, conference)
    try:
        poll = service.create_poll(conference, me, subject=subject, **target, **form.overrides())
        if form.open_now.data != "0":
            service.open_poll(poll, me)
    except VotingError as error:
        return _refuse(error, "voting.console", conference_id=conference.id)
    if poll.state == PollState.OPEN:
        message = _("The vote on “%(title)s” is open.", title=poll_label(poll))
    else:
        message = _("The poll “%(title)s” is prepared.", title=poll_label(poll))
    return _accept(conference, message, "voting.console")


@bp.post("/polls/procedural")
@conference_role(Role.CHAIR)
def create_procedural(conference: Conference, me: Participant) -> Any:
    """A procedural question with its own text."""
    form = ProceduralPollForm()
    if not form.validate_on_submit():
        return _console_with_errors(conference, procedural_form=form)
    try:
        poll = service.create_poll(
            conference,
            me,
            subject=PollSubject.PROCEDURAL,
            title=form.title.data.strip(),
            question=(form.question.data or "").strip(),
            **form.overrides(),
        )
        if form.open_now.data:
            service.open_poll(poll, me)
    except VotingError as error:
        return _refuse(error, "voting.console", conference_id=conference.id)
    return _accept(
        conference,
        _("The question “%(title)s” is put to the vote.", title=poll_label(poll)),
        "voting.console",
    )


def _poll_action(conference: Conference, poll_id: int, form_class: type) -> tuple[Poll, Any]:
    poll = get_in_conference(Poll, poll_id, conference)
    return poll, form_class()


@bp.post("/polls/<int:poll_id>/open")
@conference_role(Role.CHAIR)
def open_poll(conference: Conference, me: Participant, poll_id: int) -> Response:
    poll, form = _poll_action(conference, poll_id, ActionForm)
    if not form.validate_on_submit():
        abort(400)
    try:
        service.open_poll(poll, me)
    except VotingError as error:
        return _refuse(error, "voting.console", conference_id=conference.id)
    return _accept(
        conference, _("The vote on “%(title)s” is open.", title=poll_label(poll)), "voting.console"
    )


@bp.post("/polls/<int:poll_id>/close")
@conference_role(Role.CHAIR)
def close_poll(conference: Conference, me: Participant, poll_id: int) -> Response:
    poll, form = _poll_action(conference, poll_id, ClosePollForm)
    if not form.validate_on_submit():
        abort(400)
    try:
        service.close_poll(poll, me)
        if poll.state == PollState.CANCELLED:
            # A database crash emptied the secret poll's ballot box: void, nothing counted.
            conference_id = conference.id
            db.session.commit()
            flash(
                _(
                    "The secret poll “%(title)s” is void: the database restarted while it was "
                    "open and its ballots were lost. Nothing was counted. Prepare and open it "
                    "again.",
                    title=poll_label(poll),
                ),
                "error",
            )
            return redirect(url_for("voting.console", conference_id=conference_id))
        if form.publish.data:
            service.publish_poll(poll, me)
    except VotingError as error:
        return _refuse(error, "voting.console", conference_id=conference.id)
    message = _(
        "The vote on “%(title)s” is closed: %(outcome)s. Audit log head: %(digest)s.",
        title=poll_label(poll),
        outcome=current_app.jinja_env.filters["poll_outcome_label"](poll.outcome),
        digest=audit.head_digest(),
    )
    return _accept(conference, message, "voting.console")


@bp.post("/polls/<int:poll_id>/cancel")
@conference_role(Role.CHAIR)
def cancel_poll(conference: Conference, me: Participant, poll_id: int) -> Any:
    poll, form = _poll_action(conference, poll_id, CancelPollForm)
    if not form.validate_on_submit():
        flash(next(iter(form.errors.get("reason", [])), _("Say why.")), "error")
        return _console_redirect(conference)
    try:
        service.cancel_poll(poll, me, form.reason.data.strip())
    except VotingError as error:
        return _refuse(error, "voting.console", conference_id=conference.id)
    return _accept(
        conference,
        _("The poll “%(title)s” is cancelled.", title=poll_label(poll)),
        "voting.console",
    )


@bp.post("/polls/<int:poll_id>/publish")
@conference_role(Role.CHAIR)
def publish_poll(conference: Conference, me: Participant, poll_id: int) -> Response:
    poll, form = _poll_action(conference, poll_id, ActionForm)
    if not form.validate_on_submit():
        abort(400)
    try:
        service.publish_poll(poll, me)
    except VotingError as error:
        return _refuse(error, "voting.console", conference_id=conference.id)
    return _accept(
        conference,
        _("The result of “%(title)s” is published.", title=poll_label(poll)),
        "voting.console",
    )


# --- attendance ------------------------------------------------------------------------------


@bp.get("/attendance", endpoint="attendance")
@conference_role(Role.CHAIR, Role.SECRETARIAT)
def attendance_list(conference: Conference, me: Participant) -> str:
    """Who is present: search, check in and out, the roll call, the present voting weight."""
    query = (request.args.get("q") or "").strip()[:100]
    statement = (
        sa.select(Participant)
        .join(User, User.id == Participant.user_id)
        .options(selectinload(Participant.user))
        .where(Participant.conference_id == conference.id)
        .order_by(User.name, Participant.id)
    )
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            sa.or_(
                folded(User.name).like(pattern),
                folded(User.email).like(pattern),
                folded(Participant.delegation).like(pattern),
                folded(Participant.country).like(pattern),
                folded(Participant.organisation).like(pattern),
            )
        )
    participants = list(db.session.scalars(statement))
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
    attendance.set_presence(conference, participant, present, me.user)
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
    except VotingError as error:
        return _refuse(error, "voting.attendance", conference_id=conference.id)
    return _accept(conference, message, "voting.attendance")


# --- projector, results, record --------------------------------------------------------------


@bp.get("/projector")
@conference_role(Role.CHAIR)
def projector(conference: Conference, me: Participant) -> str:
    """Read-only, large type: what is voted, the text if adopted, turnout, then the result."""
    attrs = _live_attrs(conference, "projector")
    poll = live.current_poll(conference.id)
    context: dict[str, Any] = {
        "poll": poll,
        "public": live.public_poll_context(poll, preview=True) if poll else None,
        "turnout": service.turnout(poll) if poll and poll.state == PollState.OPEN else None,
        "result": (
            service.poll_result(poll)
            if poll and poll.state in (PollState.CLOSED, PollState.PUBLISHED)
            else None
        ),
        "dark": request.args.get("theme") == "dark",
        "next_item": (
            sitting.next_in_queue(conference)
            if poll is None or poll.state != PollState.OPEN
            else None
        ),
    }
    template = "voting/_projector_live.html" if _is_fragment() else "voting/projector.html"
    return render_template(template, **attrs, **context)


@bp.get("/polls/<int:poll_id>")
@conference_role()
def poll(conference: Conference, me: Participant, poll_id: int) -> str:
    """The result of one poll: counts after close, each named voter's choice once published."""
    poll = get_in_conference(Poll, poll_id, conference)
    visible = service.can_see_result(poll, me)
    if poll.state == PollState.PUBLISHED and visible:
        # Frozen since the close, the same for every member: rendered once per language.
        return render_template(
            "voting/poll.html",
            **_live_attrs(conference, "poll"),
            poll=poll,
            region_html=_published_region(poll),
        )
    return render_template(
        "voting/poll.html",
        **_live_attrs(conference, "poll"),
        **_poll_region_context(poll, visible),
    )


def _poll_region_context(poll: Poll, visible: bool) -> dict[str, Any]:
    return {
        "poll": poll,
        "public": live.public_poll_context(poll),
        "result": service.poll_result(poll) if visible else None,
        "turnout": service.turnout(poll) if poll.state == PollState.OPEN else None,
        "visible": visible,
    }


def _published_region(poll: Poll) -> Markup:
    """The text, rules and result of a published poll as HTML, shared through Redis by every
    worker (when 1,000 delegates open the result at once, one of them renders it); without
    Redis rendered each time."""
    client = live.redis_client()
    name = live.key(poll.conference_id, f"result:{poll.id}:{get_locale()}")
    if client is not None:
        try:
            cached = client.get(name)
            if cached is not None:
                return Markup(cached.decode())  # noqa: S704 (our autoescaped template)
        except redis.RedisError:
            client = None
    html = render_template("voting/_poll_region.html", **_poll_region_context(poll, True))
    if client is not None:
        with contextlib.suppress(redis.RedisError):
            client.set(name, html, ex=live.SNAPSHOT_SECONDS)
    return Markup(html)  # noqa: S704 (rendered by our autoescaped template)


@bp.get("/record")
@conference_role()
def record(conference: Conference, me: Participant) -> str:
    """The voting record: every poll in order with its rules, weights, counts and outcome."""
    polls = list(
        db.session.scalars(
            sa.select(Poll)
            .where(Poll.conference_id == conference.id, Poll.state != PollState.CREATED)
            .order_by(sa.func.coalesce(Poll.opened_at, Poll.created_at), Poll.id)
        )
    )
    rows = [(p, service.can_see_result(p, me)) for p in polls]
    return render_template("voting/record.html", rows=rows)


# --- the live channel ------------------------------------------------------------------------


@bp.get("/live", endpoint="live")
@conference_role()
def live_state(conference: Conference, me: Participant) -> Response:
    """The live state as JSON, with an ETag: unchanged state answers 304 without work."""
    view = request.args.get("view", "ballot")
    if view not in LIVE_VIEWS:
        view = "ballot"
    version = notify.live_version(conference.id)
    etag = f"{version}-{view}-{get_locale()}"
    if view == "banner":
        # Personal (whether this member holds a vote): never shared between members.
        etag += f"-{me.id}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
        response.set_etag(etag)
        response.headers["Cache-Control"] = "no-cache"
        return response
    if view == "banner":
        # Every conference page's banner: only whether a vote waits for this member.
        vote = open_vote_for(me)
        state_version, _turnout = version.split(".", 1)
        payload = {
            "version": version,
            "state": state_version,
            "vote": vote.as_json() if vote else None,
        }
    else:
        payload = live.live_payload(conference, view=view)
    response = jsonify(payload)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/events")
@conference_role()
def events(conference: Conference, me: Participant) -> Response:
    """Server-sent events fed by Redis pub/sub; without Redis, 204 (pages poll instead)."""
    if not current_app.config.get("REDIS_URL"):
        return Response(status=204)
    view = request.args.get("view", "ballot")
    if view not in LIVE_VIEWS:
        view = "ballot"
    stream = live.event_stream(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        conference.id,
        view=view,
        locale=str(get_locale()),
        base_url=request.host_url,
    )
    return Response(
        stream,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
