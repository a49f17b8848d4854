"""Conferences and their participants: the rules and transactions, no HTTP.

Every function takes plain arguments, checks the rules, changes rows, records an audit entry
and flushes; the view commits once. A refused change raises ``ConferenceError`` with a
message for the user (and the form field it belongs to, if any).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from resolutions import audit
from resolutions.auth.service import (
    create_invitation,
    end_invitations,
    end_invitations_of,
    hash_password,
    managed_conference_ids,
    may_issue_credentials,
    normalise_email,
)
from resolutions.conferences.csv_import import MAX_WEIGHT, ImportRow, RowError
from resolutions.conferences.search import folded
from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    AmendmentSponsor,
    BallotKind,
    Clause,
    ClauseVersion,
    Conference,
    ConferenceState,
    MajorityMethod,
    Participant,
    Poll,
    PollEntitlement,
    PollState,
    Proxy,
    Resolution,
    ResolutionState,
    Role,
    User,
    VoteRecord,
    utcnow,
)
from resolutions.models.conferences import new_card_token
from resolutions.voting.majority import format_quorum, parse_quorum

# Roles that may hold a voting right (the chair votes as a delegate).
VOTING_ROLES = frozenset({Role.CHAIR, Role.DELEGATE})


class ConferenceError(Exception):
    """A rule refused the change. ``message`` is translated; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
        raise ConferenceError(
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


def _ensure_not_closed(conference: Conference) -> None:
    if conference.is_closed:
        raise ConferenceError(_("The conference is closed: it can no longer be changed."))


# --- stages ----------------------------------------------------------------------------------

# preparation → drafting → sitting (stored as "voting") → closed; a stage is never left
# backwards, and closed is final: a closed conference is read-only except for its exports.
STAGES = (
    ConferenceState.PREPARATION,
    ConferenceState.DRAFTING,
    ConferenceState.VOTING,
    ConferenceState.CLOSED,
)


def sitting_started(conference: Conference) -> bool:
    return STAGES.index(conference.state) >= STAGES.index(ConferenceState.VOTING)


def all_resolutions_decided(conference: Conference) -> bool:
    """Every resolution of the conference is adopted or rejected (and there is one)."""
    states = db.session.scalars(
        sa.select(Resolution.state).where(Resolution.conference_id == conference.id)
    ).all()
    return bool(states) and all(state != ResolutionState.DRAFT for state in states)


def stage_offer(conference: Conference, me: Participant) -> ConferenceState | None:
    """The next stage the stage panel offers ``me`` (home page, chair's console): starting
    the sitting before it has started, closing once every resolution is decided."""
    if conference.is_closed or me.role not in (Role.CHAIR, Role.SECRETARIAT):
        return None
    if not sitting_started(conference):
        return ConferenceState.VOTING
    if all_resolutions_decided(conference):
        return ConferenceState.CLOSED
    return None


def move_stage(conference: Conference, stage: ConferenceState, actor: Participant) -> None:
    """The chair or the secretariat moves the conference on to ``stage`` (forward only):
    start the sitting, or close the conference (not while a poll is open). Audited as a
    change of the settings' stage. Flushes."""
    if actor.conference_id != conference.id or actor.role not in (Role.CHAIR, Role.SECRETARIAT):
        raise ConferenceError(_("Only the chair or the secretariat may change the stage."))
    _ensure_not_closed(conference)
    if STAGES.index(stage) <= STAGES.index(conference.state):
        raise ConferenceError(_("The conference is already at this stage or past it."))
    if stage == ConferenceState.CLOSED:
        open_polls = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Poll)
            .where(Poll.conference_id == conference.id, Poll.state == PollState.OPEN)
        )
        if open_polls:
            raise ConferenceError(_("A poll is open: close it before closing the conference."))
    old = conference.state
    conference.state = stage
    audit.record(
        "conference.settings_changed",
        actor=actor.user,
        conference_id=conference.id,
        obj=conference,
        details={"changed": {"state": [old.value, stage.value]}},
    )
    db.session.flush()


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConferenceSettings:
    """What the secretariat may set on the settings page."""

    title: str
    short_name: str
    place: str
    start_date: date
    end_date: date | None
    language: str
    timezone: str
    state: ConferenceState
    majority_method: MajorityMethod
    quorum: str
    ballot_kind: BallotKind
    amendment_deadline: datetime | None  # naive UTC
    proxy_limit: int


SETTINGS_FIELDS = tuple(f.name for f in fields(ConferenceSettings))


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA zone names the settings offer (those zoneinfo knows on this machine)."""
    return frozenset(zoneinfo.available_timezones())


def settings_of(conference: Conference) -> ConferenceSettings:
    """The conference's current settings, as ``update_settings`` takes them."""
    return ConferenceSettings(**{name: getattr(conference, name) for name in SETTINGS_FIELDS})


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return getattr(value, "value", value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _quorum(text: str) -> str:
    """The canonical form of a typed quorum; the poll form's grammar (``parse_quorum``)."""
    try:
        return format_quorum(parse_quorum(text))
    except ValueError as error:
        raise ConferenceError(str(error), field="quorum") from error


def update_settings(
    conference: Conference, new: ConferenceSettings, actor: User
) -> dict[str, list[Any]]:
    """Apply the settings; return {field: [old, new]} of what changed (audited). Flushes.

    A closed conference is final: nothing changes any more, its state included.
    """
    _ensure_not_closed(conference)
    if not new.title.strip():
        raise ConferenceError(_("Enter the title."), field="title")
    if not new.short_name.strip():
        raise ConferenceError(_("Enter a short name."), field="short_name")
    if new.end_date is not None and new.end_date < new.start_date:
        raise ConferenceError(_("The last day cannot be before the first day."), field="end_date")
    if new.language not in ("ru", "en"):
        raise ConferenceError(_("Choose Russian or English."), field="language")
    if new.timezone not in time_zone_names():
        raise ConferenceError(_("Choose a time zone from the list."), field="timezone")
    if not 0 <= new.proxy_limit <= 10:
        raise ConferenceError(
            _("A delegate may hold between 0 and 10 proxies."), field="proxy_limit"
        )
    cleaned = {
        **{name: getattr(new, name) for name in SETTINGS_FIELDS},
        "title": new.title.strip(),
        "short_name": new.short_name.strip(),
        "place": new.place.strip(),
        "quorum": _quorum(new.quorum),
    }
    changes: dict[str, list[Any]] = {}
    for name in SETTINGS_FIELDS:
        old, value = getattr(conference, name), cleaned[name]
        if old != value:
            changes[name] = [_audit_value(old), _audit_value(value)]
            setattr(conference, name, value)
    if changes:
        audit.record(
            "conference.settings_changed",
            actor=actor,
            conference_id=conference.id,
            obj=conference,
            details={"changed": changes},
        )
    db.session.flush()
    return changes


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
        raise ConferenceError(
            _("The weight must be a whole number from 1 to %(max)s.", max=MAX_WEIGHT),
            field="weight",
        )
    if values.voting_right and values.role not in VOTING_ROLES:
        raise ConferenceError(
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
        raise ConferenceError(
            _(
                "%(name)s is the only secretariat member. Name another secretariat member first.",
                name=participant.user.name,
            ),
            field="role",
        )


def add_participant(
    conference: Conference, *, name: str, email: str, values: ParticipantFields, actor: User
) -> Participant:
    """Add a person to the conference; an existing account with that e-mail is reused."""
    _ensure_not_closed(conference)
    values = _check_fields(values)
    if not name.strip():
        raise ConferenceError(_("Enter a name."), field="name")
    email = normalise_email(email)
    user = find_or_create_user(email, name)
    taken = db.session.scalar(
        sa.select(Participant.id).where(
            Participant.conference_id == conference.id, Participant.user_id == user.id
        )
    )
    if taken is not None:
        raise ConferenceError(
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
        actor=actor,
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
    actor: User,
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
            raise ConferenceError(
                _("This person's account is also used elsewhere; only they can change the name."),
                field="name",
            )
        changes["name"] = [participant.user.name, name.strip()]
        participant.user.name = name.strip()
    if changes:
        audit.record(
            "participant.changed",
            actor=actor,
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


def remove_participant(conference: Conference, participant: Participant, actor: User) -> None:
    """Take a person out of the conference (their account stays). Flushes.

    Refused for the last secretariat member, and for anyone who has already taken part: the
    amendments they proposed and the polls they were entitled to must keep their author.
    """
    _ensure_not_closed(conference)
    _ensure_not_last_secretariat(conference, participant)
    if has_taken_part(participant):
        raise ConferenceError(
            _(
                "%(name)s has already taken part (amendments, co-sponsorships, polls or "
                "proxies), so the record must stay. Remove the voting right or make them an "
                "observer instead.",
                name=participant.user.name,
            )
        )
    audit.record(
        "participant.removed",
        actor=actor,
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


# --- access: invitation links, generated passwords, access cards ----------------------------

# No 0/o, 1/l/i: the password is read from paper. S105: an alphabet, not a password.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105


def new_one_time_password() -> str:
    """Three groups of four easily read characters, e.g. ``k7mq-3vha-x9pe`` (about 59 bits)."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def access_can_be_reset(participant: Participant, actor: User) -> bool:
    """Whether ``actor`` may hand out an invitation or a one-time password for this person:
    only if ``actor`` is in the secretariat of every conference the account belongs to."""
    return may_issue_credentials(participant.user, managed_conference_ids(actor))


def card_signs_in(participant: Participant) -> bool:
    """Whether the participant's access card may set the account's first password.

    The card speaks for its own conference only: an account used in any other conference (or
    a site administrator's) keeps its own credentials, and the card does not sign it in.
    """
    return may_issue_credentials(participant.user, {participant.conference_id})


def _ensure_access_can_be_reset(participant: Participant, actor: User) -> None:
    if not access_can_be_reset(participant, actor):
        raise ConferenceError(
            _(
                "The account of %(name)s is also used in conferences you do not manage, so "
                "%(name)s keeps their own credentials: no invitation or one-time password can "
                "be given here.",
                name=participant.user.name,
            )
        )


def create_access_invitation(
    conference: Conference, participant: Participant, actor: User, days: int
) -> str:
    """A one-time link token that lets the participant set a password (shown once)."""
    return _issue_access(conference, participant, actor, days, "participant.invitation_created")


def _issue_access(
    conference: Conference,
    participant: Participant,
    actor: User,
    days: int,
    action: str,
    token: str | None = None,
) -> str:
    _ensure_access_can_be_reset(participant, actor)
    token = create_invitation(participant.user, days=days, token=token)
    audit.record(
        action,
        actor=actor,
        conference_id=conference.id,
        obj=participant,
        details={"user": participant.user.email, "days": days},
    )
    return token


def generate_password(
    conference: Conference, participant: Participant, actor: User, days: int
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
    changed = db.session.execute(
        sa.update(User)
        .where(User.id == participant.user_id, User.password_hash.is_(None))
        .values(password_hash=hash_password(password), session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
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


# --- CSV import ------------------------------------------------------------------------------


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _user_ids_by_email(emails: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(emails):
        rows = db.session.execute(sa.select(User.email, User.id).where(User.email.in_(chunk)))
        found.update((email, user_id) for email, user_id in rows)
    return found


IMPORT_FIELDS = ("name", "role", "organisation", "country", "delegation", "voting_right", "weight")


def default_voting_right(role: Role, chair_votes: bool) -> bool:
    """The import's rule when the file has no voting-right column: delegates vote, the chair
    only if the secretariat says so on the form, nobody else."""
    if role == Role.CHAIR:
        return chair_votes
    return role == Role.DELEGATE


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RowUpdate:
    row: ImportRow
    participant: Participant
    changes: tuple[FieldChange, ...]


@dataclass
class ImportPlan:
    """What an import would do, shown before anything is saved and applied as shown."""

    added: list[ImportRow]
    changed: list[RowUpdate]
    unchanged: list[ImportRow]
    removed: list[Participant]
    kept: list[tuple[Participant, str]]  # not in the file, stays (with the reason)
    notes: list[RowError]

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def fingerprint(self) -> str:
        """A digest of the planned changes: the confirmation applies only what was previewed."""
        parts = [f"+{row.email}:{row.role}:{row.voting_right}" for row in self.added]
        parts += [
            f"~{u.participant.id}:" + ",".join(f"{c.field}={c.old}>{c.new}" for c in u.changes)
            for u in self.changed
        ]
        parts += [f"-{p.id}" for p in self.removed]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _target_values(
    row: ImportRow, current: Participant | None, columns: frozenset[str], chair_votes: bool
) -> dict[str, Any]:
    """The values the row gives a participant. Columns the file leaves out keep what an existing
    participant has (and take the defaults for a new one)."""

    def pick(column: str, value: Any) -> Any:
        if column in columns or current is None:
            return value
        return getattr(current, column)

    role = pick("role", row.role)
    if row.voting_right is not None:
        voting_right = row.voting_right
    elif "role" in columns or current is None:
        voting_right = default_voting_right(role, chair_votes)
    else:
        voting_right = current.voting_right
    return {
        "name": row.name,
        "role": role,
        "organisation": pick("organisation", row.organisation),
        "country": pick("country", row.country),
        "delegation": pick("delegation", row.delegation),
        "voting_right": voting_right and role in VOTING_ROLES,
        "weight": pick("weight", row.weight),
    }


def plan_import(
    conference: Conference,
    rows: Sequence[ImportRow],
    columns: frozenset[str],
    *,
    chair_votes: bool,
    remove_missing: bool,
    actor: User,
) -> ImportPlan:
    """Compare the file with the participants, matched by e-mail. Reads only.

    With ``remove_missing``, participants absent from the file are removed, except the
    secretariat (who run the conference and are rarely on the list) and anyone who has taken
    part already (their record must stay). Raises ``ConferenceError`` if the result would
    leave the conference without a secretariat.
    """
    existing = {
        p.user.email: p
        for p in db.session.scalars(
            sa.select(Participant)
            .join(Participant.user)
            .options(contains_eager(Participant.user))
            .where(Participant.conference_id == conference.id)
        )
    }
    plan = ImportPlan(added=[], changed=[], unchanged=[], removed=[], kept=[], notes=[])
    secretariat_after: set[str] = set()
    for row in rows:
        current = existing.get(row.email)
        target = _target_values(row, current, columns, chair_votes)
        if target["role"] == Role.SECRETARIAT:
            secretariat_after.add(row.email)
        if current is None:
            plan.added.append(
                ImportRow(
                    line=row.line,
                    name=row.name,
                    email=row.email,
                    organisation=target["organisation"],
                    country=target["country"],
                    delegation=target["delegation"],
                    role=target["role"],
                    weight=target["weight"],
                    voting_right=target["voting_right"],
                )
            )
            continue
        changes = []
        for name in IMPORT_FIELDS:
            old = current.user.name if name == "name" else getattr(current, name)
            if old == target[name]:
                continue
            if name == "name" and not name_is_editable(current):
                plan.notes.append(
                    RowError(
                        row.line,
                        _(
                            "The name stays \u201c%(name)s\u201d: this account is also used "
                            "elsewhere, so only its owner can change it.",
                            name=current.user.name,
                        ),
                    )
                )
                continue
            changes.append(FieldChange(name, old, target[name]))
        if changes:
            plan.changed.append(RowUpdate(row, current, tuple(changes)))
        else:
            plan.unchanged.append(row)
    in_file = {row.email for row in rows}
    for email, participant in existing.items():
        if email in in_file:
            continue
        if participant.role == Role.SECRETARIAT:
            secretariat_after.add(email)
        if not remove_missing:
            continue
        if participant.role == Role.SECRETARIAT:
            plan.kept.append((participant, _("secretariat members are removed by hand")))
        elif has_taken_part(participant):
            plan.kept.append((participant, _("has already taken part")))
        else:
            plan.removed.append(participant)
    if not secretariat_after:
        raise ConferenceError(
            _(
                "After this import the conference would have no secretariat member. Keep at "
                "least one person with the role secretariat."
            )
        )
    return plan


def apply_import(
    conference: Conference,
    plan: ImportPlan,
    actor: User,
    filename: str = "",
    encoding: str = "",
) -> None:
    """Carry out a plan from ``plan_import`` in this transaction: add, update and remove.

    New accounts and participants are inserted in bulk; the import is one audit entry.
    Flushes; the caller commits (or rolls everything back).
    """
    _ensure_not_closed(conference)
    now = utcnow()
    known = _user_ids_by_email([row.email for row in plan.added])
    end_invitations_of(list(known.values()))  # as in add_participant
    new_users = [
        {"email": row.email, "name": row.name, "created_at": now, "session_version": 1}
        for row in plan.added
        if row.email not in known
    ]
    if new_users:
        db.session.execute(sa.insert(User), new_users)
        known.update(_user_ids_by_email([u["email"] for u in new_users]))
    if plan.added:
        db.session.execute(
            sa.insert(Participant),
            [
                {
                    "conference_id": conference.id,
                    "user_id": known[row.email],
                    "role": row.role,
                    "organisation": row.organisation,
                    "country": row.country,
                    "delegation": row.delegation,
                    "voting_right": bool(row.voting_right),
                    "weight": row.weight,
                    "present": False,
                    "card_token": new_card_token(),
                    "created_at": now,
                }
                for row in plan.added
            ],
        )
    for update in plan.changed:
        for change in update.changes:
            if change.field == "name":
                update.participant.user.name = change.new
            else:
                setattr(update.participant, change.field, change.new)
    for participant in plan.removed:
        db.session.delete(participant)
    audit.record(
        "participants.imported",
        actor=actor,
        conference_id=conference.id,
        obj=conference,
        details={
            "count": len(plan.added),
            "updated": len(plan.changed),
            "removed": len(plan.removed),
            "new_accounts": len(new_users),
            "file": filename,
            "encoding": encoding,
        },
    )
    db.session.flush()
