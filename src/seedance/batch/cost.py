"""What a batch will cost before it runs, and the `--max-cost` cap while it runs.

An unknown price (no published rate, e.g. 1.0 Lite) is never counted as free. Under a cap it is counted at
the dearest known rate for the same job (the highest per-second price times its duration, or the highest
per-video price, whichever is more): the cap then holds unless the real price is above every published one.
"""

from __future__ import annotations

from dataclasses import dataclass

from seedance.batch.input import BatchLine
from seedance.pricing import Price, dearest_usd, estimate, load_prices

CONFIRM_ABOVE_USD = 10.0
"""A batch estimated above this asks for confirmation on a terminal, and needs --yes or --max-cost without one."""


@dataclass(frozen=True)
class LineCost:
    """One line's estimate: what it should cost (None when unknown) and what the cap counts it as."""

    usd: float | None
    cap_usd: float


@dataclass(frozen=True)
class CostPlan:
    """The estimates of a batch's lines and their totals."""

    costs: dict[int, LineCost]
    """Per line number."""

    def total(self, lines: list[int] | None = None) -> float:
        """The sum of the known estimates (of the given lines, or of all)."""
        keys = self.costs if lines is None else lines
        return round(sum(self.costs[n].usd or 0.0 for n in keys), 4)

    def conservative_total(self, lines: list[int] | None = None) -> float:
        """The sum with unknown prices counted at the dearest known rate (what the cap and the prompt use)."""
        keys = self.costs if lines is None else lines
        return round(sum(self.costs[n].cap_usd for n in keys), 4)

    def unknown(self, lines: list[int] | None = None) -> list[int]:
        """The lines whose price is not known."""
        keys = self.costs if lines is None else lines
        return [n for n in keys if self.costs[n].usd is None]

    def describe(self, lines: list[int]) -> str:
        """One human line: the estimated total for these lines, saying how unknown prices were counted."""
        text = f"estimated cost: ${self.total(lines):.2f} for {len(lines)} job(s)"
        unknown = self.unknown(lines)
        if unknown:
            text += (
                f" plus {len(unknown)} job(s) with no published price (counted at the dearest known rate: "
                f"${self.conservative_total(lines):.2f} in all)"
            )
        return text + " (estimate; billing may round seconds up)"


def plan_costs(lines: list[BatchLine]) -> CostPlan:
    """Estimate every line once (the price table is read once)."""
    prices = load_prices()
    costs: dict[int, LineCost] = {}
    for line in lines:
        usd = estimate(line.request, prices).usd
        costs[line.number] = LineCost(usd, usd if usd is not None else dearest(line, prices))
    return CostPlan(costs)


def dearest(line: BatchLine, prices: dict[str, Price | None]) -> float:
    """The line priced at the dearest known rate: how an unknown price is counted under a cap."""
    return dearest_usd(line.request, prices)
