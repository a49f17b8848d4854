"""Casting a ballot: entitlement, idempotency and receipts, one transaction per cast."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db
from resolutions.models import (
    BallotKind,
    Choice,
    Participant,
    Poll,
    PollEntitlement,
    PollState,
    VoteRecord,
)
from resolutions.voting import notify
from resolutions.voting.service.results import participant_names
from resolutions.voting.service.secrecy import put_in_box


@dataclass(frozen=True)
class Receipt:
    """What the voter is shown after casting: a random code and whom it recorded."""

    receipt: str
    recorded: list[int]
    already_recorded: bool


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
    return ", ".join(
        sorted(name for name in participant_names(participant_ids, conference_id) if name)
    )


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
        raise DomainError(_("Choose yes, no or abstain.")) from error
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
        raise DomainError(_("The ballot could not be recorded; please try again."))
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
    # One round trip: the poll, locked FOR KEY SHARE as ``_lock_poll`` does for a cast (the
    # close's FOR UPDATE waits for this transaction), with the targets' entitlements and their
    # votes already recorded.
    rows = db.session.execute(
        sa.select(Poll, PollEntitlement, VoteRecord)
        .outerjoin(
            PollEntitlement,
            sa.and_(
                PollEntitlement.poll_id == Poll.id, PollEntitlement.participant_id.in_(targets)
            ),
        )
        .outerjoin(
            VoteRecord,
            sa.and_(
                VoteRecord.poll_id == PollEntitlement.poll_id,
                VoteRecord.participant_id == PollEntitlement.participant_id,
            ),
        )
        .where(Poll.id == poll_id)
        .with_for_update(read=True, key_share=True, of=Poll)
        .execution_options(populate_existing=True)
    ).all()
    poll = rows[0][0] if rows else None
    if poll is None or poll.conference_id != conference_id:
        raise PermissionDenied(_("This poll does not belong to your conference."))
    if poll.state != PollState.OPEN:
        if poll.state == PollState.CREATED:
            raise DomainError(_("This poll is not open yet."))
        raise DomainError(_("This poll is closed: ballots are no longer accepted."))
    found = [(e, r) for _poll, e, r in rows if e is not None]
    entitlements = {e.participant_id: e for e, _record in found}
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
    # Every target is entitled here: a recorded vote has an entitlement.
    existing = {r.participant_id: r for _e, r in found if r is not None}
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
        put_in_box(poll_id, choice, sum(entitlements[t].weight for t in targets))
    # SQLite: now that we hold the write lock, make sure no close slipped in before it.
    # (PostgreSQL: the poll row's FOR KEY SHARE lock keeps the close out until we commit.)
    if (
        db.session.get_bind().dialect.name != "postgresql"
        and db.session.scalar(sa.select(Poll.state).where(Poll.id == poll_id)) != PollState.OPEN
    ):
        raise DomainError(_("This poll is closed: ballots are no longer accepted."))
    notify.touch(conference_id, "turnout")
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
        notify.touch(poll.conference_id, "turnout")
        return Receipt(receipt=receipt, recorded=targets, already_recorded=False)
    names = _names(list(existing), poll.conference_id)
    if named:
        raise DomainError(
            _(
                "A different ballot is already recorded for %(names)s in this poll; "
                "it cannot be changed. Nothing new was recorded.",
                names=names,
            )
        )
    raise DomainError(
        _(
            "A ballot is already recorded for %(names)s in this secret poll; the first ballot "
            "stands. Nothing new was recorded.",
            names=names,
        )
    )
