"""Participants: adding, editing and removing them, the paged list, the summary and filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from resolutions import audit
from resolutions.auth.service import end_invitations
from resolutions.conferences.csv_import import MAX_WEIGHT
from resolutions.conferences.search import folded
from resolutions.conferences.service._common import (
    VOTING_ROLES,
    _audit_value,
    _ensure_not_closed,
)
from resolutions.conferences.service.conferences import find_or_create_user
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    Conference,
    Participant,
    PollEntitlement,
    Proxy,
    Role,
    User,
    VoteRecord,
)
from resolutions.rules.accounts import normalise_email

# --- participants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantFields:
    """A participant's part in the conference, as the secretariat sets it."""

    role: Role
    organisation: str = ""
    country: str = ""
    delegation: str = ""
    voting_right: bool = False
    weight: int = 1


def _check_fields(values: ParticipantFields) -> ParticipantFields:
    if not 1 <= values.weight <= MAX_WEIGHT:
        raise DomainError(
            _("The weight must be a whole number from 1 to %(max)s.", max=MAX_WEIGHT),
            field="weight",
        )
    if values.voting_right and values.role not in VOTING_ROLES:
        raise DomainError(
            _("Only delegates and the chair can have a voting right."), field="voting_right"
        )
    return ParticipantFields(
        role=values.role,
        organisation=values.organisation.strip(),
        country=values.country.strip(),
        delegation=values.delegation.strip(),
        voting_right=values.voting_right,
        weight=values.weight,
    )


def _secretariat_ids(conference: Conference) -> list[int]:
    # Locked on PostgreSQL, so that two secretariat members cannot demote each other at once.
    return list(
        db.session.scalars(
            sa.select(Participant.id)
            .where(
                Participant.conference_id == conference.id,
                Participant.role == Role.SECRETARIAT,
            )
            .with_for_update()
        )
    )


def _ensure_not_last_secretariat(conference: Conference, participant: Participant) -> None:
    if participant.role == Role.SECRETARIAT and _secretariat_ids(conference) == [participant.id]:
        raise DomainError(
            _(
                "%(name)s is the only secretariat member. Name another secretariat member first.",
                name=participant.user.name,
            ),
            field="role",
        )


def add_participant(
    conference: Conference, *, name: str, email: str, values: ParticipantFields, actor: Participant
) -> Participant:
    """Add a person to the conference; an existing account with that e-mail is reused."""
    _ensure_not_closed(conference)
    values = _check_fields(values)
    if not name.strip():
        raise DomainError(_("Enter a name."), field="name")
    email = normalise_email(email)
    user = find_or_create_user(email, name)
    taken = db.session.scalar(
        sa.select(Participant.id).where(
            Participant.conference_id == conference.id, Participant.user_id == user.id
        )
    )
    if taken is not None:
        raise DomainError(
            _("%(email)s is already a participant of this conference.", email=email),
            field="email",
        )
    participant = Participant(conference_id=conference.id, user_id=user.id, **vars(values))
    db.session.add(participant)
    # An invitation given out before belonged to the account's other conferences only: its
    # issuer must not keep a way into this one.
    end_invitations(user)
    db.session.flush()
    audit.record(
        "participant.added",
        actor=actor.user,
        conference_id=conference.id,
        obj=participant,
        details={"user": email, **{k: _audit_value(v) for k, v in vars(values).items()}},
    )
    return participant


def name_is_editable(participant: Participant) -> bool:
    """The secretariat may correct a name only on an account used in this conference alone.

    A person's account is theirs across conferences: another conference's secretariat must not
    rename a chair elsewhere, nor the site administrator.
    """
    user = participant.user
    if user.is_admin:
        return False
    others = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participant)
        .where(Participant.user_id == user.id, Participant.id != participant.id)
    )
    return others == 0


def update_participant(
    conference: Conference,
    participant: Participant,
    *,
    values: ParticipantFields,
    name: str | None,
    actor: Participant,
) -> dict[str, list[Any]]:
    """Change role, delegation, voting right, weight (and the name, where allowed).

    The last secretariat member cannot be demoted. Returns the audited changes.
    """
    _ensure_not_closed(conference)
    values = _check_fields(values)
    if values.role != Role.SECRETARIAT:
        _ensure_not_last_secretariat(conference, participant)
    changes: dict[str, list[Any]] = {}
    for attr, value in vars(values).items():
        old = getattr(participant, attr)
        if old != value:
            changes[attr] = [_audit_value(old), _audit_value(value)]
            setattr(participant, attr, value)
    if name is not None and name.strip() and name.strip() != participant.user.name:
        if not name_is_editable(participant):
            raise DomainError(
                _("This person's account is also used elsewhere; only they can change the name."),
                field="name",
            )
        changes["name"] = [participant.user.name, name.strip()]
        participant.user.name = name.strip()
    if changes:
        audit.record(
            "participant.changed",
            actor=actor.user,
            conference_id=conference.id,
            obj=participant,
            details={"user": participant.user.email, "changed": changes},
        )
    db.session.flush()
    return changes


def has_taken_part(participant: Participant) -> bool:
    """Whether amendments, co-sponsorships, polls or proxies refer to the participant."""
    pid = participant.id
    return bool(
        db.session.scalar(
            sa.select(
                sa.or_(
                    sa.exists().where(Amendment.proposer_id == pid),
                    sa.exists().where(AmendmentSponsor.participant_id == pid),
                    sa.exists().where(
                        sa.or_(
                            PollEntitlement.participant_id == pid,
                            PollEntitlement.holder_id == pid,
                        )
                    ),
                    sa.exists().where(
                        sa.or_(VoteRecord.participant_id == pid, VoteRecord.cast_by_id == pid)
                    ),
                    sa.exists().where(sa.or_(Proxy.principal_id == pid, Proxy.holder_id == pid)),
                )
            )
        )
    )


def remove_participant(
    conference: Conference, participant: Participant, actor: Participant
) -> None:
    """Take a person out of the conference (their account stays). Flushes.

    Refused for the last secretariat member, and for anyone who has already taken part: the
    amendments they proposed and the polls they were entitled to must keep their author.
    """
    _ensure_not_closed(conference)
    _ensure_not_last_secretariat(conference, participant)
    if has_taken_part(participant):
        raise DomainError(
            _(
                "%(name)s has already taken part (amendments, co-sponsorships, polls or "
                "proxies), so the record must stay. Remove the voting right or make them an "
                "observer instead.",
                name=participant.user.name,
            )
        )
    audit.record(
        "participant.removed",
        actor=actor.user,
        conference_id=conference.id,
        obj=participant,
        details={"user": participant.user.email, "role": participant.role.value},
    )
    db.session.delete(participant)
    db.session.flush()


@dataclass(frozen=True)
class ParticipantQuery:
    text: str = ""
    role: Role | None = None
    country: str = ""
    delegation: str = ""
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class ParticipantPage:
    items: list[Participant]
    total: int
    page: int
    pages: int


def list_participants(conference: Conference, query: ParticipantQuery) -> ParticipantPage:
    """One page of the participants matching the query, each with its user (one query)."""
    conditions: list[Any] = [Participant.conference_id == conference.id]
    text = query.text.strip().lower()
    if text:
        conditions.append(
            sa.or_(
                folded(User.name).contains(text, autoescape=True),
                folded(User.email).contains(text, autoescape=True),
                folded(Participant.organisation).contains(text, autoescape=True),
            )
        )
    if query.role is not None:
        conditions.append(Participant.role == query.role)
    if query.country:
        conditions.append(Participant.country == query.country)
    if query.delegation:
        conditions.append(Participant.delegation == query.delegation)
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Participant)
        .join(User, Participant.user_id == User.id)
        .where(*conditions)
    )
    pages = max(1, -(-(total or 0) // query.per_page))
    page = min(max(1, query.page), pages)
    items = db.session.scalars(
        sa.select(Participant)
        .join(Participant.user)
        .options(contains_eager(Participant.user))
        .where(*conditions)
        .order_by(folded(User.name), Participant.id)
        .offset((page - 1) * query.per_page)
        .limit(query.per_page)
    )
    return ParticipantPage(items=list(items), total=total or 0, page=page, pages=pages)


@dataclass(frozen=True)
class ParticipantSummary:
    by_role: dict[Role, int]
    total: int
    present: int
    voters: int
    voting_weight: int


def participant_summary(conference: Conference) -> ParticipantSummary:
    """Counts for the list's header, in one grouped query."""
    rows = db.session.execute(
        sa.select(
            Participant.role,
            sa.func.count(),
            sa.func.sum(sa.case((Participant.present, 1), else_=0)),
            sa.func.sum(sa.case((Participant.voting_right, 1), else_=0)),
            sa.func.sum(sa.case((Participant.voting_right, Participant.weight), else_=0)),
        )
        .where(Participant.conference_id == conference.id)
        .group_by(Participant.role)
    ).all()
    by_role = {role: 0 for role in Role}
    for role, count, *_rest in rows:
        by_role[Role(role)] = count
    return ParticipantSummary(
        by_role=by_role,
        total=sum(r[1] for r in rows),
        present=sum(int(r[2] or 0) for r in rows),
        voters=sum(int(r[3] or 0) for r in rows),
        voting_weight=sum(int(r[4] or 0) for r in rows),
    )


def filter_choices(conference: Conference) -> tuple[list[str], list[str]]:
    """The countries and delegations that occur in the conference, for the list's filters."""

    def distinct(column: Any) -> list[str]:
        return list(
            db.session.scalars(
                sa.select(column)
                .where(Participant.conference_id == conference.id, column != "")
                .distinct()
                .order_by(column)
            )
        )

    return distinct(Participant.country), distinct(Participant.delegation)
