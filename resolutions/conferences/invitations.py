"""Invitations by e-mail: issue links in bulk, compose each person's mail, record delivery.

The order matters: ``issue`` creates the links inside the request's transaction (the view
commits), the mails are sent after the commit (``resolutions.mail``, never while a transaction
holds locks), and ``record_sent`` notes in a second short transaction which mails the server
accepted. Issuing a new link makes the person's previous one stop working, so a resend
invalidates the earlier mail.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from resolutions.auth.service import mark_invitation_sent
from resolutions.conferences import service
from resolutions.errors import DomainError
from resolutions.extensions import db
from resolutions.mail import Mail
from resolutions.models import Conference, LoginToken, Participant, User, utcnow


class InvitationState(enum.StrEnum):
    NONE = "none"  # never invited
    CREATED = "created"  # a link exists but was not e-mailed (copied by hand)
    SENT = "sent"  # the mail server accepted the mail
    OPENED = "opened"  # the link was followed
    EXPIRED = "expired"  # the last link ran out or was replaced without use
    USED = "used"  # the person has a password


@dataclass(frozen=True)
class InvitationStatus:
    state: InvitationState
    at: datetime | None = None  # when it reached that state (UTC)


def statuses(participants: Iterable[Participant]) -> dict[int, InvitationStatus]:
    """Each participant's invitation status, from their account's newest link (one query)."""
    participants = list(participants)
    user_ids = [p.user_id for p in participants]
    newest: dict[int, LoginToken] = {}
    if user_ids:
        latest = (
            sa.select(sa.func.max(LoginToken.id))
            .where(LoginToken.user_id.in_(user_ids))
            .group_by(LoginToken.user_id)
        )
        for issued in db.session.scalars(sa.select(LoginToken).where(LoginToken.id.in_(latest))):
            newest[issued.user_id] = issued
    now = utcnow()
    found: dict[int, InvitationStatus] = {}
    for participant in participants:
        token = newest.get(participant.user_id)
        if participant.user.password_hash:
            found[participant.id] = InvitationStatus(
                InvitationState.USED, token.used_at if token else None
            )
        elif token is None:
            found[participant.id] = InvitationStatus(InvitationState.NONE)
        elif token.used_at is not None or token.expires_at < now:
            found[participant.id] = InvitationStatus(InvitationState.EXPIRED, token.expires_at)
        elif token.opened_at is not None:
            found[participant.id] = InvitationStatus(InvitationState.OPENED, token.opened_at)
        elif token.sent_at is not None:
            found[participant.id] = InvitationStatus(InvitationState.SENT, token.sent_at)
        else:
            found[participant.id] = InvitationStatus(InvitationState.CREATED, token.created_at)
    return found


def without_access(conference: Conference) -> list[Participant]:
    """Everyone in the conference whose account has no password yet."""
    return list(
        db.session.scalars(
            sa.select(Participant)
            .join(Participant.user)
            .where(Participant.conference_id == conference.id, User.password_hash.is_(None))
            .order_by(Participant.id)
        )
    )


def chosen(conference: Conference, participant_ids: Sequence[int]) -> list[Participant]:
    """The conference's participants among ``participant_ids`` (ids of others are ignored)."""
    if not participant_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Participant)
            .where(
                Participant.conference_id == conference.id,
                Participant.id.in_(list(participant_ids)),
            )
            .order_by(Participant.id)
        )
    )


@dataclass
class Outcome:
    """What happened for one person: ``token`` while it goes out, ``error`` if it failed."""

    participant: Participant
    token: str | None = None
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.token is not None and self.error is None


def issue(
    conference: Conference, participants: Sequence[Participant], actor: Participant, days: int
) -> list[Outcome]:
    """A new invitation link for each person who may get one. Flushes; the caller commits.

    Refusals (someone whose account is used elsewhere with a password) are outcomes with an
    error, not exceptions: the others are still invited.
    """
    outcomes = []
    for participant in participants:
        try:
            token = service.create_access_invitation(conference, participant, actor, days)
        except DomainError as error:
            outcomes.append(Outcome(participant, error=str(error.message)))
        else:
            outcomes.append(Outcome(participant, token=token))
    return outcomes


def mail_language(participant: Participant, conference: Conference) -> str:
    """The person's own language if they chose one, else the conference's working language."""
    locale = participant.user.locale
    return locale if locale in ("ru", "en") else conference.language


def compose(conference: Conference, participant: Participant, link: str, days: int) -> Mail:
    """The invitation mail, in the person's language, plain text and HTML (autoescaped)."""
    with force_locale(mail_language(participant, conference)):
        context = {
            "conference": conference,
            "participant": participant,
            "link": link,
            "days": days,
        }
        return Mail(
            to=participant.user.email,
            subject=_("Invitation: %(conference)s", conference=conference.title),
            text=render_template("mail/invitation.txt", **context),
            html=render_template("mail/invitation.html", **context),
        )


def send(
    conference: Conference,
    outcomes: Sequence[Outcome],
    link_for: Callable[[str], str],
    days: int,
    deliver: Callable[[Sequence[Mail]], list[str | None]],
) -> None:
    """Mail every issued link (after the commit) and record which ones the server accepted.

    ``deliver`` is ``resolutions.mail.send_all``; failures land in the outcome's ``error``.
    Flushes; the caller commits the delivery records.
    """
    pending = [o for o in outcomes if o.token is not None and o.error is None]
    mails = [compose(conference, o.participant, link_for(o.token or ""), days) for o in pending]
    for outcome, failure in zip(pending, deliver(mails), strict=True):
        if failure is None:
            mark_invitation_sent(outcome.token or "")
        else:
            outcome.error = failure
    db.session.flush()
