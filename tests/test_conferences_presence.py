"""Check-in: ``set_presence`` marks a participant present, with an audit entry."""

from __future__ import annotations

import json

import sqlalchemy as sa

from resolutions.models import AuditEntry
from resolutions.voting.attendance import set_presence


def _entries(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_check_in_then_out_is_recorded(db, world):
    delegate = world.delegate
    set_presence(world.conference, delegate, True, world.chair)
    db.session.commit()
    assert delegate.present is True
    assert delegate.checked_in_at is not None
    [entry] = _entries(db, "participant.checked_in")
    assert entry.object_id == delegate.id
    assert entry.actor_id == world.chair.user.id
    assert json.loads(entry.details)["user"] == delegate.user.email

    set_presence(world.conference, delegate, False, world.chair)
    db.session.commit()
    assert delegate.present is False
    assert delegate.checked_in_at is None
    assert len(_entries(db, "participant.checked_out")) == 1


def test_checking_in_twice_records_once(db, world):
    set_presence(world.conference, world.delegate, True, world.chair)
    first = world.delegate.checked_in_at
    set_presence(world.conference, world.delegate, True, world.chair)
    db.session.commit()
    assert world.delegate.checked_in_at == first
    assert len(_entries(db, "participant.checked_in")) == 1


def test_participant_of_another_conference_is_refused(db, world, other_world):
    import pytest

    with pytest.raises(ValueError):
        set_presence(world.conference, other_world.delegate, True, world.chair)
    assert other_world.delegate.present is False
