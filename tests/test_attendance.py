"""Attendance and proxies (resolutions.voting.attendance), through the service functions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from resolutions.errors import DomainError, PermissionDenied
from resolutions.models import AuditEntry, Proxy
from resolutions.voting import attendance
from resolutions.voting.attendance import (
    give_proxy,
    present_weight,
    proxies_held,
    proxy_given,
    revoke_proxy,
)
from tests.objects.voting import check_in, procedural_poll, set_weights


def actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# --- present weight --------------------------------------------------------------------------


def test_present_weight_counts_present_voters_and_represented_principals(db, world):
    d1, d2, d3 = world.delegates
    set_weights({world.chair: 1, d1: 3, d2: 2, d3: 5})
    # Observer and secretariat have no voting right: they never count.
    assert present_weight(world.conference) == (0, 11)
    check_in(world.chair, d1, world.observer, world.secretariat)
    assert present_weight(world.conference) == (4, 11)
    give_proxy(d3, d1)  # d3 is absent, represented by the present d1
    assert present_weight(world.conference) == (9, 11)
    check_in(d3)  # now in the room as well: still counted once
    assert present_weight(world.conference) == (9, 11)


def test_a_proxy_to_an_absent_holder_counts_nothing(db, world):
    d1, d2, _ = world.delegates
    check_in(d1)
    give_proxy(d2, d1)
    d1.present = False
    db.session.commit()
    assert present_weight(world.conference) == (0, 4)


def test_yesterdays_proxy_counts_no_more(db, world):
    d1, d2, _ = world.delegates
    check_in(d1)
    proxy = give_proxy(d2, d1)
    proxy.day = proxy.day - timedelta(days=1)
    db.session.commit()
    assert present_weight(world.conference) == (1, 4)
    assert proxy_given(d2) is None
    # And it does not block today's.
    check_in(world.chair)
    assert give_proxy(d2, world.chair).holder_id == world.chair.id
    db.session.refresh(proxy)
    assert proxy.revoked_at is not None


# --- roll call --------------------------------------------------------------------------------


def test_delegates_check_themselves_in_only_during_the_roll_call(db, world):
    with pytest.raises(DomainError, match="roll call is not open"):
        attendance.self_check_in(world.conference, world.delegate)
    attendance.open_roll_call(world.conference, world.chair)
    db.session.commit()
    attendance.self_check_in(world.conference, world.delegate)
    attendance.self_check_in(world.conference, world.delegate)  # twice: one entry
    db.session.commit()
    assert world.delegate.present is True
    attendance.close_roll_call(world.conference, world.secretariat)
    db.session.commit()
    with pytest.raises(DomainError, match="roll call is not open"):
        attendance.self_check_in(world.conference, world.delegates[1])
    assert actions(db).count("participant.checked_in") == 1
    assert "roll_call.opened" in actions(db)
    assert "roll_call.closed" in actions(db)


def test_only_chair_or_secretariat_run_the_roll_call(db, world, other_world):
    for who in (world.delegate, world.observer, other_world.chair):
        with pytest.raises(PermissionDenied):
            attendance.open_roll_call(world.conference, who)
    assert world.conference.roll_call_open is False


def test_observers_and_strangers_cannot_check_themselves_in(db, world, other_world):
    attendance.open_roll_call(world.conference, world.chair)
    for who in (world.observer, other_world.delegate):
        with pytest.raises(PermissionDenied):
            attendance.self_check_in(world.conference, who)


# --- giving and revoking proxies ------------------------------------------------------------


def test_give_and_revoke_a_proxy(db, world):
    d1, d2, d3 = world.delegates
    check_in(d1)
    proxy = give_proxy(d2, d1)
    assert (proxy.principal_id, proxy.holder_id, proxy.day) == (d2.id, d1.id, attendance.today())
    assert proxy_given(d2).id == proxy.id
    assert [p.principal_id for p in proxies_held(d1)] == [d2.id]
    revoke_proxy(proxy, d2)
    db.session.commit()
    assert proxy_given(d2) is None
    assert proxies_held(d1) == []
    assert actions(db)[-2:] == ["proxy.given", "proxy.revoked"]


@pytest.mark.parametrize("who", ["principal", "holder", "chair", "secretariat"])
def test_who_may_end_a_proxy(db, world, who):
    d1, d2, _ = world.delegates
    check_in(d1)
    proxy = give_proxy(d2, d1)
    actor = {"principal": d2, "holder": d1, "chair": world.chair, "secretariat": world.secretariat}
    revoke_proxy(proxy, actor[who])
    assert proxy.revoked_at is not None


def test_others_may_not_end_a_proxy(db, world, other_world):
    d1, d2, d3 = world.delegates
    check_in(d1)
    proxy = give_proxy(d2, d1)
    for actor in (d3, world.observer, other_world.chair):
        with pytest.raises(PermissionDenied):
            revoke_proxy(proxy, actor)
    assert proxy.revoked_at is None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("to_self", "to yourself"),
        ("holder_absent", "not checked in"),
        ("holder_no_right", "no voting right and cannot hold"),
        ("principal_no_right", "no voting right to give"),
        ("second_proxy", "already given your vote"),
        ("principal_holds", "you cannot give your own vote away"),
        ("holder_gave", "given their own vote away"),
        ("limit", "the most the rules allow"),
        ("switched_off", "do not allow proxies"),
        ("other_conference", "delegate of this conference"),
        ("poll_open", "A poll is open"),
    ],
)
def test_proxy_rules(db, world, other_world, case, message):
    d1, d2, d3 = world.delegates
    chair = world.chair
    check_in(chair, d1, d2, d3)
    principal, holder = d2, d1
    if case == "to_self":
        holder = d2
    elif case == "holder_absent":
        d1.present = False
    elif case == "holder_no_right":
        holder = world.observer
        check_in(holder)
    elif case == "principal_no_right":
        principal = world.observer
    elif case == "second_proxy":
        give_proxy(d2, d3)
    elif case == "principal_holds":
        give_proxy(d3, d2)
    elif case == "holder_gave":
        give_proxy(d1, d3)
    elif case == "limit":
        give_proxy(d3, d1)  # the default limit is one
    elif case == "switched_off":
        world.conference.proxy_limit = 0
    elif case == "other_conference":
        holder = other_world.delegate
        check_in(holder)
    elif case == "poll_open":
        procedural_poll(world)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count(Proxy.id)))
    with pytest.raises(DomainError, match=message):
        give_proxy(principal, holder)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Proxy.id))) == before


def test_a_higher_limit_allows_more_proxies(db, world):
    world.conference.proxy_limit = 2
    d1, d2, d3 = world.delegates
    check_in(d1)
    give_proxy(d2, d1)
    give_proxy(d3, d1)
    assert [p.principal_id for p in proxies_held(d1)] == sorted(
        [d2.id, d3.id], key=lambda i: db.session.get(type(d1), i).name
    )


def test_a_proxy_cannot_be_revoked_while_a_poll_is_open(db, world):
    d1, d2, _ = world.delegates
    check_in(world.chair, d1)
    proxy = give_proxy(d2, d1)
    procedural_poll(world)
    with pytest.raises(DomainError, match="A poll is open"):
        revoke_proxy(proxy, d2)
    assert proxy.revoked_at is None


def test_the_database_allows_one_live_proxy_per_principal(db, world):
    d1, d2, d3 = world.delegates
    check_in(d1, d3)
    give_proxy(d2, d1)
    db.session.add(
        Proxy(
            conference_id=world.conference.id,
            principal_id=d2.id,
            holder_id=d3.id,
            day=attendance.today(),
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
