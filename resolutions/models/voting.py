from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resolutions.enums import (
    BallotKind,
    Choice,
    MajorityMethod,
    PollOutcome,
    PollState,
    PollSubject,
)
from resolutions.extensions import Model
from resolutions.models.common import enum_column, utcnow


class Poll(Model):
    """A vote. Its settings are frozen when it opens, its result when it closes."""

    __tablename__ = "poll"
    __table_args__ = (
        # At most one open poll per conference: the sitting votes on one thing at a time.
        sa.Index(
            "uq_poll_one_open_per_conference",
            "conference_id",
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True
    )
    resolution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("resolution.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[PollSubject] = mapped_column(enum_column(PollSubject, "poll_subject"))
    amendment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("amendment.id", ondelete="CASCADE")
    )
    clause_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clause.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(300))
    # The exact text put to the vote (frozen at opening); for a procedural question, its text.
    subject_text: Mapped[str] = mapped_column(sa.Text, default="")
    ballot_kind: Mapped[BallotKind] = mapped_column(enum_column(BallotKind, "ballot_kind"))
    majority_method: Mapped[MajorityMethod] = mapped_column(
        enum_column(MajorityMethod, "majority_method")
    )
    quorum: Mapped[str] = mapped_column(sa.String(20), default="0")
    allow_change: Mapped[bool] = mapped_column(default=False)
    state: Mapped[PollState] = mapped_column(
        enum_column(PollState, "poll_state"), default=PollState.CREATED
    )
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    # Frozen at close; NULL until then. Weighted sums and plain ballot counts.
    yes_weight: Mapped[int | None]
    no_weight: Mapped[int | None]
    abstain_weight: Mapped[int | None]
    ballots_cast: Mapped[int | None]
    entitled_weight: Mapped[int | None]  # frozen at opening
    participating_weight: Mapped[int | None]
    quorum_weight: Mapped[str | None]  # the quorum as a weight, exact ("37/2")
    outcome: Mapped[PollOutcome | None] = mapped_column(enum_column(PollOutcome, "poll_outcome"))

    entitlements: Mapped[list[PollEntitlement]] = relationship(
        back_populates="poll", cascade="all, delete-orphan"
    )


class PollEntitlement(Model):
    """Who may vote in a poll and with what weight, frozen when it opens.

    ``holder_id`` is the present delegate who casts this vote: the participant themself, or
    the holder of their proxy.
    """

    __tablename__ = "poll_entitlement"

    poll_id: Mapped[int] = mapped_column(
        sa.ForeignKey("poll.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    holder_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    weight: Mapped[int]

    poll: Mapped[Poll] = relationship(back_populates="entitlements")


class VoteRecord(Model):
    """ "Has voted": one row per entitled vote cast. Holds the choice only in a named poll."""

    __tablename__ = "vote_record"
    __table_args__ = (sa.UniqueConstraint("poll_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"))
    cast_by_id: Mapped[int] = mapped_column(sa.ForeignKey("participant.id"))
    receipt: Mapped[str] = mapped_column(sa.String(40))
    choice: Mapped[Choice | None] = mapped_column(enum_column(Choice, "choice"))  # named only
    weight: Mapped[int | None]  # named only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def random_ballot_id() -> str:
    return uuid.uuid4().hex


class BallotChoice(Model):
    """A unit (weight 1) of a secret poll's tally. Deliberately nothing else.

    No participant, no timestamp, and a random key instead of a sequence; on SQLite the table
    has no rowid either, so its storage order is the random key's, not the insertion order.
    On PostgreSQL only the closing transaction writes these rows (the casts go to the poll's
    unlogged ballot box, ``voting.service.secrecy``); on SQLite the casts write them and the
    close replaces them.
    """

    __tablename__ = "ballot_choice"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=random_ballot_id)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    choice: Mapped[Choice] = mapped_column(enum_column(Choice, "choice"))
    weight: Mapped[int]
