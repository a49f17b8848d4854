"""Command-line tasks: ``flask create-admin`` and ``flask demo``."""

from __future__ import annotations

import sqlalchemy as sa

from resolutions.auth.service import check_password
from resolutions.demo import DEMO_PASSWORD, demo_sign_ins
from resolutions.models import Conference, Participant, Role, User
from tests.objects.app import url_path


def test_create_admin_makes_a_site_administrator(db, runner):
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Boss@Example.org",
            "--name",
            "Site Boss",
            "--password",
            "long-enough-pass",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Site administrator boss@example.org is ready." in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.org"))
    assert user.is_admin
    assert check_password(user, "long-enough-pass")


def test_create_admin_refuses_a_short_password(db, runner):
    result = runner.invoke(
        args=["create-admin", "--email", "a@example.org", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "a@example.org")) is None


def test_create_admin_promotes_an_existing_account(db, runner, world):
    email = world.observer.user.email
    result = runner.invoke(
        args=["create-admin", "--email", email, "--name", "X", "--password", "another-long-one"]
    )
    assert result.exit_code == 0
    assert world.observer.user.is_admin
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email == email))
        == 1
    )


def test_demo_creates_a_conference_with_all_roles(db, runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    conference = db.session.scalar(sa.select(Conference))
    assert conference.language == "ru"
    assert conference.place
    members = list(
        db.session.scalars(sa.select(Participant).where(Participant.conference_id == conference.id))
    )
    delegates = [p for p in members if p.role == Role.DELEGATE]
    assert len(delegates) == 30
    assert len({p.country for p in delegates}) == 5
    assert all(p.voting_right and p.weight >= 1 for p in delegates)
    assert {p.weight for p in delegates} != {1}  # some carry more weight
    assert len([p for p in members if p.role == Role.OBSERVER]) >= 2
    assert len([p for p in members if p.role == Role.CHAIR]) == 1
    assert len([p for p in members if p.role == Role.SECRETARIAT]) == 1
    # The printed sign-ins work with the printed password.
    for role, email in demo_sign_ins():
        assert email in result.output
        answer = app.test_client().post(
            url_path("auth.sign_in"), data={"email": email, "password": DEMO_PASSWORD}
        )
        assert answer.status_code == 302, (role, email)
        assert "/sign-in" not in answer.headers["Location"]


def test_demo_if_empty_does_not_load_twice(db, runner):
    assert runner.invoke(args=["demo", "--if-empty"]).exit_code == 0
    second = runner.invoke(args=["demo", "--if-empty"])
    assert second.exit_code == 0
    assert "already holds a conference" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Conference)) == 1
