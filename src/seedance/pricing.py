"""What a job costs: the price table as data (with its source and date), a user override, and estimates.

Prices change and per-resolution prices are not published, so an estimate is always labelled one. Where
no price is known (1.0 Lite) the estimate is None: we never invent a price. A user's own
`$SEEDANCE_HOME/prices.json` (`{"2.0": {"unit": "second", "usd": 0.29}, ...}`) overrides the table.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

from seedance.bounded import MIB, read_file
from seedance.config import seedance_home
from seedance.errors import InputError
from seedance.request import VideoRequest

Unit = Literal["second", "video"]
SOURCE = "Pixazo's Seedance model page, read 2026-04-15 (shared/reference/pixazo-seedance-api.md)"


@dataclass(frozen=True)
class Price:
    """A model's price: USD per output second or per video."""

    unit: Unit
    usd: float
    source: str = SOURCE


PRICES: dict[str, Price | None] = {
    "2.0": Price("second", 0.29),
    "2.0-fast": Price("second", 0.24),
    "1.0-pro": Price("video", 0.20),
    "1.0-lite": None,  # not published
}
AUTO_DURATION_RANGE = (4, 15)
"""`duration = -1` lets the model choose; it picks within these seconds."""


@dataclass(frozen=True)
class Estimate:
    """An estimate of what one job will cost; `usd` is the most it should cost, None when unknown."""

    model: str
    usd: float | None
    low_usd: float | None
    price: Price | None

    def describe(self) -> str:
        """A short human line, e.g. `about $1.45 (5 s x $0.29/s, estimate)`."""
        if self.usd is None or self.price is None:
            return f"price unknown for {self.model} (check https://api-console.pixazo.ai/dashboard)"
        if self.price.unit == "video":
            return f"about ${self.usd:.2f} (per video, estimate)"
        if self.low_usd is not None and self.low_usd != self.usd:
            return (
                f"${self.low_usd:.2f}-${self.usd:.2f} (model picks 4-15 s at ${self.price.usd}/s, estimate)"
            )
        seconds = round(self.usd / self.price.usd)
        return f"about ${self.usd:.2f} ({seconds} s x ${self.price.usd}/s, estimate)"


def load_prices() -> dict[str, Price | None]:
    """The price table with the user's `prices.json` applied over it."""
    table = dict(PRICES)
    path = seedance_home() / "prices.json"
    if not path.exists():
        return table
    try:
        data = json.loads(read_file(path, MIB, "the price file").decode("utf-8"))
        for model, entry in data.items():
            if entry is None:
                table[model] = None
                continue
            unit = entry["unit"]
            if unit not in ("second", "video"):
                raise ValueError(f"unit must be 'second' or 'video', got {unit!r}")
            table[model] = Price(unit, float(entry["usd"]), f"your price file {path}")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise InputError(
            f"{path} is not a valid price file: {exc}",
            hint='write it as {"2.0": {"unit": "second", "usd": 0.29}}',
        ) from None
    return table


def estimate(request: VideoRequest, prices: dict[str, Price | None] | None = None) -> Estimate:
    """Estimate a request's cost from its model and duration (an estimate: billing may round up)."""
    table = prices if prices is not None else load_prices()
    price = table.get(request.model)
    if price is None:
        return Estimate(request.model, None, None, None)
    if price.unit == "video":
        return Estimate(request.model, round(price.usd, 4), round(price.usd, 4), price)
    duration = request.effective_duration()
    low, high = AUTO_DURATION_RANGE if duration == -1 else (duration, duration)
    return Estimate(request.model, _usd(high * price.usd), _usd(low * price.usd), price)


def _usd(value: float) -> float:
    """Round to a hundredth of a cent, avoiding float noise (5 x 0.29 = 1.45, not 1.4499999)."""
    return math.floor(value * 10000 + 0.5) / 10000
