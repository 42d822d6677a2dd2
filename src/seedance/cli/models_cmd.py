"""`seedance models`: the operations of the catalog (19 served, 1 retired), with limits and prices."""

from __future__ import annotations

import click

from seedance.cli.common import json_option


@click.command(short_help="List models and operations.")
@json_option
def models(as_json: bool) -> None:
    """List the Seedance models and their operations: gateway path, price and where it comes from.

    \b
    Retired operations are shown as retired (a request for them is refused before sending).
    Your own rows: a catalog.jsonl in the user config folder (e.g. ~/.config/seedance/catalog.jsonl;
    $SEEDANCE_CATALOG names another file) adds a model or an operation, or corrects a limit; see the
    README. Your prices: prices.json in the seedance folder ($SEEDANCE_HOME).
    """
    from seedance.cli.models_view import render_models

    render_models(as_json)
