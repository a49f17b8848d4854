"""Attendance and proxies: who is in the room, and who votes for whom.

Functions flush and never commit; the view commits once.

Proxies follow DESIGN.md: a delegate with a voting right gives their vote to another present
delegate of the conference for one conference day; a holder holds at most
``conference.proxy_limit`` proxies (0 switches proxies off); a delegate who holds proxies
cannot give their own vote away and a delegate who gave theirs away cannot hold any, so votes
never travel in chains. A proxy is "live" on the day it was given (UTC) until it is revoked;
while it is live and its holder is present, the holder casts the principal's vote, even if the
principal is in the room (the principal revokes it to vote in person). Proxies cannot change
while a poll is open, because the poll's entitled list was frozen when it opened.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from resolutions import audit
from resolutions.conferences.search import folded
from resolutions.errors import DomainError, PermissionDenied
from resolutions.extensions import db
from resolutions.models import (
    Conference,
    Participant,
    Poll,
    PollState,
    Proxy,
    Role,
    User,
    utcnow,
)
from resolutions.rules.roles import has_role
from resolutions.voting import notify

__all__ = [
    "PermissionDenied",
    "attendance_list",
    "close_roll_call",
    "give_proxy",
    "live_proxy_clause",
    "open_roll_call",
    "present_weight",
    "proxies_held",
    "proxy_candidates",
    "proxy_given",
    "revoke_proxy",
    "self_check_in",
    "set_presence",
    "today",
]


def today() -> date:
    """The conference day proxies are given for (UTC, like every stored timestamp)."""
    return utcnow().date()


def live_proxy_clause() -> sa.ColumnElement[bool]:
    """SQL condition: the proxy was given today and has not been revoked."""
    return sa.and_(Proxy.revoked_at.is_(None), Proxy.day == today())


def present_weight(conference: Conference) -> tuple[int, int]:
    """(present voting weight, total voting weight) of the conference, in one query.

    A participant with a voting right counts as present when they are in the room or when the
    holder of their live proxy is (the holder will cast their vote); each counts once.
    """
    holder = aliased(Participant)
    represented = (
        sa.select(Proxy.id)
        .join(holder, holder.id == Proxy.holder_id)
        .where(
            Proxy.principal_id == Participant.id,
            live_proxy_clause(),
            holder.present.is_(True),
            holder.voting_right.is_(True),
        )
        .exists()
    )
    counted = sa.or_(Participant.present.is_(True), represented)
    present, total = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((counted, Participant.weight), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(Participant.weight), 0),
        ).where(Participant.conference_id == conference.id, Participant.voting_right.is_(True))
    ).one()
    return int(present), int(total)


# --- roll call -------------------------------------------------------------------------------


def _require_chair_or_secretariat(conference: Conference, actor: Participant) -> None:
    if actor.conference_id != conference.id or not has_role(actor, Role.CHAIR, Role.SECRETARIAT):
        raise PermissionDenied(_("Only the chair or the secretariat may run the roll call."))


def _require_not_closed(conference: Conference) -> None:
    if conference.is_closed:
        raise DomainError(_("The conference is closed."))


def open_roll_call(conference: Conference, actor: Participant) -> None:
    """Let delegates check themselves in until the roll call is closed. Flushes."""
    _require_chair_or_secretariat(conference, actor)
    _require_not_closed(conference)
    if conference.roll_call_open:
        return
    conference.roll_call_open = True
    audit.record("roll_call.opened", actor=actor.user, conference_id=conference.id, obj=conference)
    notify.touch(conference.id)
    db.session.flush()


def close_roll_call(conference: Conference, actor: Participant) -> None:
    """End self check-in (presence stays as it is). Flushes."""
    _require_chair_or_secretariat(conference, actor)
    if not conference.roll_call_open:
        return
    conference.roll_call_open = False
    present, total = present_weight(conference)
    audit.record(
        "roll_call.closed",
        actor=actor.user,
        conference_id=conference.id,
        obj=conference,
        details={"present_weight": present, "total_weight": total},
    )
    notify.touch(conference.id)
    db.session.flush()


def set_presence(
    conference: Conference, participant: Participant, present: bool, actor: Participant
) -> None:
    """Mark ``participant`` present (checked in now) or absent, with an audit entry, and tell
    the conference's live pages. Flushes. The one presence path: the chair's attendance list,
    the access-card check-in and self check-in all come here.

    Setting the state a participant already has changes nothing and records nothing.
    """
    if participant.conference_id != conference.id:
        raise ValueError("participant of another conference")
    if participant.present == present:
        return
    participant.present = present
    participant.checked_in_at = utcnow() if present else None
    audit.record(
        "participant.checked_in" if present else "participant.checked_out",
        actor=actor.user,
        conference_id=conference.id,
        obj=participant,
        details={"user": participant.user.email},
    )
    notify.touch(conference.id)
    db.session.flush()


def self_check_in(conference: Conference, participant: Participant) -> None:
    """A delegate marks themself present, only while the roll call is open. Flushes."""
    if participant.conference_id != conference.id or not has_role(participant, Role.DELEGATE):
        raise PermissionDenied(_("Only delegates of this conference check themselves in."))
    _require_not_closed(conference)
    if not conference.roll_call_open:
        raise DomainError(
            _("The roll call is not open: ask the chair or the secretariat to check you in.")
        )
    if participant.present:
        return
    set_presence(conference, participant, True, participant)


# --- proxies ---------------------------------------------------------------------------------


def proxy_given(principal: Participant) -> Proxy | None:
    """The principal's live proxy (given today, not revoked), if any."""
    return db.session.scalar(
        sa.select(Proxy)
        .options(selectinload(Proxy.holder).selectinload(Participant.user))
        .where(Proxy.principal_id == principal.id, live_proxy_clause())
    )


def proxies_held(holder: Participant) -> list[Proxy]:
    """The live proxies the holder holds, principals loaded, by principal's name."""
    proxies = db.session.scalars(
        sa.select(Proxy)
        .options(selectinload(Proxy.principal).selectinload(Participant.user))
        .where(Proxy.holder_id == holder.id, live_proxy_clause())
    ).all()
    return sorted(proxies, key=lambda p: (p.principal.name.casefold(), p.principal_id))


def proxy_candidates(principal: Participant) -> list[Participant]:
    """Present delegates (and the chair) with voting right, other than ``principal``, by name."""
    return list(
        db.session.scalars(
            sa.select(Participant)
            .join(User, User.id == Participant.user_id)
            .options(selectinload(Participant.user))
            .where(
                Participant.conference_id == principal.conference_id,
                Participant.id != principal.id,
                Participant.present.is_(True),
                Participant.voting_right.is_(True),
                Participant.role.in_([Role.DELEGATE, Role.CHAIR]),
            )
            .order_by(User.name)
        )
    )


def attendance_list(conference: Conference, query: str = "") -> list[Participant]:
    """The conference's participants by name, those matching ``query`` when one is given
    (name, e-mail, delegation, country or organisation; case- and accent-blind)."""
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
    return list(db.session.scalars(statement))


def _poll_open(conference_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(Poll.id).where(
                Poll.conference_id == conference_id, Poll.state == PollState.OPEN
            )
        )
        is not None
    )


def _expire_old_proxies(principal: Participant) -> None:
    # Yesterday's proxies are dead; revoking them keeps "one live proxy per principal" (a
    # partial unique index on revoked_at IS NULL) free for today's.
    db.session.execute(
        sa.update(Proxy)
        .where(
            Proxy.principal_id == principal.id,
            Proxy.revoked_at.is_(None),
            Proxy.day != today(),
        )
        .values(revoked_at=utcnow())
    )


def give_proxy(principal: Participant, holder: Participant) -> Proxy:
    """The principal gives their vote to ``holder`` for today. Flushes.

    Refused with a clear message: proxies switched off, a poll open, no voting right on either
    side, the holder absent, to oneself, a second live proxy, a chain, the holder's limit.
    """
    conference = principal.conference
    _require_not_closed(conference)
    if holder.conference_id != principal.conference_id:
        raise PermissionDenied(_("You can only give your vote to a delegate of this conference."))
    if conference.proxy_limit == 0:
        raise DomainError(_("The rules of this conference do not allow proxies."))
    if not principal.voting_right:
        raise PermissionDenied(_("You have no voting right to give."))
    if holder.id == principal.id:
        raise DomainError(_("You cannot give your vote to yourself."))
    if not holder.voting_right or not has_role(holder, Role.DELEGATE):
        raise DomainError(
            _("%(name)s has no voting right and cannot hold a proxy.", name=holder.name)
        )
    if not holder.present:
        raise DomainError(
            _("%(name)s is not checked in: a proxy goes to a present delegate.", name=holder.name)
        )
    if _poll_open(conference.id):
        raise DomainError(_("A poll is open: proxies can change once it is closed."))
    _expire_old_proxies(principal)
    existing = proxy_given(principal)
    if existing is not None:
        raise DomainError(
            _(
                "You have already given your vote to %(name)s today; revoke that proxy first.",
                name=existing.holder.name,
            )
        )
    if proxies_held(principal):
        raise DomainError(
            _("You hold proxies for other delegates, so you cannot give your own vote away.")
        )
    if proxy_given(holder) is not None:
        raise DomainError(
            _("%(name)s has given their own vote away and cannot hold one.", name=holder.name)
        )
    held = len(proxies_held(holder))
    if held >= conference.proxy_limit:
        raise DomainError(
            _(
                "%(name)s already holds %(count)d proxies, the most the rules allow.",
                name=holder.name,
                count=held,
            )
        )
    proxy = Proxy(
        conference_id=conference.id,
        principal_id=principal.id,
        holder_id=holder.id,
        day=today(),
    )
    db.session.add(proxy)
    db.session.flush()
    audit.record(
        "proxy.given",
        actor=principal.user,
        conference_id=conference.id,
        obj=proxy,
        details={"principal": principal.user.email, "holder": holder.user.email},
    )
    notify.touch(conference.id)
    return proxy


def revoke_proxy(proxy: Proxy, actor: Participant) -> None:
    """End a live proxy: by its principal, its holder (declining it), the chair or the
    secretariat; not while a poll is open. Flushes."""
    if actor.conference_id != proxy.conference_id:
        raise PermissionDenied(_("This proxy belongs to another conference."))
    if actor.id not in (proxy.principal_id, proxy.holder_id) and not has_role(
        actor, Role.CHAIR, Role.SECRETARIAT
    ):
        raise PermissionDenied(_("Only the delegate who gave this proxy or its holder may end it."))
    if proxy.revoked_at is not None:
        return
    if _poll_open(proxy.conference_id):
        raise DomainError(_("A poll is open: proxies can change once it is closed."))
    proxy.revoked_at = utcnow()
    audit.record(
        "proxy.revoked",
        actor=actor.user,
        conference_id=proxy.conference_id,
        obj=proxy,
        details={"principal": proxy.principal.user.email, "holder": proxy.holder.user.email},
    )
    notify.touch(proxy.conference_id)
    db.session.flush()
