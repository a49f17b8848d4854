from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from resolutions.enums import (
    AmendmentKind,
    AmendmentState,
    ClauseKind,
    NumberingStyle,
    ResolutionState,
    SponsorStatus,
)
from resolutions.extensions import Model
from resolutions.models.common import enum_column, utcnow

if TYPE_CHECKING:
    from resolutions.models.accounts import User
    from resolutions.models.conferences import Conference, Participant


class Resolution(Model):
    __tablename__ = "resolution"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conference.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    numbering_style: Mapped[NumberingStyle] = mapped_column(
        enum_column(NumberingStyle, "numbering_style"), default=NumberingStyle.NUMBERED
    )
    state: Mapped[ResolutionState] = mapped_column(
        enum_column(ResolutionState, "resolution_state"), default=ResolutionState.DRAFT
    )
    position: Mapped[int] = mapped_column(default=0)
    adopted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conference: Mapped[Conference] = relationship(back_populates="resolutions")
    clauses: Mapped[list[Clause]] = relationship(
        back_populates="resolution", cascade="all, delete-orphan", order_by="Clause.position"
    )
    # The frozen record of the adopted text; it goes only with the resolution itself.
    adopted_text: Mapped[AdoptedText | None] = relationship(cascade="all, delete-orphan")


class Clause(Model):
    """A clause's current state. Its number is derived from its position, never stored.

    ``position`` orders siblings (same resolution, kind and parent); values have gaps so that
    moving or inserting one clause rewrites only that clause. ``parent_id`` makes a sub-clause
    ((a), (b) under an operative clause; (i), (ii) under those). Every change also appends a
    ``ClauseVersion``, which is what history and "the text at time T" read.
    """

    __tablename__ = "clause"
    __table_args__ = (sa.Index("ix_clause_resolution_position", "resolution_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("resolution.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clause.id", ondelete="CASCADE"))
    kind: Mapped[ClauseKind] = mapped_column(enum_column(ClauseKind, "clause_kind"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    # The text in the conference's second language (``rules.languages.second_language``);
    # "" when there is none. ``translation_needed``: the first-language text changed (an
    # adopted amendment without a translation) after this translation was written; it stays
    # for reference, shown as outdated, until someone gives the new one.
    translation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    translation_needed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_deleted: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)  # number of the current ClauseVersion
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resolution: Mapped[Resolution] = relationship(back_populates="clauses")
    versions: Mapped[list[ClauseVersion]] = relationship(
        back_populates="clause", cascade="all, delete-orphan", order_by="ClauseVersion.version"
    )


class ClauseVersion(Model):
    __tablename__ = "clause_version"
    __table_args__ = (sa.UniqueConstraint("clause_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clause_id: Mapped[int] = mapped_column(sa.ForeignKey("clause.id", ondelete="CASCADE"))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    translation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    translation_needed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    kind: Mapped[ClauseKind] = mapped_column(enum_column(ClauseKind, "clause_kind"))
    parent_id: Mapped[int | None]
    position: Mapped[int]
    is_deleted: Mapped[bool] = mapped_column(default=False)
    # create / edit / translation / move / delete / amendment
    reason: Mapped[str] = mapped_column(sa.String(20), default="edit")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendment.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    clause: Mapped[Clause] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class Amendment(Model):
    __tablename__ = "amendment"
    __table_args__ = (
        sa.UniqueConstraint("resolution_id", "number"),
        sa.CheckConstraint(
            "(kind = 'insert') OR (target_clause_id IS NOT NULL)", name="target_required"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("resolution.id", ondelete="CASCADE"), index=True
    )
    # Shown as "A-3"; given at submission, in order of submission. NULL while a draft.
    number: Mapped[int | None]
    proposer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AmendmentKind] = mapped_column(enum_column(AmendmentKind, "amendment_kind"))
    # replace/delete: the clause; insert: unused.
    target_clause_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("clause.id", ondelete="CASCADE"), index=True
    )
    # The version of the target clause the amendment was written against.
    target_version: Mapped[int | None]
    # insert: where the new clause goes. kind of the new clause, its parent (a sub-clause), and
    # the sibling it follows (NULL: first among its siblings).
    new_clause_kind: Mapped[ClauseKind | None] = mapped_column(
        enum_column(ClauseKind, "clause_kind")
    )
    parent_clause_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("clause.id", ondelete="CASCADE")
    )
    after_clause_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("clause.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # The same text in the other working language, if the proposer gives it ("" = none): on
    # adoption it becomes the clause's translation instead of marking it "translation needed".
    translation: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[AmendmentState] = mapped_column(
        enum_column(AmendmentState, "amendment_state"), default=AmendmentState.DRAFT
    )
    state_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The chair's voting order among amendments to the same clause (NULL: the default order).
    vote_order: Mapped[int | None]
    obsoleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("amendment.id"))
    # The clause an adopted insert created.
    applied_clause_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clause.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]

    resolution: Mapped[Resolution] = relationship()
    proposer: Mapped[Participant] = relationship()
    target_clause: Mapped[Clause | None] = relationship(foreign_keys=[target_clause_id])
    parent_clause: Mapped[Clause | None] = relationship(foreign_keys=[parent_clause_id])
    after_clause: Mapped[Clause | None] = relationship(foreign_keys=[after_clause_id])
    sponsors: Mapped[list[AmendmentSponsor]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan"
    )


class AmendmentSponsor(Model):
    __tablename__ = "amendment_sponsor"

    amendment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("amendment.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[SponsorStatus] = mapped_column(
        enum_column(SponsorStatus, "sponsor_status"), default=SponsorStatus.INVITED
    )
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]

    amendment: Mapped[Amendment] = relationship(back_populates="sponsors")
    participant: Mapped[Participant] = relationship()


class AdoptedText(Model):
    """The adopted resolution as a record, frozen at adoption and never changed afterwards.

    ``content`` is canonical JSON (sorted keys, no spaces): the numbered text, the heading
    data (conference, title, dates, place, language), the deciding poll's figures, the
    signatories and the audit log's head at adoption. ``sha256`` is the hash of ``content``'s
    UTF-8 bytes, so a changed row is detected. Every export of an adopted resolution renders
    from this row, whatever the conference's settings say later.
    """

    __tablename__ = "adopted_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    resolution_id: Mapped[int] = mapped_column(
        sa.ForeignKey("resolution.id", ondelete="CASCADE"), unique=True
    )
    content: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@sa.event.listens_for(AdoptedText, "before_update")
def _adopted_text_is_immutable(mapper: object, connection: object, target: AdoptedText) -> None:
    raise ValueError("an adopted text is a record: it is never changed")
