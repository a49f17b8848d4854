"""People and conferences for tests: a user, and a conference with one member of each role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from resolutions.extensions import db
from resolutions.models import Conference, ConferenceState, Participant, Role, User


def make_user(email: str | None = None, name: str = "Test User", **fields: Any) -> User:
    user = User(email=email or f"user-{secrets.token_hex(4)}@example.org", name=name, **fields)
    db.session.add(user)
    db.session.commit()
    return user


@dataclass
class World:
    """A conference with one member of each role (and more delegates)."""

    conference: Conference
    secretariat: Participant
    chair: Participant
    delegates: list[Participant]
    observer: Participant
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def delegate(self) -> Participant:
        return self.delegates[0]

    def member(self, role: str) -> Participant:
        return {
            "secretariat": self.secretariat,
            "chair": self.chair,
            "delegate": self.delegate,
            "observer": self.observer,
        }[role]


def make_conference(
    title: str = "Test Conference",
    delegates: int = 3,
    state: ConferenceState = ConferenceState.DRAFTING,
    **fields: Any,
) -> World:
    """A committed conference with a secretariat member, a chair (who votes), ``delegates``
    delegates with voting right, and an observer."""
    conference = Conference(
        title=title,
        short_name=title[:20],
        place="Bishkek",
        start_date=date(2026, 11, 30),
        state=state,
        **fields,
    )
    db.session.add(conference)
    db.session.flush()
    tag = secrets.token_hex(3)

    def member(role: Role, name: str, **kw: Any) -> Participant:
        # Lower case, as the app stores e-mails: sign-in compares the normalised address.
        email = f"{role.value}-{name.replace(' ', '')}-{tag}@example.org".lower()
        user = User(email=email, name=name)
        db.session.add(user)
        db.session.flush()
        participant = Participant(conference_id=conference.id, user_id=user.id, role=role, **kw)
        db.session.add(participant)
        db.session.flush()
        return participant

    world = World(
        conference=conference,
        secretariat=member(Role.SECRETARIAT, "Sec Retary"),
        chair=member(Role.CHAIR, "Chair Person", voting_right=True),
        delegates=[
            member(Role.DELEGATE, f"Delegate {i}", voting_right=True, country="Kyrgyzstan")
            for i in range(1, delegates + 1)
        ],
        observer=member(Role.OBSERVER, "Obs Erver"),
    )
    db.session.commit()
    return world
