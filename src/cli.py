"""flask --app wsgi <command>: operator commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from marshmallow import ValidationError

from src.accounts import service as accounts_service
from src.accounts.schemas import CredentialsSchema
from src.catalog.seed import seed_catalog
from src.pricing.commands import refresh_prices


@click.command("create-admin")
@with_appcontext
@click.option("--username", envvar="ADMIN_USERNAME", required=True, help="or ADMIN_USERNAME")
@click.option("--password", envvar="ADMIN_PASSWORD", required=True, help="or ADMIN_PASSWORD")
def create_admin(username: str, password: str) -> None:
    """Create an admin, or make an existing user admin with this password."""
    try:
        CredentialsSchema().load({"username": username, "password": password})
    except ValidationError as exc:
        raise click.UsageError(str(exc.messages)) from exc
    if accounts_service.ensure_admin(username=username, password=password):
        click.echo(f"admin {username!r} created")
        return
    click.echo(f"user {username!r} is now admin, password updated, its sessions revoked")


@click.command("seed")
@with_appcontext
def seed() -> None:
    """Load the demo movies into the catalog (safe to run again)."""
    added = seed_catalog()
    click.echo(f"seeded {added} movie(s)")


def register_commands(app: Flask) -> None:
    from src.catalog.commands import catalog
    from src.worker.cli import worker

    for command in (create_admin, seed, refresh_prices, worker, catalog):
        app.cli.add_command(command)
