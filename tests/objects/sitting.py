"""A demo sitting through the service functions: the demo conference, everyone with a vote
present, a named poll on the first amendment, a secret one on the second, the resolution
adopted by a named vote. For the operations tests (backup, upgrades)."""

from __future__ import annotations

from dataclasses import dataclass

from resolutions.demo import load_demo
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import BallotKind, Choice, Conference, Participant, Poll, PollSubject, Role
from resolutions.voting import service as voting
from resolutions.voting.attendance import set_presence


def cast_all(poll: Poll, voters: list[Participant]) -> None:
    for number, voter in enumerate(voters):
        choice = Choice.NO if number % 4 == 3 else Choice.ABSTAIN if number % 9 == 5 else Choice.YES
        voting.cast_ballot(poll.id, voter, choice)
    db.session.commit()


def open_poll(conference: Conference, chair: Participant, **rules: object) -> Poll:
    poll = voting.create_poll(conference, chair, **rules)  # type: ignore[arg-type]
    voting.open_poll(poll, chair)
    db.session.commit()
    return poll


def close_and_publish(poll: Poll, chair: Participant) -> None:
    voting.close_poll(poll, chair)
    voting.publish_poll(poll, chair)
    db.session.commit()


@dataclass
class Sitting:
    conference: Conference
    chair: Participant
    voters: list[Participant]


def start_demo_sitting() -> Sitting:
    """The demo conference with every voter present and the first amendment voted (named)."""
    conference = load_demo()
    members = {p.role: p for p in conference.participants}
    secretariat, chair = members[Role.SECRETARIAT], members[Role.CHAIR]
    voters = [p for p in conference.participants if p.voting_right]
    for voter in voters:
        set_presence(conference, voter, True, secretariat)
    db.session.commit()
    first = drafting.voting_queue(conference.resolutions[0])[0]
    poll = open_poll(conference, chair, subject=PollSubject.AMENDMENT, amendment=first)
    cast_all(poll, voters)
    close_and_publish(poll, chair)
    return Sitting(conference, chair, voters)


def open_secret_poll(sitting: Sitting) -> Poll:
    """A secret poll on the second amendment, half the hall voted, still open."""
    second = drafting.voting_queue(sitting.conference.resolutions[0])[1]
    poll = open_poll(
        sitting.conference,
        sitting.chair,
        subject=PollSubject.AMENDMENT,
        amendment=second,
        ballot_kind=BallotKind.SECRET,
    )
    cast_all(poll, sitting.voters[: len(sitting.voters) // 2])
    return poll


def adopt_resolution(sitting: Sitting) -> None:
    poll = open_poll(
        sitting.conference,
        sitting.chair,
        subject=PollSubject.RESOLUTION,
        resolution=sitting.conference.resolutions[0],
    )
    cast_all(poll, sitting.voters)
    close_and_publish(poll, sitting.chair)


def full_demo_sitting() -> Conference:
    """Every step: named and secret amendment polls closed and published, the resolution
    adopted."""
    sitting = start_demo_sitting()
    close_and_publish(open_secret_poll(sitting), sitting.chair)
    adopt_resolution(sitting)
    return sitting.conference
