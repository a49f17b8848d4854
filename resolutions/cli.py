"""Command-line tasks: ``flask create-admin``, ``flask demo``, ``flask audit-verify``,
``flask upgrade``, ``flask backup``, ``flask restore``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from resolutions import audit, backup
from resolutions.auth.service import MIN_PASSWORD_LENGTH, hash_password
from resolutions.extensions import db
from resolutions.models import Conference, User
from resolutions.rules.accounts import normalise_email


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(audit_verify)
    app.cli.add_command(upgrade)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


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
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="DIGEST",
    help="A head printed on a document (e.g. abcd-ef01-2345-6789); may be given several times.",
)
def audit_verify(heads: tuple[str, ...]) -> None:
    """Check the audit log's hash chain; exit 1 at the first broken link, or when a published
    head (--head) is no longer in the chain: the log was cut back or rewritten."""
    for head in heads:
        try:
            audit.parse_digest(head)
        except ValueError:
            raise click.BadParameter(
                f"{head!r} is not a head digest: 16 hex digits in groups of 4 "
                "(abcd-ef01-2345-6789) or the full 64-digit hash",
                param_hint="--head",
            ) from None
    report = audit.verify_and_remember()
    db.session.commit()  # the audit page shows this result until new entries come
    if not report.ok:
        click.echo(
            f"Audit log BROKEN at entry {report.broken_at} ({report.reason}); "
            f"{report.checked} entries before it are intact.",
            err=True,
        )
        sys.exit(1)
    missing = False
    for head in heads:
        found = audit.verify_head(head)
        if found.head_id is None:
            missing = True
            click.echo(
                f"Audit log does NOT contain the published head {head}: entries were deleted "
                "from its end or rewritten (the chain was recomputed) since that head was "
                "published.",
                err=True,
            )
        else:
            click.echo(
                f"Head {head} is in place (entry {found.head_id}); "
                f"{found.later} entries appended after it."
            )
    if missing:
        sys.exit(1)
    click.echo(f"Audit log intact: {report.checked} entries verified.")


@click.command("upgrade")
@with_appcontext
def upgrade() -> None:
    """Apply the pending migrations and say which (current revision -> head)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade as alembic_upgrade

    from resolutions.extensions import migrate

    # types-Flask-Migrate declares its Config apart from Alembic's, which it subclasses.
    script = ScriptDirectory.from_config(migrate.get_config())  # type: ignore[arg-type]
    head = script.get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == head:
        click.echo(f"The database is at the head revision {head}: nothing to apply.")
        return
    pending = list(reversed(list(script.iterate_revisions(head, current))))
    click.echo(f"Upgrading the database from {current or 'an empty database'} to {head}:")
    alembic_upgrade()
    for revision in pending:
        click.echo(f"  applied {revision.revision}: {revision.doc}")
    click.echo(f"The database is now at {head}.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Even while a secret poll is open (the copy keeps its order)."
)
@with_appcontext
def backup_command(file: Path, force: bool) -> None:
    """Write a consistent copy of the whole database to FILE."""
    open_polls = backup.open_secret_polls()
    if open_polls:
        names = ", ".join(f"#{poll.id}" for poll in open_polls)
        if not force:
            raise click.ClickException(
                f"a secret poll is open ({names}): a copy taken now keeps the order in which "
                "its ballots were written, which closing the poll erases. Close it first, or "
                "use --force."
            )
        click.echo(
            f"WARNING: a secret poll is open ({names}); this copy keeps the order in which its "
            "ballots were written. Keep it as safe as the ballots themselves and destroy it "
            "once the poll is closed.",
            err=True,
        )
    try:
        report = backup.backup(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup of the {report.kind} database written to {file} ({report.size} bytes).")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def restore_command(file: Path) -> None:
    """Load a backup written by `flask backup` into the configured, empty database."""
    try:
        kind = backup.restore(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the {kind} backup {file}. Check it with `flask audit-verify`.")
