"""`seedance models`: the 11 operations, from the catalog (imports nothing heavy)."""

from __future__ import annotations

import click

from seedance.cli.common import json_option


@click.command(short_help="List models and operations.")
@json_option
def models(as_json: bool) -> None:
    """List the Seedance models and their operations, with the skill's apiId/operationId and gateway path."""
    from seedance.cli.models_view import render_models

    render_models(as_json)
