"""Polls and ballots: the rules and transactions of voting, no HTTP.

Every function takes plain arguments, checks the rules, changes rows and flushes; the view
commits once. The exception is ``cast_ballot``, which owns its transaction: a ballot is
acknowledged only after its commit, so an acknowledged ballot survives a crash of the worker.

Actors are ``Participant``s (the view's ``me``). Only the chair prepares, opens, closes,
cancels and publishes polls. A refused action raises ``VotingError`` (``PermissionDenied``
for a role or object rule; the view answers 403) with a translated message that never names a
ballot's choice.

Ballot integrity
----------------
*One ballot per vote.* ``vote_record`` has a unique constraint on (poll, participant): whatever
the Python checks miss (two tabs, two workers, a retried request), the database refuses the
second row. A retry carrying the same idempotency key computes the same receipt (an HMAC of
the key), finds it on the existing row and answers "already recorded" as a success. In a named
poll a second ballot with the same choice is also answered as already recorded; any other
second ballot is refused, unless a named poll allows changes.

*Nothing lost, nothing late.* A cast takes a ``FOR KEY SHARE`` lock on the poll row and
``close_poll``/``cancel_poll`` a ``FOR UPDATE`` lock (PostgreSQL), so a close waits for the
casts in flight and the casts behind it see the poll closed; the cast re-reads the poll state
after writing (SQLite, where the write lock does the same job). Every acknowledged ballot is
in the tally; no ballot is committed after the tally was taken.

*Secret ballot.* What must not exist is anything that links a voter to a choice. Decisions:

- A secret vote writes its "has voted" ``VoteRecord`` (no choice, no weight) and its
  ``BallotChoice`` rows in one transaction. A ``BallotChoice`` row has a random key, the poll,
  the choice and weight 1: a vote of weight 3 is three identical rows, because a row carrying
  an unusual weight would name the one delegate who has it.
- The choice never passes through SQLAlchemy's statement logging (``echo`` prints parameters):
  choice rows are written through the DBAPI cursor of the same connection and transaction.
  Audit entries never record casts at all (the ``VoteRecord`` is the record of who voted);
  opening and closing are audited with aggregate counts only. Error messages never name a
  choice, and a retry of a secret ballot is recognised by its idempotency key, never by
  comparing choices, which would need the link we refuse to store.
- While the poll is open, the database itself betrays the order of writes: on PostgreSQL each
  row carries the id of the transaction that wrote it (``xmin``, the same on the voter's
  ``VoteRecord`` and their choice rows) and the heap keeps insertion order (``ctid``); SQLite
  keeps ``ballot_choice`` without a rowid, ordered by the random key. So at close (and at
  cancel) the poll's choice rows are replaced: the counts are frozen on the poll, the rows
  deleted and the same number of fresh unit rows written by the closing transaction, every one
  with the same ``xmin``, new random keys and no order to read. After the commit,
  PostgreSQL's ``VACUUM FULL ballot_choice`` rewrites the table file so the deleted versions
  (which still carry each voter's transaction id) are gone; SQLite deletes with
  ``secure_delete`` so their bytes are zeroed. Rows are kept rather than dropped so that the
  frozen tally can be checked against them.

What this does not protect against, plainly: someone who reads the database (or its WAL,
backups or replicas) *while the poll is open*, or who changes the server's code or watches its
memory. ``VACUUM FULL`` is best effort: if it cannot get its lock in a few short tries it
is logged, and if another transaction of the database (an autoanalyze, a long report) still
sees the deleted versions it keeps them; either way they go with a later vacuum or close.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload

from resolutions import audit
from resolutions.auth.access import has_role
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentState,
    BallotChoice,
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
    Role,
    VoteRecord,
    utcnow,
)
from resolutions.models.voting import random_ballot_id
from resolutions.voting import live
from resolutions.voting.attendance import live_proxy_clause
from resolutions.voting.errors import PermissionDenied, VotingError
from resolutions.voting.majority import Decision, Tally, decide, parse_quorum, threshold

log = logging.getLogger(__name__)

__all__ = [
    "PermissionDenied",
    "PollResult",
    "QueueItem",
    "Receipt",
    "Turnout",
    "VotingError",
    "can_see_result",
    "cancel_poll",
    "cast_ballot",
    "castable",
    "close_poll",
    "create_poll",
    "current_poll",
    "my_votes",
    "open_poll",
    "poll_result",
    "publish_poll",
    "turnout",
    "voting_queue",
]

FINISHED = (PollState.CLOSED, PollState.PUBLISHED)
PENDING = (PollState.CREATED, PollState.OPEN)
_VACUUM = "voting_vacuum_ballots"  # Session.info flag: rewrite ballot_choice after the commit


# --- results of the service --------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the voter is shown after casting: a random code and whom it recorded."""

    receipt: str
    recorded: list[int]
    already_recorded: bool


@dataclass(frozen=True)
class Turnout:
    voted_weight: int
    entitled_weight: int
    ballots: int
    entitled: int

    @property
    def share(self) -> Fraction:
        """Voted weight over entitled weight (0 when nobody is entitled)."""
        if self.entitled_weight == 0:
            return Fraction(0)
        return Fraction(self.voted_weight, self.entitled_weight)


@dataclass(frozen=True)
class NamedVote:
    participant_id: int
    name: str
    delegation: str
    choice: Choice
    weight: int
    cast_by: str | None  # the proxy holder's name when someone else cast it


@dataclass(frozen=True)
class PollResult:
    """The frozen result of a closed poll; ``votes`` lists choices for named polls only."""

    poll_id: int
    state: PollState
    ballot_kind: BallotKind
    majority_method: MajorityMethod
    quorum: str
    outcome: PollOutcome
    yes: int
    no: int
    abstain: int
    ballots_cast: int
    entitled_weight: int
    participating_weight: int
    quorum_weight: Fraction
    required: Fraction  # derived from the frozen counts, for display
    basis: str
    strict: bool
    votes: list[NamedVote]


@dataclass(frozen=True)
class QueueItem:
    """One thing for the chair to put to the vote, and its pending poll if one exists."""

    subject: PollSubject
    title: str
    resolution: Resolution
    amendment: Amendment | None = None
    clause: Clause | None = None
    poll: Poll | None = None


# --- helpers ---------------------------------------------------------------------------------


def _drafting() -> Any:
    # Imported late: drafting's service imports models only, but keeping the edge one-way at
    # import time lets either area load without the other.
    from resolutions.drafting import service

    return service


def _require_chair(conference_id: int, actor: Participant) -> None:
    if actor.conference_id != conference_id or not has_role(actor, Role.CHAIR):
        raise PermissionDenied(_("Only the chair may run the polls."))


def _require_not_closed(conference: Conference) -> None:
    if conference.is_closed:
        raise VotingError(_("The conference is closed."))


def _conference_of(poll: Poll) -> Conference:
    conference = db.session.get(Conference, poll.conference_id)
    assert conference is not None
    return conference


def _lock_poll(poll_id: int, *, exclusive: bool) -> Poll | None:
    """Load the poll fresh, locked: FOR UPDATE to change its state, FOR KEY SHARE to cast."""
    return db.session.scalar(
        sa.select(Poll)
        .where(Poll.id == poll_id)
        # read + key_share renders FOR KEY SHARE (key_share alone would be FOR NO KEY UPDATE,
        # which would make every cast wait for the one before it).
        .with_for_update(read=not exclusive, key_share=not exclusive)
        .execution_options(populate_existing=True)
    )


def _numbered(resolution: Resolution) -> dict[int, Any]:
    return {c.clause_id: c for c in _drafting().numbered_text(resolution) if c.clause_id}


def _clause_label(clause: Clause) -> str:
    numbered = _numbered(clause.resolution).get(clause.id)
    if numbered is not None and numbered.label:
        return _("Clause %(number)s", number=numbered.number_path)
    if clause.kind.value == "preambular":
        return _("A preambular clause")
    return _("A clause")


def _default_title(
    subject: PollSubject,
    amendment: Amendment | None,
    clause: Clause | None,
    resolution: Resolution | None,
) -> str:
    if subject == PollSubject.AMENDMENT and amendment is not None:
        return _drafting().amendment_label(amendment, _numbered(amendment.resolution))
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
            raise VotingError(
                _(
                    "Only an admitted amendment can be put to the vote (not a withdrawn, "
                    "obsolete or already decided one)."
                )
            )
    if poll.subject == PollSubject.CLAUSE:
        clause = db.session.get(Clause, poll.clause_id)
        if clause is None or clause.is_deleted:
            raise VotingError(_("This clause is no longer in the text."))
    if poll.resolution_id is not None:
        resolution = db.session.get(Resolution, poll.resolution_id)
        if resolution is None or resolution.state != ResolutionState.DRAFT:
            raise VotingError(_("The resolution has already been decided; its text is locked."))


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
            f"{c.label} {c.text}".strip() for c in _drafting().numbered_text(resolution)
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
    if subject == PollSubject.AMENDMENT:
        if not _in_conference(amendment, conference):
            raise VotingError(_("Choose an amendment of this conference."))
        assert amendment is not None
        resolution = amendment.resolution
        clause = None
    elif subject == PollSubject.CLAUSE:
        if not _in_conference(clause, conference):
            raise VotingError(_("Choose a clause of this conference."))
        assert clause is not None
        resolution = clause.resolution
        amendment = None
    elif subject == PollSubject.RESOLUTION:
        if not _in_conference(resolution, conference):
            raise VotingError(_("Choose a resolution of this conference."))
        amendment = clause = None
    else:
        amendment = clause = None
        if resolution is not None and not _in_conference(resolution, conference):
            raise VotingError(_("Choose a resolution of this conference."))
    title = (title or "").strip()
    question = (question or "").strip()
    if subject == PollSubject.PROCEDURAL and not title:
        raise VotingError(_("Enter the question put to the vote."))
    if len(title) > 300:
        raise VotingError(_("The title is too long (at most 300 characters)."))
    kind = BallotKind(ballot_kind) if ballot_kind else conference.ballot_kind
    method = MajorityMethod(majority_method) if majority_method else conference.majority_method
    try:
        parsed_quorum = parse_quorum(quorum if quorum not in (None, "") else conference.quorum)
    except ValueError as error:
        raise VotingError(str(error)) from error
    if allow_change and kind == BallotKind.SECRET:
        raise VotingError(
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
        quorum=parsed_quorum.text,
        allow_change=bool(allow_change),
        state=PollState.CREATED,
        created_by_id=actor.user_id,
    )
    _check_subject(poll)
    if subject != PollSubject.PROCEDURAL:
        same = sa.select(Poll.id).where(
            Poll.conference_id == conference.id,
            Poll.subject == subject,
            Poll.state.in_(PENDING),
        )
        if subject == PollSubject.AMENDMENT:
            same = same.where(Poll.amendment_id == poll.amendment_id)
        elif subject == PollSubject.CLAUSE:
            same = same.where(Poll.clause_id == poll.clause_id)
        else:
            same = same.where(Poll.resolution_id == poll.resolution_id)
        if db.session.scalar(same) is not None:
            raise VotingError(_("A poll on this is already prepared or open."))
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
    live.touch(conference.id)
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
        raise VotingError(_("Only a prepared poll can be opened."))
    other = db.session.scalar(
        sa.select(Poll.title).where(
            Poll.conference_id == poll.conference_id,
            Poll.state == PollState.OPEN,
            Poll.id != poll.id,
        )
    )
    if other is not None:
        raise VotingError(
            _("Another poll is open (%(title)s): close or cancel it first.", title=other)
        )
    _check_subject(poll)
    entitlements = _entitlements(poll.conference_id)
    if not entitlements:
        raise VotingError(
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
        raise VotingError(_("Another poll is open: close or cancel it first.")) from error
    db.session.execute(
        sa.insert(PollEntitlement), [{"poll_id": poll.id, **row} for row in entitlements]
    )
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
    live.touch(poll.conference_id)
    return poll


def _count(poll: Poll) -> tuple[dict[Choice, int], int, int]:
    """({choice: weight}, ballots cast, weight of those who voted) from the stored rows."""
    if poll.ballot_kind == BallotKind.SECRET:
        rows = db.session.execute(
            sa.select(BallotChoice.choice, sa.func.sum(BallotChoice.weight))
            .where(BallotChoice.poll_id == poll.id)
            .group_by(BallotChoice.choice)
        ).all()
    else:
        rows = db.session.execute(
            sa.select(VoteRecord.choice, sa.func.sum(VoteRecord.weight))
            .where(VoteRecord.poll_id == poll.id)
            .group_by(VoteRecord.choice)
        ).all()
    weights = {choice: 0 for choice in Choice}
    for choice, weight in rows:
        weights[Choice(choice)] += int(weight or 0)
    counted = turnout(poll)
    return weights, counted.ballots, counted.voted_weight


def _insert_choice_units(poll_id: int, units: Sequence[tuple[Choice, int]]) -> None:
    """Write secret choice rows (weight 1 each) through the DBAPI cursor of the session's
    connection: same transaction, but nothing of it reaches SQLAlchemy's statement log."""
    rows = [(random_ballot_id(), poll_id, choice.value) for choice, n in units for _ in range(n)]
    if not rows:
        return
    connection = db.session.connection()
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    table = BallotChoice.__table__.name
    statement = (
        f"INSERT INTO {table} (id, poll_id, choice, weight) "  # noqa: S608 (constant names)
        f"VALUES ({mark}, {mark}, {mark}, 1)"
    )
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(statement, rows)
    finally:
        cursor.close()


def _erase_choice_rows(poll_id: int) -> None:
    """Delete the poll's choice rows so their old versions can be wiped (see the docstring)."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA secure_delete = ON"))
    db.session.execute(sa.delete(BallotChoice).where(BallotChoice.poll_id == poll_id))
    db.session.info[_VACUUM] = True


def close_poll(poll: Poll, actor: Participant) -> Poll:
    """Close an open poll and freeze its result; apply it to the text. Flushes.

    The counts, participating weight, quorum weight and outcome are computed once, here, with
    ``majority.decide`` and stored on the poll; nothing recomputes them later. An adopted
    amendment is applied by drafting (conflicting ones become obsolete), a rejected one or one
    without quorum is rejected; the resolution as a whole is adopted (text locked) or rejected
    (it stays a draft when the quorum failed: nothing was decided). A separate vote on a
    clause records its result only: removing a rejected clause is the secretariat's edit. A
    secret poll's choice rows are rewritten (module docstring).
    """
    _require_chair(poll.conference_id, actor)
    locked = _lock_poll(poll.id, exclusive=True)
    if locked is None or locked.state != PollState.OPEN:
        raise VotingError(_("Only an open poll can be closed."))
    poll = locked
    # Write first: on SQLite this takes the database's write lock before counting.
    poll.state = PollState.CLOSED
    poll.closed_at = utcnow()
    db.session.flush()
    weights, ballots, voted_weight = _count(poll)
    counted = sum(weights.values())
    if counted != voted_weight:
        log.error("poll %s: ballot rows do not match the voters' weight", poll.id)
        raise VotingError(
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
        _erase_choice_rows(poll.id)
        _insert_choice_units(poll.id, sorted(weights.items()))
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
    live.touch(poll.conference_id)
    db.session.flush()
    return poll


def _apply_outcome(poll: Poll, actor: Participant) -> None:
    drafting = _drafting()
    adopted = poll.outcome == PollOutcome.ADOPTED
    try:
        if poll.subject == PollSubject.AMENDMENT:
            amendment = db.session.get(Amendment, poll.amendment_id)
            if adopted:
                drafting.adopt_amendment(amendment, actor.user, poll_id=poll.id)
            else:
                drafting.reject_amendment(amendment, actor.user, poll_id=poll.id)
        elif poll.subject == PollSubject.CLAUSE:
            # A separate vote on a clause asks whether it stays; without a quorum it does.
            if poll.outcome == PollOutcome.REJECTED:
                clause = db.session.get(Clause, poll.clause_id)
                drafting.remove_clause_by_vote(clause, actor.user, poll_id=poll.id)
        elif poll.subject == PollSubject.RESOLUTION:
            resolution = db.session.get(Resolution, poll.resolution_id)
            if adopted:
                drafting.adopt_resolution(resolution, actor.user, poll_id=poll.id)
            elif poll.outcome == PollOutcome.REJECTED:
                drafting.reject_resolution(resolution, actor.user, poll_id=poll.id)
    except drafting.DraftingError as error:
        raise VotingError(getattr(error, "message", str(error))) from error


def cancel_poll(poll: Poll, actor: Participant, reason: str) -> Poll:
    """Cancel a prepared or open poll, with a reason; its ballots are never counted. Flushes.

    The "has voted" rows stay (they say who took part before the cancel); a secret poll's
    choice rows are deleted and wiped, since no result will ever need them.
    """
    _require_chair(poll.conference_id, actor)
    reason = (reason or "").strip()
    if not reason:
        raise VotingError(_("Say why the poll is cancelled."))
    locked = _lock_poll(poll.id, exclusive=True)
    if locked is None or locked.state not in PENDING:
        raise VotingError(_("Only a prepared or open poll can be cancelled."))
    poll = locked
    poll.state = PollState.CANCELLED
    poll.cancel_reason = reason[:2000]
    poll.closed_at = utcnow()
    db.session.flush()
    if poll.ballot_kind == BallotKind.SECRET:
        _erase_choice_rows(poll.id)
    audit.record(
        "poll.cancelled",
        actor=actor.user,
        conference_id=poll.conference_id,
        obj=poll,
        details={"reason": poll.cancel_reason},
    )
    live.touch(poll.conference_id)
    db.session.flush()
    return poll


def publish_poll(poll: Poll, actor: Participant) -> Poll:
    """Publish a closed poll's result (observers and documents see it). Flushes."""
    _require_chair(poll.conference_id, actor)
    if poll.state == PollState.PUBLISHED:
        return poll
    if poll.state != PollState.CLOSED:
        raise VotingError(_("Only a closed poll can be published."))
    poll.state = PollState.PUBLISHED
    poll.published_at = utcnow()
    audit.record("poll.published", actor=actor.user, conference_id=poll.conference_id, obj=poll)
    live.touch(poll.conference_id)
    db.session.flush()
    return poll


# --- casting ---------------------------------------------------------------------------------


def _receipt_code(poll_id: int, caster_id: int, idempotency_key: str | None) -> str:
    """The code shown to the voter: an HMAC of the form's idempotency key, so that a retry of
    the same form yields the same code; random when there is no key."""
    if idempotency_key:
        secret = str(current_app.config["SECRET_KEY"]).encode()
        message = f"receipt:{poll_id}:{caster_id}:{idempotency_key}".encode()
        raw = hmac.new(secret, message, hashlib.sha256).digest()[:10]
    else:
        raw = secrets.token_bytes(10)
    code = base64.b32encode(raw).decode()
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _names(participant_ids: Sequence[int], conference_id: int) -> str:
    """The names of those of ``participant_ids`` who take part in the conference: a message
    never names a participant of another conference."""
    people = db.session.scalars(
        sa.select(Participant)
        .options(selectinload(Participant.user))
        .where(Participant.id.in_(participant_ids), Participant.conference_id == conference_id)
    ).all()
    return ", ".join(sorted(p.name for p in people))


def cast_ballot(
    poll_id: int,
    caster: Participant,
    choice: Choice,
    *,
    for_participant_ids: list[int] | None = None,
    idempotency_key: str | None = None,
) -> Receipt:
    """Record the caster's ballot for themself and/or principals whose proxy they hold in this
    poll (``for_participant_ids``; None means the caster alone). Commits.

    All the votes of one call are recorded in one transaction or none is. A retry of the same
    form (same idempotency key), or in a named poll the same choice again, answers the existing
    receipt with ``already_recorded``. Refused with a clear message: a poll of another
    conference, a poll not open, no entitlement (no voting right, absent when it opened), a
    vote whose frozen proxy the caster does not hold, a second different ballot.
    """
    try:
        choice = Choice(choice)
    except ValueError as error:
        raise VotingError(_("Choose yes, no or abstain.")) from error
    caster_id, conference_id = caster.id, caster.conference_id
    targets = list(dict.fromkeys(for_participant_ids or [caster_id]))
    receipt = _receipt_code(poll_id, caster_id, idempotency_key)
    try:
        for _attempt in range(3):
            try:
                result = _cast_once(poll_id, caster_id, conference_id, choice, targets, receipt)
            except IntegrityError:
                # Another request recorded one of these votes first: look again.
                db.session.rollback()
                continue
            db.session.commit()
            return result
        raise VotingError(_("The ballot could not be recorded; please try again."))
    except BaseException:
        db.session.rollback()
        raise


def _cast_once(
    poll_id: int,
    caster_id: int,
    conference_id: int,
    choice: Choice,
    targets: list[int],
    receipt: str,
) -> Receipt:
    poll = _lock_poll(poll_id, exclusive=False)
    if poll is None or poll.conference_id != conference_id:
        raise PermissionDenied(_("This poll does not belong to your conference."))
    if poll.state != PollState.OPEN:
        if poll.state == PollState.CREATED:
            raise VotingError(_("This poll is not open yet."))
        raise VotingError(_("This poll is closed: ballots are no longer accepted."))
    entitlements = {
        e.participant_id: e
        for e in db.session.scalars(
            sa.select(PollEntitlement).where(
                PollEntitlement.poll_id == poll_id, PollEntitlement.participant_id.in_(targets)
            )
        )
    }
    for target in targets:
        entitlement = entitlements.get(target)
        if entitlement is not None and entitlement.holder_id == caster_id:
            continue
        if target != caster_id:
            name = _names([target], conference_id)
            raise PermissionDenied(
                _("You hold no proxy for %(name)s in this poll.", name=name)
                if name
                else _("You hold no proxy for that participant in this poll.")
            )
        if entitlement is None:
            raise PermissionDenied(
                _(
                    "You are not entitled to vote in this poll: it is open to delegates with a "
                    "voting right who were present when it opened."
                )
            )
        raise PermissionDenied(
            _(
                "%(name)s holds your proxy and casts your vote in this poll.",
                name=_names([entitlement.holder_id], conference_id),
            )
        )
    existing = {
        r.participant_id: r
        for r in db.session.scalars(
            sa.select(VoteRecord).where(
                VoteRecord.poll_id == poll_id, VoteRecord.participant_id.in_(targets)
            )
        )
    }
    if existing:
        return _already_cast(poll, existing, targets, choice, receipt)
    secret = poll.ballot_kind == BallotKind.SECRET
    for target in targets:
        db.session.add(
            VoteRecord(
                poll_id=poll_id,
                participant_id=target,
                cast_by_id=caster_id,
                receipt=receipt,
                choice=None if secret else choice,
                weight=None if secret else entitlements[target].weight,
            )
        )
    db.session.flush()  # the unique (poll, participant) constraint speaks here
    if secret:
        _insert_choice_units(poll_id, [(choice, sum(entitlements[t].weight for t in targets))])
    # SQLite: now that we hold the write lock, make sure no close slipped in before it.
    if db.session.scalar(sa.select(Poll.state).where(Poll.id == poll_id)) != PollState.OPEN:
        raise VotingError(_("This poll is closed: ballots are no longer accepted."))
    live.touch(conference_id, "turnout")
    return Receipt(receipt=receipt, recorded=targets, already_recorded=False)


def _already_cast(
    poll: Poll,
    existing: dict[int, VoteRecord],
    targets: list[int],
    choice: Choice,
    receipt: str,
) -> Receipt:
    """Some of the votes are already recorded: the same ballot again, a change, or a refusal."""
    missing = [t for t in targets if t not in existing]
    records = [existing[t] for t in targets if t in existing]
    same_form = all(r.receipt == receipt for r in records)
    named = poll.ballot_kind == BallotKind.NAMED
    same_choice = named and all(r.choice == choice for r in records)
    if not missing and (same_form or same_choice):
        return Receipt(receipt=records[0].receipt, recorded=targets, already_recorded=True)
    if named and poll.allow_change and not missing:
        for record in records:
            record.choice = choice
            record.receipt = receipt
        db.session.flush()
        live.touch(poll.conference_id, "turnout")
        return Receipt(receipt=receipt, recorded=targets, already_recorded=False)
    names = _names(list(existing), poll.conference_id)
    if named:
        raise VotingError(
            _(
                "A different ballot is already recorded for %(names)s in this poll; "
                "it cannot be changed. Nothing new was recorded.",
                names=names,
            )
        )
    raise VotingError(
        _(
            "A ballot is already recorded for %(names)s in this secret poll; the first ballot "
            "stands. Nothing new was recorded.",
            names=names,
        )
    )


# --- reading ---------------------------------------------------------------------------------


def current_poll(conference: Conference) -> Poll | None:
    """The conference's open poll, if any."""
    return db.session.scalar(
        sa.select(Poll).where(Poll.conference_id == conference.id, Poll.state == PollState.OPEN)
    )


def castable(poll: Poll, participant: Participant) -> list[PollEntitlement]:
    """The votes ``participant`` casts in ``poll`` (their own first, then their principals')."""
    rows = db.session.scalars(
        sa.select(PollEntitlement).where(
            PollEntitlement.poll_id == poll.id, PollEntitlement.holder_id == participant.id
        )
    ).all()
    return sorted(rows, key=lambda e: (e.participant_id != participant.id, e.participant_id))


def turnout(poll: Poll) -> Turnout:
    """Weight and number of votes cast so far against the frozen entitlement (one query)."""
    entitled = (
        sa.select(sa.func.count())
        .select_from(PollEntitlement)
        .where(PollEntitlement.poll_id == poll.id)
        .scalar_subquery()
    )
    ballots, voted_weight, entitled_count = db.session.execute(
        sa.select(
            sa.func.count(VoteRecord.id),
            sa.func.coalesce(sa.func.sum(PollEntitlement.weight), 0),
            entitled,
        )
        .select_from(VoteRecord)
        .join(
            PollEntitlement,
            sa.and_(
                PollEntitlement.poll_id == VoteRecord.poll_id,
                PollEntitlement.participant_id == VoteRecord.participant_id,
            ),
        )
        .where(VoteRecord.poll_id == poll.id)
    ).one()
    return Turnout(
        voted_weight=int(voted_weight),
        entitled_weight=poll.entitled_weight or 0,
        ballots=int(ballots),
        entitled=int(entitled_count),
    )


def my_votes(poll: Poll, participant: Participant) -> dict[int, VoteRecord]:
    """The votes already recorded that ``participant`` cast or that are theirs, by whose."""
    records = db.session.scalars(
        sa.select(VoteRecord).where(
            VoteRecord.poll_id == poll.id,
            sa.or_(
                VoteRecord.cast_by_id == participant.id,
                VoteRecord.participant_id == participant.id,
            ),
        )
    )
    return {r.participant_id: r for r in records}


def can_see_result(poll: Poll, participant: Participant | None) -> bool:
    """Results exist once a poll closes: the chair and the secretariat see them then (to check
    before publishing), delegates and observers once they are published."""
    if poll.state not in FINISHED or participant is None:
        return False
    if participant.conference_id != poll.conference_id:
        return False
    if poll.state == PollState.PUBLISHED:
        return True
    return participant.role in (Role.CHAIR, Role.SECRETARIAT)


def poll_result(poll: Poll) -> PollResult:
    """The result frozen at close; for a named poll also each voter's choice, by name.

    Refused while the poll is prepared, open or cancelled: there is no result to show (a
    secret poll's counts are never shown before it closes).
    """
    if poll.state not in FINISHED or poll.outcome is None:
        raise VotingError(_("The result is shown once the poll is closed."))
    yes, no, abstain = poll.yes_weight or 0, poll.no_weight or 0, poll.abstain_weight or 0
    entitled = poll.entitled_weight or 0
    needed, basis, strict = threshold(poll.majority_method, Tally(yes, no, abstain, entitled))
    votes: list[NamedVote] = []
    if poll.ballot_kind == BallotKind.NAMED:
        voter = aliased(Participant)
        caster = aliased(Participant)
        rows = db.session.execute(
            sa.select(VoteRecord, voter, caster)
            .join(voter, voter.id == VoteRecord.participant_id)
            .join(caster, caster.id == VoteRecord.cast_by_id)
            .options(selectinload(voter.user), selectinload(caster.user))
            .where(VoteRecord.poll_id == poll.id)
        ).all()
        votes = sorted(
            (
                NamedVote(
                    participant_id=person.id,
                    name=person.name,
                    delegation=person.delegation,
                    choice=Choice(record.choice),
                    weight=record.weight or 0,
                    cast_by=by.name if by.id != person.id else None,
                )
                for record, person, by in rows
            ),
            key=lambda v: (v.name.casefold(), v.participant_id),
        )
    return PollResult(
        poll_id=poll.id,
        state=poll.state,
        ballot_kind=poll.ballot_kind,
        majority_method=poll.majority_method,
        quorum=poll.quorum,
        outcome=poll.outcome,
        yes=yes,
        no=no,
        abstain=abstain,
        ballots_cast=poll.ballots_cast or 0,
        entitled_weight=entitled,
        participating_weight=poll.participating_weight or 0,
        quorum_weight=Fraction(poll.quorum_weight or "0"),
        required=needed,
        basis=basis,
        strict=strict,
        votes=votes,
    )


def voting_queue(conference: Conference, resolution: Resolution) -> list[QueueItem]:
    """What the chair puts to the vote, in order: the resolution's admitted amendments in
    drafting's voting order, then the resolution as a whole (while it is a draft), each with
    its prepared or open poll if there is one."""
    if resolution.conference_id != conference.id:
        raise PermissionDenied(_("This resolution belongs to another conference."))
    pending = db.session.scalars(
        sa.select(Poll).where(
            Poll.conference_id == conference.id,
            Poll.resolution_id == resolution.id,
            Poll.state.in_(PENDING),
        )
    ).all()
    by_amendment = {p.amendment_id: p for p in pending if p.subject == PollSubject.AMENDMENT}
    on_resolution = next((p for p in pending if p.subject == PollSubject.RESOLUTION), None)
    drafting = _drafting()
    numbered = _numbered(resolution)
    items = [
        QueueItem(
            subject=PollSubject.AMENDMENT,
            title=drafting.amendment_label(amendment, numbered),
            resolution=resolution,
            amendment=amendment,
            poll=by_amendment.get(amendment.id),
        )
        for amendment in drafting.voting_queue(resolution)
        if amendment.state == AmendmentState.ADMITTED
    ]
    if resolution.state == ResolutionState.DRAFT:
        items.append(
            QueueItem(
                subject=PollSubject.RESOLUTION,
                title=_("The resolution as a whole: %(title)s", title=resolution.title),
                resolution=resolution,
                poll=on_resolution,
            )
        )
    return items


# --- wiping deleted choice rows after the commit ---------------------------------------------


@event.listens_for(Session, "after_commit")
def _vacuum_after_commit(session: Session) -> None:
    if not session.info.pop(_VACUUM, False):
        return
    try:
        engine = session.get_bind()
    except Exception:  # no bind: nothing to clean
        return
    if engine.dialect.name != "postgresql":
        return
    vacuum_ballot_choices(engine)


@event.listens_for(Session, "after_soft_rollback")
def _forget_vacuum(session: Session, previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_VACUUM, None)


def vacuum_ballot_choices(engine: sa.Engine, attempts: int = 3) -> bool:
    """PostgreSQL: rewrite ``ballot_choice`` so deleted row versions (which carry the casting
    transactions' ids) leave the table file. Best effort, a few short tries for the lock (an
    autovacuum or a cast of another conference may hold it); True when it ran."""
    table = BallotChoice.__table__.name
    for attempt in range(1, attempts + 1):
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("SET lock_timeout = '2s'"))
                try:
                    connection.execute(sa.text(f"VACUUM FULL {table}"))
                finally:
                    connection.execute(sa.text("RESET lock_timeout"))
            return True
        except sa.exc.SQLAlchemyError as error:
            log.warning(
                "could not rewrite %s after closing a secret poll (try %d of %d): %s",
                table,
                attempt,
                attempts,
                type(getattr(error, "orig", error)).__name__,
            )
    return False
