"""Command-line tasks: ``flask create-admin``, ``flask demo``, ``flask audit-verify``."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask

from resolutions import audit
from resolutions.auth.service import MIN_PASSWORD_LENGTH, hash_password, normalise_email
from resolutions.extensions import db
from resolutions.models import Conference, User


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(audit_verify)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option(help="At least 10 characters.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site administrator (or make an existing account one)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"at least {MIN_PASSWORD_LENGTH} characters", param_hint="password"
        )
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name.strip())
        db.session.add(user)
    user.is_admin = True
    user.password_hash = hash_password(password)
    db.session.flush()
    audit.record("user.made_admin", actor=None, obj=user, details={"email": email})
    db.session.commit()
    click.echo(f"Site administrator {email} is ready.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no conference yet.")
def demo(if_empty: bool) -> None:
    """Load the demo conference and print its sign-ins."""
    from resolutions.demo import DEMO_PASSWORD, load_demo

    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Conference)):
        click.echo("The database already holds a conference; demo not loaded.")
    else:
        load_demo()
        click.echo("Demo conference loaded.")
    from resolutions.demo import demo_sign_ins

    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for role, email in demo_sign_ins():
        click.echo(f"  {role:<12} {email}")


@click.command("audit-verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 at the first broken link."""
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"Audit log intact: {report.checked} entries verified.")
        return
    click.echo(
        f"Audit log BROKEN at entry {report.broken_at} ({report.reason}); "
        f"{report.checked} entries before it are intact.",
        err=True,
    )
    sys.exit(1)
