"""What a job costs: the price table as data (with its source and date), a user override, and estimates.

Prices change and per-resolution prices are not published, so an estimate is always labelled one. Where
no price is published (2.5, 2.0 Mini, 2.5's extension, 1.0 Lite) the estimate is None, "price unknown": we
never invent a price (a budget cap counts such a job at the dearest known rate per second). A user's own
`$SEEDANCE_HOME/prices.json` (`{"2.5": {"unit": "second", "usd": 0.35}, "2.5/extend": ...}`) sets or
overrides prices; a key is a model (`2.5`) or one operation (`2.5/extend`), the operation winning.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from seedance.bounded import MIB, read_file
from seedance.config import seedance_home
from seedance.errors import InputError
from seedance.request import VideoRequest

Unit = Literal["second", "video"]
SOURCE = "Pixazo's Seedance model page, read 2026-04-15"


@dataclass(frozen=True)
class Price:
    """A model's price: USD per output second or per video."""

    unit: Unit
    usd: float
    source: str = SOURCE


PRICES: dict[str, Price | None] = {
    "2.5": None,  # not published by Pixazo
    "2.5/extend": None,  # not published, and not necessarily 2.5's rate: a set 2.5 price does not apply
    "2.0": Price("second", 0.29),
    "2.0-fast": Price("second", 0.24),
    "2.0-mini": None,  # not published (a third party lists 0.0302 USD/s: unconfirmed)
    "1.0-pro": Price("video", 0.20),
    "1.0-lite": None,  # not published
}
UNPUBLISHED = "not published by Pixazo: price unknown"
AUTO_DURATION_RANGE = (4, 15)
"""`duration = -1` lets a 2.0 model choose within these seconds (each model's row gives its own range)."""


@dataclass(frozen=True)
class Estimate:
    """An estimate of what one job will cost; `usd` is the most it should cost, None when unknown."""

    model: str
    usd: float | None
    low_usd: float | None
    price: Price | None
    low_s: int = 0
    """The fewest seconds the job may last (the model's choice, `duration = -1`, spans a range)."""
    high_s: int = 0

    def describe(self) -> str:
        """A short human line, e.g. `about $1.45 (5 s x $0.29/s, estimate)`."""
        if self.usd is None or self.price is None:
            return (
                f"price unknown for {self.model} (not published; check https://api-console.pixazo.ai/dashboard"
                f" and set it in {prices_path()})"
            )
        if self.price.unit == "video":
            return f"about ${self.usd:.2f} (per video, estimate)"
        if self.low_usd is not None and self.low_usd != self.usd:
            return (
                f"${self.low_usd:.2f}-${self.usd:.2f} (model picks {self.low_s}-{self.high_s} s at "
                f"${self.price.usd}/s, estimate)"
            )
        seconds = round(self.usd / self.price.usd)
        return f"about ${self.usd:.2f} ({seconds} s x ${self.price.usd}/s, estimate)"


def price_for(table: dict[str, Price | None], model: str, operation: str | None) -> Price | None:
    """The price of an operation (`2.5/extend`) if the table names it, else its model's."""
    if operation is not None and operation in table:
        return table[operation]
    return table.get(model)


def price_source(table: dict[str, Price | None], model: str, operation: str | None) -> str:
    """Where an operation's price comes from (for `seedance models`)."""
    price = price_for(table, model, operation)
    return price.source if price is not None else UNPUBLISHED


def prices_path() -> Path:
    """The user's price file, in the user state folder."""
    return seedance_home() / "prices.json"


def load_prices() -> dict[str, Price | None]:
    """The price table with the user's `prices.json` applied over it."""
    table = dict(PRICES)
    path = prices_path()
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
    price = price_for(table, request.model, request.op.name)
    if price is None:
        return Estimate(request.model, None, None, None)
    if price.unit == "video":
        return Estimate(request.model, round(price.usd, 4), round(price.usd, 4), price)
    low, high = seconds_range(request)
    return Estimate(request.model, _usd(high * price.usd), _usd(low * price.usd), price, low, high)


def seconds_range(request: VideoRequest) -> tuple[int, int]:
    """The fewest and most seconds a request may produce (-1, the model's choice: its whole range)."""
    duration = request.effective_duration()
    model = request.model_info
    return (model.min_duration, model.max_duration) if duration == -1 else (duration, duration)


def dearest_usd(request: VideoRequest, prices: dict[str, Price | None]) -> float:
    """The request priced at the dearest known rate: how a job with no known price counts under a cap."""
    seconds = seconds_range(request)[1]
    known = [p for p in prices.values() if p is not None]
    candidates = [p.usd * seconds if p.unit == "second" else p.usd for p in known]
    return round(max(candidates, default=float("inf")), 4)  # no known price at all: never fits a cap


def _usd(value: float) -> float:
    """Round to a hundredth of a cent, avoiding float noise (5 x 0.29 = 1.45, not 1.4499999)."""
    return math.floor(value * 10000 + 0.5) / 10000
