from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resolutions.enums import BallotKind, ConferenceState, MajorityMethod, Role
from resolutions.extensions import Model
from resolutions.models.common import enum_column, utcnow

if TYPE_CHECKING:
    from resolutions.models.accounts import User
    from resolutions.models.drafting import Resolution


class Conference(Model):
    __tablename__ = "conference"
    __table_args__ = (
        sa.CheckConstraint("proxy_limit >= 0", name="proxy_limit_not_negative"),
        sa.CheckConstraint("language IN ('ru', 'en')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    short_name: Mapped[str] = mapped_column(sa.String(60))
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    language: Mapped[str] = mapped_column(sa.String(2), default="ru")
    # An IANA zone name ("Europe/Moscow"): every time is shown and entered in it (DESIGN.md).
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    state: Mapped[ConferenceState] = mapped_column(
        enum_column(ConferenceState, "conference_state"), default=ConferenceState.PREPARATION
    )
    # Rules of procedure, the defaults of every poll.
    majority_method: Mapped[MajorityMethod] = mapped_column(
        enum_column(MajorityMethod, "majority_method"), default=MajorityMethod.SIMPLE
    )
    # "0" (none), a whole weight such as "25", or a fraction of the entitled weight such as "1/2".
    quorum: Mapped[str] = mapped_column(sa.String(20), default="0")
    ballot_kind: Mapped[BallotKind] = mapped_column(
        enum_column(BallotKind, "ballot_kind"), default=BallotKind.NAMED
    )
    amendment_deadline: Mapped[datetime | None]  # UTC
    proxy_limit: Mapped[int] = mapped_column(default=1)
    roll_call_open: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the site administrator: the conference is read-only and left out of the lists.
    archived_at: Mapped[datetime | None]

    participants: Mapped[list[Participant]] = relationship(
        back_populates="conference", cascade="all, delete-orphan"
    )
    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="conference",
        cascade="all, delete-orphan",
        order_by="Resolution.position",
    )

    @property
    def is_closed(self) -> bool:
        """Read-only: closed by its stage, or archived by the site administrator."""
        return self.state == ConferenceState.CLOSED or self.archived_at is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def zone(self) -> ZoneInfo:
        """The conference's time zone (stored times are naive UTC; show them in this)."""
        return ZoneInfo(self.timezone or "UTC")


def new_card_token() -> str:
    return secrets.token_urlsafe(24)


class Participant(Model):
    """A person's part in one conference: their role, delegation, vote weight and presence."""

    __tablename__ = "participant"
    __table_args__ = (
        sa.UniqueConstraint("conference_id", "user_id"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "participant_role"))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    country: Mapped[str] = mapped_column(sa.String(100), default="")
    delegation: Mapped[str] = mapped_column(sa.String(200), default="")
    voting_right: Mapped[bool] = mapped_column(default=False)
    weight: Mapped[int] = mapped_column(default=1)
    present: Mapped[bool] = mapped_column(default=False)
    checked_in_at: Mapped[datetime | None]
    # Printed as a QR code on the access card: opens sign-in for the holder, check-in for the chair.
    card_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_card_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conference: Mapped[Conference] = relationship(back_populates="participants")
    user: Mapped[User] = relationship(back_populates="participations")

    # True only on the stand-in seat a site administrator gets in a conference they are not a
    # member of (see ``resolutions.auth.access.seat_of``); never stored.
    acting_as_admin = False

    @property
    def name(self) -> str:
        return self.user.name


class Proxy(Model):
    """A delegate (principal) gives their vote to another present delegate (holder) for a day."""

    __tablename__ = "proxy"
    __table_args__ = (
        sa.CheckConstraint("principal_id <> holder_id", name="not_to_self"),
        # One live proxy per principal.
        sa.Index(
            "uq_proxy_active_principal",
            "principal_id",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True
    )
    principal_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"))
    holder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    principal: Mapped[Participant] = relationship(foreign_keys=[principal_id])
    holder: Mapped[Participant] = relationship(foreign_keys=[holder_id])
