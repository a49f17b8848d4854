"""Conferences and their participants: the rules and transactions, no HTTP."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from resolutions import audit
from resolutions.auth.service import normalise_email
from resolutions.extensions import db
from resolutions.models import Conference, Participant, Role, User, utcnow


def conferences_of(user: User) -> list[tuple[Conference, Participant]]:
    rows = db.session.execute(
        sa.select(Conference, Participant)
        .join(Participant, Participant.conference_id == Conference.id)
        .where(Participant.user_id == user.id)
        .order_by(Conference.start_date.desc(), Conference.id.desc())
    )
    return [(c, p) for c, p in rows]


def find_or_create_user(email: str, name: str) -> User:
    """The account for ``email``, created (without a password) if it does not exist. Flushes."""
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name.strip())
        db.session.add(user)
        db.session.flush()
    return user


def create_conference(
    *,
    actor: User,
    title: str,
    short_name: str,
    place: str,
    start_date: date,
    end_date: date | None,
    language: str,
    secretariat_email: str,
    secretariat_name: str,
) -> Conference:
    """Create a conference and name its first secretariat member. Flushes; the caller commits."""
    conference = Conference(
        title=title.strip(),
        short_name=short_name.strip(),
        place=place.strip(),
        start_date=start_date,
        end_date=end_date,
        language=language,
    )
    db.session.add(conference)
    db.session.flush()
    user = find_or_create_user(secretariat_email, secretariat_name)
    member = Participant(conference_id=conference.id, user_id=user.id, role=Role.SECRETARIAT)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "conference.created",
        actor=actor,
        conference_id=conference.id,
        obj=conference,
        details={"title": conference.title},
    )
    audit.record(
        "participant.added",
        actor=actor,
        conference_id=conference.id,
        obj=member,
        details={"user": user.email, "role": member.role.value},
    )
    return conference


def set_presence(
    conference: Conference, participant: Participant, present: bool, actor: User
) -> None:
    """Mark ``participant`` present (checked in now) or absent, with an audit entry. Flushes.

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
        actor=actor,
        conference_id=conference.id,
        obj=participant,
        details={"user": participant.user.email},
    )
    db.session.flush()
