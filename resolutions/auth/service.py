"""Accounts: passwords, invitations.

Like every service module: plain arguments in, changes flushed, never committed. The view or
CLI command that calls it commits once, so one request is one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import CursorResult

from resolutions import audit
from resolutions.concurrency import off_loop, release_idle_connection
from resolutions.extensions import db
from resolutions.models import Conference, LoginToken, Participant, Role, TokenPurpose, User, utcnow
from resolutions.rules.accounts import normalise_email

# OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1): about 20 ms of CPU per hash or
# check on this machine, against 160 ms for argon2-cffi's default (64 MiB, t = 3, p = 4), so a
# hall's sign-ins do not queue on the two cores; still off the gevent loop (``_argon2``).
# Hashes made with other parameters are redone at the next sign-in (``authenticate``).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when the e-mail is unknown, so that the answer takes as long as for a real account.
_DUMMY_HASH = _hasher.hash("not-a-password")

T = TypeVar("T")
MIN_PASSWORD_LENGTH = 10


def _argon2(function: Callable[..., T], *args: str) -> T:
    """An argon2 call (20 ms of CPU): off the gevent loop, and without holding a
    database connection the transaction does not need yet (``concurrency``)."""
    release_idle_connection()
    return off_loop(function, *args)


def hash_password(password: str) -> str:
    return _argon2(_hasher.hash, password)


def authenticate(email: str, password: str) -> User | None:
    """The user if the password matches, else None. Upgrades an outdated hash in place."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    try:
        _argon2(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # committed with the sign-in request
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user`` on the server: a session cookie, even a copied one,
    carries the session version (``User.get_id``), and the user loader accepts only the
    current one."""
    user.session_version += 1


def set_password(user: User, password: str) -> None:
    """Set a new password and end the user's other sessions."""
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record("user.password_changed", actor=user, obj=user)


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _argon2(_hasher.verify, user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def managed_conference_ids(actor: User) -> set[int]:
    """The conferences whose secretariat ``actor`` belongs to.

    A site administrator acts as the secretariat of every conference they are not a member of
    (``resolutions.auth.access.seat_of``), so those count as managed too.
    """
    memberships = db.session.execute(
        sa.select(Participant.conference_id, Participant.role).where(
            Participant.user_id == actor.id
        )
    ).all()
    managed = {cid for cid, role in memberships if role == Role.SECRETARIAT}
    if actor.is_admin:
        member_of = {cid for cid, _ in memberships}
        managed |= set(db.session.scalars(sa.select(Conference.id))) - member_of
    return managed


def may_issue_credentials(user: User, managed: Collection[int]) -> bool:
    """Whether whoever manages the conferences ``managed`` may give ``user`` a way in.

    The one rule for every way in that someone else hands out: an invitation link, a one-time
    password, an access card that sets the first password. Only for an account whose every
    membership is in those conferences, and never for a site administrator: otherwise the
    secretariat of one conference could take over an account that matters in another.
    Everyone else keeps their own credentials.
    """
    if user.is_admin:
        return False
    memberships = db.session.scalars(
        sa.select(Participant.conference_id).where(Participant.user_id == user.id)
    )
    return set(memberships) <= set(managed)


def end_invitations(user: User) -> None:
    """Make every unused invitation (or one-time password) of ``user`` stop working."""
    end_invitations_of([user.id])


def end_invitations_of(user_ids: Collection[int]) -> None:
    """``end_invitations`` for many accounts at once."""
    ids = list(user_ids)
    for start in range(0, len(ids), 500):  # within every database's limit of bound values
        db.session.execute(
            sa.update(LoginToken)
            .where(LoginToken.user_id.in_(ids[start : start + 500]), LoginToken.used_at.is_(None))
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def create_invitation(user: User, days: int, token: str | None = None) -> str:
    """A one-time link token that lets ``user`` set a password. Flushes; the caller commits.

    Older unused invitations of the same user stop working. ``token`` may be given: a short
    one-time password read from paper is an invitation too (see ``find_one_time_password``).
    """
    now = utcnow()
    end_invitations(user)
    token = token or secrets.token_urlsafe(32)
    db.session.add(
        LoginToken(
            user_id=user.id,
            purpose=TokenPurpose.INVITATION,
            token_hash=_token_hash(token),
            expires_at=now + timedelta(days=days),
        )
    )
    db.session.flush()
    return token


def find_invitation(token: str) -> LoginToken | None:
    """The unused, unexpired invitation for ``token``, or None."""
    invitation = db.session.scalar(
        sa.select(LoginToken).where(LoginToken.token_hash == _token_hash(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def invitation_for(token: str) -> LoginToken | None:
    """The invitation stored for ``token``, whatever its state (for recording its delivery)."""
    return db.session.scalar(
        sa.select(LoginToken).where(LoginToken.token_hash == _token_hash(token))
    )


def mark_invitation_sent(token: str) -> None:
    """Record that the mail carrying ``token`` was accepted by the mail server. Flushes."""
    db.session.execute(
        sa.update(LoginToken)
        .where(LoginToken.token_hash == _token_hash(token), LoginToken.sent_at.is_(None))
        .values(sent_at=utcnow())
    )


def mark_invitation_opened(invitation: LoginToken) -> None:
    """Record the first time the invitation's link was followed. Flushes."""
    if invitation.opened_at is None:
        invitation.opened_at = utcnow()
        db.session.flush()


def find_one_time_password(email: str, code: str) -> LoginToken | None:
    """The unused invitation of the account ``email`` whose token is ``code``, or None.

    A generated one-time password is stored like an invitation (only its hash): signing in
    with it leads to the invitation page, where the person chooses their own password.
    """
    invitation = find_invitation(code.strip())
    if invitation is None or invitation.user.email != normalise_email(email):
        return None
    return invitation


def redeem_invitation(token: str, password: str) -> User | None:
    """Set the password through an invitation; the link works once. None if it is not valid."""
    invitation = find_invitation(token)
    if invitation is None:
        return None
    # Consumed with a conditional update so that two simultaneous clicks cannot both succeed.
    # An UPDATE's result is a CursorResult (Session.execute is typed for any statement).
    consumed = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(LoginToken)
            .where(LoginToken.id == invitation.id, LoginToken.used_at.is_(None))
            .values(used_at=utcnow())
        ),
    )
    if consumed.rowcount != 1:
        return None
    user = invitation.user
    user.password_hash = hash_password(password)
    end_sessions(user)
    audit.record("user.invitation_redeemed", actor=user, obj=user)
    db.session.flush()
    return user
