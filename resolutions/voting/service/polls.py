"""Preparing, opening, closing, cancelling and publishing polls (the chair's actions)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from resolutions import audit
from resolutions.drafting import service as drafting
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    BallotKind,
    Choice,
    Clause,
    Conference,
    MajorityMethod,
    Participant,
    Poll,
    PollEntitlement,
    PollOutcome,
    PollState,
    PollSubject,
    Proxy,
    Resolution,
    ResolutionState,
    utcnow,
)
from resolutions.voting import notify
from resolutions.voting.attendance import live_proxy_clause
from resolutions.voting.majority import (
    Decision,
    QuorumError,
    Tally,
    decide,
    format_quorum,
    parse_quorum,
)
from resolutions.voting.quorum_words import quorum_problem
from resolutions.voting.service._common import (
    PENDING,
    _clause_label,
    _conference_of,
    _lock_poll,
    _numbered,
    _require_chair,
    _require_not_closed,
)
from resolutions.voting.service.results import _count, turnout
from resolutions.voting.service.secrecy import ask_to_drop_boxes, open_box, seal_tally

log = logging.getLogger(__name__)


def _default_title(
    subject: PollSubject,
    amendment: Amendment | None,
    clause: Clause | None,
    resolution: Resolution | None,
) -> str:
    if subject == PollSubject.AMENDMENT and amendment is not None:
        return drafting.amendment_label(amendment, _numbered(amendment.resolution))
    if subject == PollSubject.CLAUSE and clause is not None:
        return _clause_label(clause)
    if subject == PollSubject.RESOLUTION and resolution is not None:
        return _("The resolution as a whole: %(title)s", title=resolution.title)
    return ""


def _check_subject(poll: Poll) -> None:
    """The subject can still be put to the vote (at creation and again at opening)."""
    if poll.subject == PollSubject.AMENDMENT:
        amendment = db.session.get(Amendment, poll.amendment_id)
        if amendment is None or amendment.state != AmendmentState.ADMITTED:
            raise DomainError(
                _(
                    "Only an admitted amendment can be put to the vote (not a withdrawn, "
                    "obsolete or already decided one)."
                )
            )
    if poll.subject == PollSubject.CLAUSE:
        clause = db.session.get(Clause, poll.clause_id)
        if clause is None or clause.is_deleted:
            raise DomainError(_("This clause is no longer in the text."))
    if poll.resolution_id is not None:
        resolution = db.session.get(Resolution, poll.resolution_id)
        if resolution is None or resolution.state != ResolutionState.DRAFT:
            raise DomainError(_("The resolution has already been decided; its text is locked."))


def _subject_text(poll: Poll) -> str:
    """The exact words put to the vote, frozen at opening."""
    if poll.subject == PollSubject.AMENDMENT:
        amendment = db.session.get(Amendment, poll.amendment_id)
        assert amendment is not None
        if amendment.kind.value == "delete" and amendment.target_clause is not None:
            return amendment.target_clause.text
        return amendment.text
    if poll.subject == PollSubject.CLAUSE:
        clause = db.session.get(Clause, poll.clause_id)
        assert clause is not None
        return clause.text
    if poll.subject == PollSubject.RESOLUTION:
        resolution = db.session.get(Resolution, poll.resolution_id)
        assert resolution is not None
        return "\n\n".join(
            f"{c.label} {c.text}".strip() for c in drafting.numbered_text(resolution)
        )
    return poll.subject_text


def _in_conference(obj: Any, conference: Conference) -> bool:
    if obj is None:
        return False
    owner = getattr(obj, "conference_id", None)
    if owner is None and hasattr(obj, "resolution"):
        owner = obj.resolution.conference_id
    return owner == conference.id


# --- preparing, opening, closing -------------------------------------------------------------


def _subject_of(
    conference: Conference,
    subject: PollSubject,
    amendment: Amendment | None,
    clause: Clause | None,
    resolution: Resolution | None,
) -> tuple[Amendment | None, Clause | None, Resolution | None]:
    """(amendment, clause, resolution) a poll on ``subject`` is about, each of ``conference``:
    the resolution of an amendment or clause; a procedural question may name a resolution."""
    if subject == PollSubject.AMENDMENT:
        if not _in_conference(amendment, conference):
            raise DomainError(_("Choose an amendment of this conference."))
        assert amendment is not None
        return amendment, None, amendment.resolution
    if subject == PollSubject.CLAUSE:
        if not _in_conference(clause, conference):
            raise DomainError(_("Choose a clause of this conference."))
        assert clause is not None
        return None, clause, clause.resolution
    if subject == PollSubject.RESOLUTION:
        if not _in_conference(resolution, conference):
            raise DomainError(_("Choose a resolution of this conference."))
        return None, None, resolution
    if resolution is not None and not _in_conference(resolution, conference):
        raise DomainError(_("Choose a resolution of this conference."))
    return None, None, resolution


def _refuse_second_pending(poll: Poll) -> None:
    """One prepared or open poll at a time on the same amendment, clause or resolution."""
    if poll.subject == PollSubject.PROCEDURAL:
        return
    same = sa.select(Poll.id).where(
        Poll.conference_id == poll.conference_id,
        Poll.subject == poll.subject,
        Poll.state.in_(PENDING),
    )
    if poll.subject == PollSubject.AMENDMENT:
        same = same.where(Poll.amendment_id == poll.amendment_id)
    elif poll.subject == PollSubject.CLAUSE:
        same = same.where(Poll.clause_id == poll.clause_id)
    else:
        same = same.where(Poll.resolution_id == poll.resolution_id)
    if db.session.scalar(same) is not None:
        raise DomainError(_("A poll on this is already prepared or open."))


def create_poll(
    conference: Conference,
    actor: Participant,
    *,
    subject: PollSubject,
    amendment: Amendment | None = None,
    clause: Clause | None = None,
    resolution: Resolution | None = None,
    title: str | None = None,
    question: str = "",
    ballot_kind: BallotKind | None = None,
    majority_method: MajorityMethod | None = None,
    quorum: str | None = None,
    allow_change: bool = False,
) -> Poll:
    """Prepare a poll (state created) on an amendment, a clause, a resolution or a procedural
    question. Rules left as None take the conference's defaults. Flushes.

    Refused: not the chair, a closed conference, a subject of another conference or one that
    cannot be voted on, a second pending poll on the same subject, a bad quorum, or a secret
    ballot that may be changed (a secret ballot cannot be found again to change it).
    """
    _require_chair(conference.id, actor)
    _require_not_closed(conference)
    subject = PollSubject(subject)
    amendment, clause, resolution = _subject_of(conference, subject, amendment, clause, resolution)
    title = (title or "").strip()
    question = (question or "").strip()
    if subject == PollSubject.PROCEDURAL and not title:
        raise DomainError(_("Enter the question put to the vote."))
    if len(title) > 300:
        raise DomainError(_("The title is too long (at most 300 characters)."))
    kind = BallotKind(ballot_kind) if ballot_kind else conference.ballot_kind
    method = MajorityMethod(majority_method) if majority_method else conference.majority_method
    try:
        parsed_quorum = parse_quorum(quorum if quorum not in (None, "") else conference.quorum)
    except QuorumError as error:
        raise DomainError(quorum_problem(error)) from error
    if allow_change and kind == BallotKind.SECRET:
        raise DomainError(
            _("A secret ballot cannot be changed once cast; allow changes only in a named poll.")
        )
    poll = Poll(
        conference_id=conference.id,
        resolution_id=resolution.id if resolution is not None else None,
        subject=subject,
        amendment_id=amendment.id if amendment is not None else None,
        clause_id=clause.id if clause is not None else None,
        title="",
        subject_text=question if subject == PollSubject.PROCEDURAL else "",
        ballot_kind=kind,
        majority_method=method,
        quorum=format_quorum(parsed_quorum),
        allow_change=bool(allow_change),
        state=PollState.CREATED,
        created_by_id=actor.user_id,
    )
    _check_subject(poll)
    _refuse_second_pending(poll)
    poll.title = (title or _default_title(subject, amendment, clause, resolution))[:300]
    db.session.add(poll)
    db.session.flush()
    audit.record(
        "poll.created",
        actor=actor.user,
        conference_id=conference.id,
        obj=poll,
        details={
            "title": poll.title,
            "subject": subject.value,
            "ballot_kind": kind.value,
            "majority_method": method.value,
            "quorum": poll.quorum,
        },
    )
    notify.touch(conference.id)
    return poll


def _entitlements(conference_id: int) -> list[dict[str, int]]:
    """Who may vote if a poll opened now: present voters, and absent principals (or present
    ones who chose a proxy) whose live proxy's holder is present and has a voting right.

    Plain rows for one bulk insert: a thousand ORM objects would dominate the chair's click."""
    holders = dict(
        db.session.execute(
            sa.select(Proxy.principal_id, Proxy.holder_id)
            .join(Participant, Participant.id == Proxy.holder_id)
            .where(
                Proxy.conference_id == conference_id,
                live_proxy_clause(),
                Participant.present.is_(True),
                Participant.voting_right.is_(True),
            )
        ).all()
    )
    voters = db.session.execute(
        sa.select(Participant.id, Participant.weight, Participant.present).where(
            Participant.conference_id == conference_id, Participant.voting_right.is_(True)
        )
    ).all()
    rows = []
    for participant_id, weight, present in voters:
        holder_id = holders.get(participant_id)
        if holder_id is None and present:
            holder_id = participant_id
        if holder_id is not None:
            rows.append(
                {"participant_id": participant_id, "holder_id": holder_id, "weight": weight}
            )
    return rows


def open_poll(poll: Poll, actor: Participant) -> Poll:
    """Open a prepared poll: freeze the words put to the vote and the entitled list. Flushes.

    The entitled list (``PollEntitlement``: who votes, with what weight, cast by whom) is taken
    from attendance and live proxies now and never changes afterwards. At most one poll of a
    conference is open (a partial unique index is the backstop for two chairs clicking at once).
    """
    _require_chair(poll.conference_id, actor)
    conference = _conference_of(poll)
    _require_not_closed(conference)
    if poll.state != PollState.CREATED:
        raise DomainError(_("Only a prepared poll can be opened."))
    other = db.session.scalar(
        sa.select(Poll.title).where(
            Poll.conference_id == poll.conference_id,
            Poll.state == PollState.OPEN,
            Poll.id != poll.id,
        )
    )
    if other is not None:
        raise DomainError(
            _("Another poll is open (%(title)s): close or cancel it first.", title=other)
        )
    _check_subject(poll)
    entitlements = _entitlements(poll.conference_id)
    if not entitlements:
        raise DomainError(
            _("Nobody with a voting right is checked in: run the check-in before opening.")
        )
    poll.subject_text = _subject_text(poll)
    poll.entitled_weight = sum(e["weight"] for e in entitlements)
    poll.state = PollState.OPEN
    poll.opened_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another chair's click won the race; the view rolls this transaction back.
        raise DomainError(_("Another poll is open: close or cancel it first.")) from error
    db.session.execute(
        sa.insert(PollEntitlement), [{"poll_id": poll.id, **row} for row in entitlements]
    )
    if poll.ballot_kind == BallotKind.SECRET:
        open_box(poll.id)
    ask_to_drop_boxes()  # boxes a reader held at an earlier close go after this commit
    audit.record(
        "poll.opened",
        actor=actor.user,
        conference_id=poll.conference_id,
        obj=poll,
        details={
            "entitled": len(entitlements),
            "entitled_weight": poll.entitled_weight,
            "ballot_kind": poll.ballot_kind.value,
            "majority_method": poll.majority_method.value,
            "quorum": poll.quorum,
        },
    )
    notify.touch(poll.conference_id)
    return poll


def close_poll(poll: Poll, actor: Participant) -> Poll:
    """Close an open poll and freeze its result; apply it to the text. Flushes.

    The counts, participating weight, quorum weight and outcome are computed once, here, with
    ``majority.decide`` and stored on the poll; nothing recomputes them later. An adopted
    amendment is applied by drafting (conflicting ones become obsolete), a rejected one or one
    without quorum is rejected; the resolution as a whole is adopted (text locked) or rejected
    (it stays a draft when the quorum failed: nothing was decided). A separate vote on a
    clause records its result only: removing a rejected clause is the secretariat's edit.

    A secret poll is counted from its ballot box, whose units are then replaced by the tally
    (``secrecy``). When a database crash emptied the box the poll is void: it comes back
    cancelled, with the reason, and nothing is counted (the view tells the chair).
    """
    _require_chair(poll.conference_id, actor)
    locked = _lock_poll(poll.id, exclusive=True)
    if locked is None or locked.state != PollState.OPEN:
        raise DomainError(_("Only an open poll can be closed."))
    poll = locked
    # Write first: on SQLite this takes the database's write lock before counting.
    poll.state = PollState.CLOSED
    poll.closed_at = utcnow()
    db.session.flush()
    counts = _count(poll)
    if counts is None:
        return _void(poll, actor)
    weights, ballots, voted_weight = counts
    counted = sum(weights.values())
    if counted != voted_weight:
        log.error("poll %s: ballot rows do not match the voters' weight", poll.id)
        raise DomainError(
            _("The ballots of this poll do not add up; it cannot be closed. Tell the secretariat.")
        )
    entitled = poll.entitled_weight or 0
    decision: Decision = decide(
        poll.majority_method,
        parse_quorum(poll.quorum),
        Tally(weights[Choice.YES], weights[Choice.NO], weights[Choice.ABSTAIN], entitled),
    )
    poll.yes_weight = weights[Choice.YES]
    poll.no_weight = weights[Choice.NO]
    poll.abstain_weight = weights[Choice.ABSTAIN]
    poll.ballots_cast = ballots
    poll.participating_weight = decision.participating
    poll.quorum_weight = str(decision.quorum_weight)
    poll.outcome = decision.outcome
    if poll.ballot_kind == BallotKind.SECRET:
        seal_tally(poll.id, weights)
    db.session.flush()
    audit.record(
        "poll.closed",
        actor=actor.user,
        conference_id=poll.conference_id,
        obj=poll,
        details={
            "outcome": decision.outcome.value,
            # Aggregates only, under keys that are not choice values.
            "yes_weight": poll.yes_weight,
            "no_weight": poll.no_weight,
            "abstain_weight": poll.abstain_weight,
            "ballots": ballots,
            "participating_weight": decision.participating,
            "entitled_weight": entitled,
            "quorum_weight": poll.quorum_weight,
        },
    )
    _apply_outcome(poll, actor)
    notify.touch(poll.conference_id)
    db.session.flush()
    return poll


def _void(poll: Poll, actor: Participant) -> Poll:
    """A secret poll whose ballot box a database crash emptied: nothing is counted from what
    is left; the poll is cancelled with a reason that tells the chair to run it again."""
    ballots = turnout(poll).ballots
    log.error("poll %s: the ballot box was lost (database crash); the poll is void", poll.id)
    poll.state = PollState.CANCELLED
    poll.cancel_reason = _(
        "Void: the database restarted while this secret poll was open and its ballots were "
        "lost. Run the poll again."
    )
    seal_tally(poll.id, None)
    audit.record(
        "poll.voided",
        actor=actor.user,
        conference_id=poll.conference_id,
        obj=poll,
        details={"ballots": ballots},
    )
    notify.touch(poll.conference_id)
    db.session.flush()
    return poll


def _apply_outcome(poll: Poll, actor: Participant) -> None:
    adopted = poll.outcome == PollOutcome.ADOPTED
    try:
        if poll.subject == PollSubject.AMENDMENT:
            amendment = db.session.get_one(Amendment, poll.amendment_id)
            if adopted:
                drafting.adopt_amendment(amendment, actor, poll_id=poll.id)
            else:
                drafting.reject_amendment(amendment, actor, poll_id=poll.id)
        elif poll.subject == PollSubject.CLAUSE:
            # A separate vote on a clause asks whether it stays; without a quorum it does.
            if poll.outcome == PollOutcome.REJECTED:
                clause = db.session.get_one(Clause, poll.clause_id)
                drafting.remove_clause_by_vote(clause, actor, poll_id=poll.id)
        elif poll.subject == PollSubject.RESOLUTION:
            resolution = db.session.get_one(Resolution, poll.resolution_id)
            if adopted:
                drafting.adopt_resolution(resolution, actor, poll_id=poll.id)
            elif poll.outcome == PollOutcome.REJECTED:
                drafting.reject_resolution(resolution, actor, poll_id=poll.id)
    except DomainError as error:
        # Applying the outcome is part of closing: whatever drafting refuses (even as a
        # permission) refuses the close, as a plain refusal the chair reads.
        raise DomainError(error.message) from error


def cancel_poll(poll: Poll, actor: Participant, reason: str) -> Poll:
    """Cancel a prepared or open poll, with a reason; its ballots are never counted. Flushes.

    The "has voted" rows stay (they say who took part before the cancel); a secret poll's
    choice rows are deleted and wiped, since no result will ever need them.
    """
    _require_chair(poll.conference_id, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the poll is cancelled."))
    locked = _lock_poll(poll.id, exclusive=True)
    if locked is None or locked.state not in PENDING:
        raise DomainError(_("Only a prepared or open poll can be cancelled."))
    poll = locked
    poll.state = PollState.CANCELLED
    poll.cancel_reason = reason[:2000]
    poll.closed_at = utcnow()
    db.session.flush()
    if poll.ballot_kind == BallotKind.SECRET:
        seal_tally(poll.id, None)
    audit.record(
        "poll.cancelled",
        actor=actor.user,
        conference_id=poll.conference_id,
        obj=poll,
        details={"reason": poll.cancel_reason},
    )
    notify.touch(poll.conference_id)
    db.session.flush()
    return poll


def publish_poll(poll: Poll, actor: Participant) -> Poll:
    """Publish a closed poll's result (observers and documents see it). Flushes."""
    _require_chair(poll.conference_id, actor)
    if poll.state == PollState.PUBLISHED:
        return poll
    if poll.state != PollState.CLOSED:
        raise DomainError(_("Only a closed poll can be published."))
    poll.state = PollState.PUBLISHED
    poll.published_at = utcnow()
    audit.record("poll.published", actor=actor.user, conference_id=poll.conference_id, obj=poll)
    notify.touch(poll.conference_id)
    db.session.flush()
    return poll
