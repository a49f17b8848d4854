"""The chair's console: creating, opening, closing, cancelling and publishing polls."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from resolutions import audit, labels
from resolutions.auth.access import conference_role, get_in_conference
from resolutions.conferences import service as conference_service
from resolutions.drafting import service as drafting_service
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    Clause,
    Conference,
    Participant,
    Poll,
    PollState,
    PollSubject,
    Resolution,
    ResolutionState,
    Role,
)
from resolutions.refusals import refuse_and_redirect
from resolutions.voting import attendance, live, service, sitting
from resolutions.voting.forms import (
    ActionForm,
    CancelPollForm,
    ClosePollForm,
    ProceduralPollForm,
    QueuePollForm,
)
from resolutions.voting.naming import poll_label
from resolutions.voting.views._common import _accept, _is_fragment, _live_attrs, bp

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
    polls = service.polls_of(conference)
    open_poll = next((p for p in polls if p.state == PollState.OPEN), None)
    prepared = [p for p in polls if p.state == PollState.CREATED]
    finished = [p for p in polls if p.state in (PollState.CLOSED, PollState.PUBLISHED)]
    last = max(finished, key=lambda p: (p.closed_at or p.created_at, p.id), default=None)
    resolutions = drafting_service.list_resolutions(conference)
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
            waiting = sitting.unruled_amendments(r)
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
    object_id = int(form.object_id.data or 0)
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
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.console", conference_id=conference.id))
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
            title=(form.title.data or "").strip(),
            question=(form.question.data or "").strip(),
            **form.overrides(),
        )
        if form.open_now.data:
            service.open_poll(poll, me)
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.console", conference_id=conference.id))
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
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.console", conference_id=conference.id))
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
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.console", conference_id=conference.id))
    message = _(
        "The vote on “%(title)s” is closed: %(outcome)s. Audit log head: %(digest)s.",
        title=poll_label(poll),
        outcome=labels.label(labels.POLL_OUTCOME, poll.outcome),
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
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.console", conference_id=conference.id))
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
    except DomainError as error:
        return refuse_and_redirect(error, url_for("voting.console", conference_id=conference.id))
    return _accept(
        conference,
        _("The result of “%(title)s” is published.", title=poll_label(poll)),
        "voting.console",
    )
