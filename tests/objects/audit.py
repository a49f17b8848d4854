"""A conference whose audit log holds every kind of entry a sitting writes, in Russian."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from resolutions.conferences import service as conferences
from resolutions.conferences.csv_import import CP1251, ImportRow
from resolutions.demo import load_demo
from resolutions.drafting import service as drafting
from resolutions.extensions import db
from resolutions.models import (
    AmendmentKind,
    BallotKind,
    MajorityMethod,
    Participant,
    Role,
    User,
    utcnow,
)
from resolutions.voting import attendance
from tests.objects.documents import hold_sitting
from tests.objects.drafting import clauses_by_number
from tests.objects.world import World


def demo_world() -> World:
    """The demo conference as a ``World`` (its secretariat, chair, delegates, an observer)."""
    conference = load_demo()
    members = list(
        db.session.scalars(
            sa.select(Participant)
            .join(User, User.id == Participant.user_id)
            .where(Participant.conference_id == conference.id)
            .order_by(Participant.id)
        )
    )

    def of(role: Role) -> list[Participant]:
        return [p for p in members if p.role == role]

    return World(
        conference=conference,
        secretariat=of(Role.SECRETARIAT)[0],
        chair=of(Role.CHAIR)[0],
        delegates=of(Role.DELEGATE),
        observer=of(Role.OBSERVER)[0],
    )


def full_sitting() -> World:
    """The demo conference prepared, sat and decided: settings changed, people added, changed
    and removed, imported, invited; the text edited; amendments proposed, co-sponsored,
    admitted, ruled out, withdrawn and voted on (named and secret); a roll call, a proxy given
    and revoked; a procedural poll cancelled; the resolution adopted."""
    world = demo_world()
    conference, secretariat = world.conference, world.secretariat

    settings = conferences.settings_of(conference)
    conferences.update_settings(
        conference,
        replace(
            settings,
            place="г. Ош",
            end_date=conference.start_date + timedelta(days=1),
            ballot_kind=BallotKind.SECRET,
            majority_method=MajorityMethod.TWO_THIRDS,
            quorum="2/3",
            amendment_deadline=utcnow() + timedelta(days=2),
            proxy_limit=2,
        ),
        secretariat,
    )
    conferences.update_settings(
        conference, replace(settings, ballot_kind=BallotKind.NAMED), secretariat
    )
    guest = conferences.add_participant(
        conference,
        name="Зарина Гостева",
        email="zarina@demo.example",
        values=conferences.ParticipantFields(role=Role.OBSERVER, organisation="Фонд «Мост»"),
        actor=secretariat,
    )
    conferences.update_participant(
        conference,
        guest,
        values=conferences.ParticipantFields(
            role=Role.DELEGATE, organisation="Фонд «Мост»", voting_right=True, weight=2
        ),
        name="Зарина Гостева-Ким",
        actor=secretariat,
    )
    conferences.remove_participant(conference, guest, secretariat)
    rows = [
        ImportRow(
            line=2,
            name="Алия Импортова",
            email="aliya@demo.example",
            organisation="Союз учителей",
            country="Казахстан",
            delegation="Казахстан",
            role=Role.DELEGATE,
            weight=1,
        )
    ]
    plan = conferences.plan_import(
        conference,
        rows,
        frozenset({"name", "email", "organisation", "country", "delegation", "role", "weight"}),
        chair_votes=True,
        remove_missing=False,
        actor=secretariat,
    )
    conferences.apply_import(
        conference, plan, secretariat, filename="участники.csv", encoding=CP1251
    )
    d1 = world.delegates[0]
    conferences.create_access_invitation(conference, d1, secretariat, 7)
    conferences.generate_password(conference, world.delegates[1], secretariat, 3)
    db.session.commit()

    sitting = hold_sitting(world, language="ru")
    resolution = sitting.resolution
    world.extra["sitting"] = sitting

    # The secretariat edits, moves and deletes clauses of the demo draft.
    demo = next(r for r in conference.resolutions if r.id != resolution.id)
    clauses = clauses_by_number(demo)
    first, second = clauses["1"], clauses["2"]
    drafting.edit_clause(
        first, world.secretariat, first.text + " без промедления", expected_version=first.version
    )
    drafting.move_clause(first, world.secretariat, after=second)
    drafting.delete_clause(clauses_by_number(demo)["3"], world.secretariat)
    withdrawn = drafting.propose_amendment(
        demo, d1, kind=AmendmentKind.DELETE, target=clauses_by_number(demo)["1"]
    )
    drafting.submit_amendment(withdrawn, d1)
    drafting.withdraw_amendment(withdrawn, d1)

    attendance.open_roll_call(conference, world.chair)
    attendance.close_roll_call(conference, world.chair)
    proxy = attendance.give_proxy(world.delegates[2], d1)
    attendance.revoke_proxy(proxy, world.delegates[2])
    db.session.commit()
    return world
