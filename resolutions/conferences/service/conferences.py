"""Conferences themselves: whose they are, creating, archiving and deleting them, the
secretariat's members.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from resolutions import audit
from resolutions.auth.service import end_invitations
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    Clause,
    ClauseVersion,
    Conference,
    Participant,
    Poll,
    Proxy,
    Resolution,
    Role,
    User,
    utcnow,
)
from resolutions.rules.accounts import normalise_email


def find_conference(conference_id: int) -> Conference | None:
    """The conference by id, for the site administrator's pages (no membership needed)."""
    return db.session.get(Conference, conference_id)


def conferences_of(user: User) -> list[tuple[Conference, Participant]]:
    rows = db.session.execute(
        sa.select(Conference, Participant)
        .join(Participant, Participant.conference_id == Conference.id)
        .where(Participant.user_id == user.id)
        .order_by(Conference.start_date.desc(), Conference.id.desc())
    )
    return [(c, p) for c, p in rows]


def membership(conference: Conference, user: User) -> Participant | None:
    """The user's participation in the conference, if any."""
    return db.session.scalar(
        sa.select(Participant).where(
            Participant.conference_id == conference.id, Participant.user_id == user.id
        )
    )


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
    end_invitations(user)  # as in add_participant
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


def admin_conferences(archived: bool = False) -> list[Conference]:
    """The site administrator's list: current conferences, or the archived ones."""
    condition = (
        Conference.archived_at.is_not(None) if archived else Conference.archived_at.is_(None)
    )
    return list(
        db.session.scalars(
            sa.select(Conference)
            .where(condition)
            .order_by(Conference.start_date.desc(), Conference.id.desc())
        )
    )


def set_archived(conference: Conference, archived: bool, actor: User) -> None:
    """Archive (read-only, out of the lists) or bring back a conference. Flushes."""
    if conference.is_archived == archived:
        return
    conference.archived_at = utcnow() if archived else None
    audit.record(
        "conference.archived" if archived else "conference.unarchived",
        actor=actor,
        conference_id=conference.id,
        obj=conference,
        details={"title": conference.title},
    )
    db.session.flush()


def has_polls(conference: Conference) -> bool:
    return bool(
        db.session.scalar(sa.select(sa.exists().where(Poll.conference_id == conference.id)))
    )


def delete_conference(conference: Conference, actor: User) -> None:
    """Delete a conference that has not voted yet, with everything in it. Flushes.

    A conference with polls is a record (ballots, results, the adopted text): it can be archived,
    never deleted. The audit log keeps the conference's entries and gains one for the deletion,
    so the hash chain stays whole. Accounts stay: people may take part elsewhere.
    """
    if has_polls(conference):
        raise DomainError(
            _(
                "%(title)s has held votes, so it is a record and cannot be deleted. Archive it "
                "instead.",
                title=conference.title,
            )
        )
    audit.record(
        "conference.deleted",
        actor=actor,
        conference_id=conference.id,
        obj=conference,
        details={
            "title": conference.title,
            "short_name": conference.short_name,
            "place": conference.place,
            "start_date": conference.start_date.isoformat(),
            "count": db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Participant)
                .where(Participant.conference_id == conference.id)
            ),
        },
    )
    resolution_ids = sa.select(Resolution.id).where(Resolution.conference_id == conference.id)
    clause_ids = sa.select(Clause.id).where(Clause.resolution_id.in_(resolution_ids))
    amendment_ids = sa.select(Amendment.id).where(Amendment.resolution_id.in_(resolution_ids))
    # Children first, and the links between amendments and clauses cut before either goes:
    # not every foreign key cascades, and SQLite does not enforce them while PostgreSQL does.
    db.session.execute(
        sa.update(Amendment)
        .where(Amendment.id.in_(amendment_ids))
        .values(obsoleted_by_id=None, applied_clause_id=None)
        .execution_options(synchronize_session=False)
    )
    for statement in (
        sa.delete(ClauseVersion).where(ClauseVersion.clause_id.in_(clause_ids)),
        sa.delete(AmendmentSponsor).where(AmendmentSponsor.amendment_id.in_(amendment_ids)),
        sa.delete(Amendment).where(Amendment.id.in_(amendment_ids)),
        sa.update(Clause).where(Clause.id.in_(clause_ids)).values(parent_id=None),
        sa.delete(Clause).where(Clause.id.in_(clause_ids)),
        sa.delete(Resolution).where(Resolution.conference_id == conference.id),
        sa.delete(Proxy).where(Proxy.conference_id == conference.id),
        sa.delete(Participant).where(Participant.conference_id == conference.id),
        sa.delete(Conference).where(Conference.id == conference.id),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expunge(conference)
    db.session.flush()


def secretariat_members(conference: Conference) -> list[Participant]:
    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(
                Participant.conference_id == conference.id,
                Participant.role == Role.SECRETARIAT,
            )
            .order_by(Participant.id)
        )
    )
