"""flask --app wsgi refresh-prices: the worker's refresh, by hand and now (no interval claimed)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from src.pricing import refresh


@click.command("refresh-prices")
@with_appcontext
def refresh_prices() -> None:
    """Fetch both providers' prices now and store them; exit 1 when neither answered."""
    report = refresh.refresh_prices()
    for provider, state in report.states.items():
        fetched = state.fetched_at.isoformat() if state.fetched_at else "never"
        outcome = report.outcomes.get(provider, "not fetched")
        click.echo(f"{provider}: {state.status} (fetched_at {fetched}; this refresh: {outcome})")
    if not report.any_answered:
        raise click.exceptions.Exit(1)
