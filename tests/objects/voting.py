"""Voting objects for tests: the URL-variable objects of the voting routes, and helpers that
seat a sitting (check-in, weights, proxies) and prepare polls through the service."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from resolutions.extensions import db
from resolutions.models import (
    Amendment,
    BallotChoice,
    BallotKind,
    Choice,
    MajorityMethod,
    Participant,
    Poll,
    PollSubject,
    Proxy,
    utcnow,
)
from resolutions.voting import attendance, service
from resolutions.voting.service.secrecy import box_name, count_units


def populate(world: Any, values: dict[str, Any]) -> None:
    """A prepared poll (on drafting's amendment when there is one, else a procedural
    question) as ``poll_id``, and a proxy from ``world.delegates[2]`` to ``world.delegate``
    as ``proxy_id``."""
    check_in(world.chair, *world.delegates)
    amendment = (
        db.session.get(Amendment, values["amendment_id"]) if "amendment_id" in values else None
    )
    if amendment is not None:
        # A row, not the service: whatever state drafting left the amendment in, the voting
        # pages must answer for a poll on it.
        conference = world.conference
        poll = Poll(
            conference_id=conference.id,
            resolution_id=amendment.resolution_id,
            subject=PollSubject.AMENDMENT,
            amendment_id=amendment.id,
            title="Amendment put to the vote",
            ballot_kind=conference.ballot_kind,
            majority_method=conference.majority_method,
            quorum=conference.quorum,
            created_by_id=world.chair.user_id,
        )
        db.session.add(poll)
        db.session.flush()
    else:
        poll = service.create_poll(
            world.conference,
            world.chair,
            subject=PollSubject.PROCEDURAL,
            title="Shall the debate be closed?",
        )
    proxy = attendance.give_proxy(world.delegates[2], world.delegate)
    db.session.commit()
    values["poll_id"] = poll.id
    values["proxy_id"] = proxy.id


def check_in(*participants: Participant) -> None:
    """Mark participants present (as the chair's check-in would) and commit."""
    for participant in participants:
        participant.present = True
        participant.checked_in_at = utcnow()
    db.session.commit()


def set_weights(weights: dict[Participant, int]) -> None:
    for participant, weight in weights.items():
        participant.weight = weight
    db.session.commit()


def procedural_poll(
    world: Any,
    *,
    ballot_kind: BallotKind = BallotKind.NAMED,
    majority_method: MajorityMethod = MajorityMethod.SIMPLE,
    quorum: str = "0",
    allow_change: bool = False,
    opened: bool = True,
    title: str = "Shall the sitting adjourn for lunch?",
) -> Poll:
    """A procedural poll prepared (and opened) by the chair, committed."""
    poll = service.create_poll(
        world.conference,
        world.chair,
        subject=PollSubject.PROCEDURAL,
        title=title,
        question="The chair proposes a break of one hour.",
        ballot_kind=ballot_kind,
        majority_method=majority_method,
        quorum=quorum,
        allow_change=allow_change,
    )
    if opened:
        service.open_poll(poll, world.chair)
    db.session.commit()
    return poll


def give_proxy(principal: Participant, holder: Participant) -> Proxy:
    proxy = attendance.give_proxy(principal, holder)
    db.session.commit()
    return proxy


@contextmanager
def own_postgres_database(prefix: str) -> Iterator[str]:
    """A PostgreSQL database of its own for the duration (URL yielded), dropped afterwards.

    For tests that need what a shared database cannot give: VACUUM only removes row versions
    no transaction *of the same database* may still see, and a server under test wants its
    own tables. Skips (or fails under RESOLUTIONS_REQUIRE_POSTGRES=1) without PostgreSQL.
    """
    from tests import servers

    server = servers.postgres_url()
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- a secret poll's units while it is open ------------------------------------------------


def secret_units(poll_id: int) -> dict[Choice, int]:
    """{choice: units} of an open poll, counted the way the close counts them (the unlogged
    ballot box on PostgreSQL, ``ballot_choice`` on SQLite); zeros when there is none."""
    return count_units(poll_id) or {choice: 0 for choice in Choice}


def unit_keys(poll_id: int) -> list[str]:
    """The random keys of an open poll's units (the box's nonces on PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        box = box_name(poll_id)
        if db.session.scalar(sa.text("SELECT to_regclass(:b)"), {"b": box}) is None:
            return []
        return list(db.session.scalars(sa.text(f"SELECT nonce FROM {box} WHERE nonce <> 'key'")))
    return list(
        db.session.scalars(sa.select(BallotChoice.id).where(BallotChoice.poll_id == poll_id))
    )


def lose_units(poll_id: int, count: int) -> None:
    """Delete ``count`` units of an open poll behind the service's back (a tampered box)."""
    keys = unit_keys(poll_id)[:count]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.text(f"DELETE FROM {box_name(poll_id)} WHERE nonce = ANY(:keys)"), {"keys": keys}
        )
    else:
        db.session.execute(sa.delete(BallotChoice).where(BallotChoice.id.in_(keys)))
    db.session.commit()
