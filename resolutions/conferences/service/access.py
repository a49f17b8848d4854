"""Access: invitation links, generated passwords, access cards."""

from __future__ import annotations

import secrets
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import contains_eager

from resolutions import audit
from resolutions.auth.service import (
    create_invitation,
    end_invitations,
    hash_password,
    managed_conference_ids,
    may_issue_credentials,
)
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import Conference, Participant, User

# --- access: invitation links, generated passwords, access cards ----------------------------

# No 0/o, 1/l/i: the password is read from paper. S105: an alphabet, not a password.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105


def new_one_time_password() -> str:
    """Three groups of four easily read characters, e.g. ``k7mq-3vha-x9pe`` (about 59 bits)."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def access_can_be_reset(participant: Participant, actor: Participant) -> bool:
    """Whether ``actor`` may hand out an invitation or a one-time password for this person:
    only if ``actor`` is in the secretariat of every conference the account belongs to."""
    return may_issue_credentials(participant.user, managed_conference_ids(actor.user))


def card_signs_in(participant: Participant) -> bool:
    """Whether the participant's access card may set the account's first password.

    The card speaks for its own conference only: an account used in any other conference (or
    a site administrator's) keeps its own credentials, and the card does not sign it in.
    """
    return may_issue_credentials(participant.user, {participant.conference_id})


def _ensure_access_can_be_reset(participant: Participant, actor: Participant) -> None:
    if not access_can_be_reset(participant, actor):
        raise DomainError(
            _(
                "The account of %(name)s is also used in conferences you do not manage, so "
                "%(name)s keeps their own credentials: no invitation or one-time password can "
                "be given here.",
                name=participant.user.name,
            )
        )


def create_access_invitation(
    conference: Conference, participant: Participant, actor: Participant, days: int
) -> str:
    """A one-time link token that lets the participant set a password (shown once)."""
    return _issue_access(conference, participant, actor, days, "participant.invitation_created")


def _issue_access(
    conference: Conference,
    participant: Participant,
    actor: Participant,
    days: int,
    action: str,
    token: str | None = None,
) -> str:
    _ensure_access_can_be_reset(participant, actor)
    token = create_invitation(participant.user, days=days, token=token)
    audit.record(
        action,
        actor=actor.user,
        conference_id=conference.id,
        obj=participant,
        details={"user": participant.user.email, "days": days},
    )
    return token


def generate_password(
    conference: Conference, participant: Participant, actor: Participant, days: int
) -> str:
    """A one-time password for the participant's first sign-in (shown once, stored hashed).

    It is an invitation in disguise: signing in with it leads to choosing one's own password,
    and it works once, for ``days`` days. It replaces any unused invitation of the person; a
    password they already have keeps working.
    """
    return _issue_access(
        conference,
        participant,
        actor,
        days,
        "participant.password_generated",
        token=new_one_time_password(),
    )


def find_card(card_token: str) -> Participant | None:
    return db.session.scalar(
        sa.select(Participant)
        .join(Participant.user)
        .options(contains_eager(Participant.user))
        .where(Participant.card_token == card_token)
    )


def set_password_from_card(participant: Participant, password: str) -> bool:
    """Set the first password of the card holder's account. False if it already has one, or
    if the card may not set it (``card_signs_in``).

    The card works like an invitation until the account has a password; the conditional
    update makes sure that two people scanning the same card cannot both set one.
    """
    if not card_signs_in(participant):
        return False
    # An UPDATE's result is a CursorResult (Session.execute is typed for any statement).
    changed = cast(
        CursorResult[Any],
        db.session.execute(
            sa.update(User)
            .where(User.id == participant.user_id, User.password_hash.is_(None))
            .values(password_hash=hash_password(password), session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        ),
    )
    if changed.rowcount != 1:
        return False
    db.session.expire(participant.user)
    end_invitations(participant.user)
    audit.record(
        "participant.password_set_from_card",
        actor=participant.user,
        conference_id=participant.conference_id,
        obj=participant,
        details={"user": participant.user.email},
    )
    db.session.flush()
    return True
