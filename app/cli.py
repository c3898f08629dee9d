"""The ``fieldline`` command: Flask's CLI plus our operator commands."""
import logging

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from app.extensions import db
from app.models.users import ROLES


def register_commands(app):
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    app.cli.add_command(vapid_keys)
    app.cli.add_command(reminders)
    app.cli.add_command(backup)
    app.cli.add_command(rebuild_search)
    app.cli.add_command(rollups)


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default=None, help="Display name (default: the part before @).")
@click.option("--team", default=None, help="Team name; created when missing.")
@with_appcontext
def create_user(email, password, role, name, team):
    """Make a user (how the first admin comes to be)."""
    from app.services import users as user_service
    from app.services.errors import ServiceError

    try:
        team_id = user_service.ensure_team(team).id if team else None
        user, _ = user_service.create_user(None, {
            "email": email, "password": password, "role": role,
            "name": name or email.split("@", 1)[0], "team_id": team_id,
        })
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        details = f" {exc.errors}" if exc.errors else ""
        raise click.ClickException(f"{exc.message}{details}") from None
    click.echo(f"Created {user.role} {user.email} ({user.id})")


@click.command("seed-demo")
@click.option("--scale", "blocks", type=click.IntRange(min=0), default=0,
              help="Also bring the company to N blocks of 100 customers (100 reps, 10 teams, "
                   "3 years of history); N=1000 is 100,000 customers. Blocks already there "
                   "are kept, so running it again only adds what is missing.")
@with_appcontext
def seed_demo(blocks):
    """Load the demo company (idempotent: a second run changes nothing)."""
    from app.demo.company import seed_demo as load_demo

    summary = load_demo()
    click.echo(summary)
    if blocks:
        from app.demo.scale import seed_scale

        click.echo(seed_scale(blocks))


@click.command("vapid-keys")
def vapid_keys():
    """Print a new VAPID key pair for VAPID_PRIVATE_KEY / VAPID_PUBLIC_KEY."""
    from app.push.vapid import new_key_pair

    private, public = new_key_pair()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")


@click.group()
def reminders():
    """The background worker (reminders, lead recycling, housekeeping)."""


@reminders.command("run")
@click.option("--once", is_flag=True, help="One pass, then exit (for cron).")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between passes.")
@with_appcontext
def reminders_run(once, interval):
    """Run the worker loop (or one pass with --once)."""
    from app.jobs import worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(message)s")
    app = current_app._get_current_object()
    if once:
        click.echo(worker.run_once(app))
    else:
        worker.run_forever(app, interval)


@click.command("backup")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False),
              help="File to write (SQLite: a database file; PostgreSQL: pg_dump custom format).")
@with_appcontext
def backup(target):
    """Write a consistent copy of the database while the app keeps running."""
    import shutil
    import sqlite3
    import subprocess

    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)  # SQLite's online backup: consistent under writes
        source.close()
        destination.close()
    elif url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise click.ClickException("pg_dump not found (apt-get install postgresql-client).")
        plain_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run([pg_dump, "--format=custom", "--file", target, plain_url], check=True)
    else:
        raise click.ClickException(f"No backup method for {url.get_backend_name()}.")
    click.echo(f"Backup written to {target}")


@click.command("rebuild-search")
@with_appcontext
def rebuild_search():
    """Write the search index again from the customers, contacts and leads (after a bulk
    load that bypassed the services, or to repair it)."""
    from app.services.search import rebuild_search_index

    written = rebuild_search_index()
    db.session.commit()
    click.echo(", ".join(f"{table}: {n}" for table, n in written.items()))


@click.group()
def rollups():
    """The daily rollups reports read."""


@rollups.command("rebuild")
@with_appcontext
def rollups_rebuild():
    """Count the activity and funnel rollups again from the raw tables, and copy claims'
    owners and statuses onto their expense items (after bulk loads)."""
    from app.services.expense_spend import rebuild_expense_spend
    from app.services.funnel_rollups import rebuild_funnel_rollups
    from app.services.rollups import rebuild_activity_rollups

    rows = rebuild_activity_rollups()
    funnel_rows = rebuild_funnel_rollups()
    items = rebuild_expense_spend()
    db.session.commit()
    click.echo(f"Activity rollup rebuilt: {rows:,} owner-days.")
    click.echo(f"Funnel rollup rebuilt: {funnel_rows:,} owner-day-stages.")
    click.echo(f"Expense items given their claims' owner and status: {items:,}.")


def main():
    from app import create_app

    FlaskGroup(create_app=create_app, name="fieldline")(prog_name="fieldline")
