from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from resolutions.extensions import Model
from resolutions.models.common import utcnow


class AuditEntry(Model):
    """One change, appended only. ``entry_hash`` covers the fields and the previous hash.

    ``prev_hash`` is unique, so two writers can never both extend the same entry: the chain
    cannot fork, the database refuses the second one.
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the log outlives a deleted conference (its entries stay in the chain).
    conference_id: Mapped[int | None] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(64))
    object_type: Mapped[str] = mapped_column(sa.String(64), default="")
    object_id: Mapped[int | None]
    details: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditCheckpoint(Model):
    """One verification of the chain, up to and including entry ``entry_id``.

    The audit page checks only the entries after the latest checkpoint (and that the entry it
    ended at is still there with the same hash) instead of walking the whole chain on every
    view; ``flask audit-verify`` walks everything and writes a full checkpoint. No foreign key
    to the entry on purpose: a deleted entry must leave the checkpoint behind to be noticed.
    """

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int]  # the last entry verified; 0 for an empty log
    entry_hash: Mapped[str] = mapped_column(sa.String(64))
    checked: Mapped[int]  # entries verified from the first up to ``entry_id``
    full: Mapped[bool]  # walked from the first entry, not only the new ones
    broken_at: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
