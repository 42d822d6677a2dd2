"""The operation table for `seedance models`, printed without click (the entry point calls it directly)."""

from __future__ import annotations

from seedance.cli.output import OUT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from seedance.pricing import Price


def _price_text(price: Price | None) -> str:
    """A price and a short word on where it comes from: `$0.29/s (Pixazo)`, `unknown (unpublished)`."""
    from seedance.pricing import SOURCE

    if price is None:
        return "price unknown (unpublished)"
    origin = "Pixazo" if price.source == SOURCE else "your prices.json"
    return f"${price.usd:.2f}/{'s' if price.unit == 'second' else 'video'} ({origin})"


def render_models(as_json: bool) -> None:
    """Print the operation table (or JSON); needs no click, so the entry point can call it directly."""
    from seedance import catalog, pricing
    from seedance.listing import operation_row

    current = catalog.current()
    prices = pricing.load_prices()
    rows = [operation_row(op, prices) for op in current.operations]
    live = sum(1 for r in rows if r["retired_on"] is None)
    user_file = catalog.user_catalog_path()
    if as_json:
        OUT.emit(
            {
                "ok": True,
                "models": list(current.models),
                "operations": rows,
                "served_operations": live,
                "user_catalog": str(user_file),
                "user_catalog_applied": current.user_file is not None,
                "price_file": str(pricing.prices_path()),
            }
        )
        return
    paths = max(len(r["path"]) for r in rows)
    lines = [f"{'-m'.ljust(8)}  {'operation'.ljust(16)}  {'path'.ljust(paths)}  price"]
    for r in rows:
        price = _price_text(pricing.price_for(prices, r["model"], f"{r['model']}/{r['operation']}"))
        notes = []
        if r["forced_ratio"]:
            notes.append(f"ratio {r['forced_ratio']}")
        if r["unverified_resolutions"]:
            notes.append(f"{'/'.join(r['unverified_resolutions'])} unconfirmed")
        if r["source"] != "built-in":
            notes.append("your row")
        if r["retired_on"]:
            notes = [f"RETIRED {r['retired_on']}: use {r['instead'] or 'another model'}"]
        note = f"  [{'; '.join(notes)}]" if notes else ""
        lines.append(
            f"{r['model'].ljust(8)}  {r['operation'].ljust(16)}  {r['path'].ljust(paths)}  {price}{note}"
        )
    lines.append(f"\n{live} operations served, {len(rows) - live} retired.")
    lines.append(f"Pixazo prices: {pricing.SOURCE}; estimates only.")
    lines.append(
        f"your prices: {pricing.prices_path()} ({'found' if pricing.prices_path().exists() else 'none'})"
    )
    lines.append(f"your catalog rows: {user_file} ({'applied' if current.user_file else 'none'})")
    print("\n".join(lines))
