"""The catalog as the front ends list it (`seedance models --json`, the MCP `list_operations`): one row per
operation with its inputs, limits, price and where each comes from."""

from __future__ import annotations

from typing import Any

from seedance.catalog import Model, Operation
from seedance.pricing import Price


def operation_row(op: Operation, prices: dict[str, Price | None]) -> dict[str, Any]:
    """One operation as `seedance models --json` (and the MCP `list_operations`) describe it."""
    from seedance.pricing import price_for, price_source

    model = op.model_info
    price = price_for(prices, op.model, op.name)
    return {
        "model": op.model,
        "operation": op.kind.value,
        "title": op.title,
        "api_id": model.api_id,
        "operation_id": op.operation_id,
        "path": op.path,
        "inputs": dict(op.inputs),
        "needs_one_of": list(op.needs_one_of),
        "ratios": list(op.ratios),
        "forced_ratio": op.forced_ratio,
        "resolutions": list(model.resolutions),
        "unverified_resolutions": list(model.unverified_resolutions),
        "duration": [model.min_duration, model.max_duration],
        "auto_duration": model.auto_duration,
        "sound": model.has_audio,
        "max_media": {"images": model.max_images, "videos": model.max_videos, "audios": model.max_audios},
        "price": {"usd": price.usd, "per": price.unit} if price else None,
        "price_source": price_source(prices, op.model, op.name),
        "retired_on": model.retired_on,
        "instead": model.instead,
        "source": op.source if op.source != "built-in" else model.source,
    }


def model_row(model: Model, prices: dict[str, Price | None]) -> dict[str, Any]:
    """One model as the MCP `list_operations` describes it: limits, retirement, price and its source."""
    from seedance.pricing import price_source

    price = prices.get(model.name)
    return {
        "title": model.title,
        "resolutions": list(model.resolutions),
        "unverified_resolutions": list(model.unverified_resolutions),
        "duration_seconds": [model.min_duration, model.max_duration],
        "auto_duration": model.auto_duration,
        "sound": model.has_audio,
        "retired_on": model.retired_on,
        "instead": model.instead,
        "price": {"usd": price.usd, "per": price.unit, "source": price.source} if price else None,
        "price_source": price_source(prices, model.name, None),
    }
