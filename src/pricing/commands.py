"""flask --app wsgi refresh-prices: the periodic refresh, runnable by hand or by the queue."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from src.pricing import service
from src.pricing.comparison import OK


@click.command("refresh-prices")
@with_appcontext
def refresh_prices() -> None:
    """Fetch both providers' prices now and store them; exit 1 when none answered well."""
    states = service.refresh_all_prices()
    for provider, state in states.items():
        fetched = state.fetched_at.isoformat() if state.fetched_at else "never"
        click.echo(f"{provider}: {state.status} (fetched_at {fetched})")
    if not any(state.status == OK for state in states.values()):
        raise click.exceptions.Exit(1)
