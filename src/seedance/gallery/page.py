"""The gallery's HTML: one self-contained page (inline CSS and JS, no CDN), every user string escaped.

Rendering is pure: it takes journal records, what is known about their video files and the URLs to use,
and returns text. All text from the journal (prompt, error, settings, paths, ids) goes through `esc`, and the
page's Content-Security-Policy only lets the page's own script (by hash) run, so an injected tag can do nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any

from seedance.catalog import MODELS
from seedance.gallery.posters import Poster
from seedance.journal import JobRecord
from seedance.states import JobState

GENERATOR = "seedance gallery"
"""Written in every page's <meta name="generator">: a page that has it may be rebuilt in place."""

STATE_CLASS = {
    "downloaded": "state-ok",
    "succeeded": "state-ok",
    "failed": "state-bad",
    "rejected": "state-bad",
    "unknown": "state-warn",
    "submitting": "state-busy",
    "queued": "state-busy",
    "running": "state-busy",
}
"""The badge colour of each journal state (any other state gets a plain badge)."""

SHOWN_ELSEWHERE = frozenset({"prompt", "model", "operation"})
"""Settings keys that the card already shows in its own place."""

MODEL_DEFAULTS = {
    "duration": "default_duration",
    "resolution": "default_resolution",
    "ratio": "default_ratio",
}
"""Settings always shown, and the `catalog.Model` field that holds the value used when the job left it unset."""


@dataclass(frozen=True)
class CardView:
    """One card's inputs: the journal record, its video file facts and the URLs the page links to."""

    record: JobRecord
    poster: Poster
    video_src: str | None
    """URL of the video for the `<video>` element (relative or file URL), None when there is no file."""
    poster_src: str | None
    """URL of the poster image, None when there is none."""


def esc(value: object) -> str:
    """Escape any value for HTML text and double-quoted attributes."""
    return escape(str(value), quote=True)


@cache
def _resource(name: str) -> str:
    return files("seedance.gallery").joinpath(name).read_text(encoding="utf-8")


def script_hash() -> str:
    """The CSP source expression that allows exactly the page's inline script (its text, byte for byte)."""
    digest = hashlib.sha256(_resource("page.js").encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_page(cards: Sequence[CardView], *, generated_at: datetime, journal_path: str) -> str:
    """Return the whole page for `cards` (already in display order, newest first)."""
    records = [card.record for card in cards]
    people = Counter(r.who for r in records)
    # One person on one machine (the usual case): no filter to choose from.
    who_filter = _select("filter-who", "Who", "everyone", people) if len(people) > 1 else ""
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; script-src "
        + script_hash()
        + "; img-src 'self' file: data:; media-src 'self' file:; base-uri 'none'; form-action 'none'"
    )
    body = "\n".join(render_card(card) for card in cards)
    # The empty `data:` icon stops browsers asking for /favicon.ico: nothing is fetched that is not ours.
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="{GENERATOR}">
<link rel="icon" href="data:,">
<title>seedance gallery</title>
<style>
{_resource("page.css")}</style>
</head>
<body>
<header class="top">
<h1>seedance gallery</h1>
<span class="meta"><span id="shown">{len(cards)}</span> of {len(cards)} jobs ·
generated {esc(_when(generated_at.isoformat()))} from <code>{esc(journal_path)}</code></span>
<div class="filters">
{_select("filter-status", "Status", "all statuses", Counter(r.state for r in records))}
{_select("filter-model", "Model", "all models", Counter(r.model for r in records))}
{who_filter}
<label>Search <input id="filter-text" type="search" placeholder="prompt, id…" autocomplete="off"></label>
</div>
</header>
<main>
<p class="empty-state" id="none-shown"{"" if not cards else " hidden"}>No jobs match.</p>
<div class="grid">
{body}
</div>
</main>
<script>{_resource("page.js")}</script>
</body>
</html>
"""


def _select(ident: str, label: str, everything: str, counts: Counter[str]) -> str:
    options = [f'<option value="">{esc(everything)}</option>']
    options += [f'<option value="{esc(v)}">{esc(v)} ({n})</option>' for v, n in sorted(counts.items())]
    return f'<label>{esc(label)} <select id="{ident}">{"".join(options)}</select></label>'


def render_card(card: CardView) -> str:
    """Return one job's `<article>`: media, status, prompt, error, facts and settings."""
    r = card.record
    state_class = STATE_CLASS.get(r.state, "")
    prompt = (
        f'<p class="prompt">{esc(r.prompt)}</p>' if r.prompt else '<p class="prompt empty">(no prompt)</p>'
    )
    error = f'<p class="error" role="alert">{esc(r.error)}</p>' if r.error else ""
    return f"""<article class="card" id="job-{esc(r.local_id)}" data-status="{esc(r.state)}" data-model="{esc(r.model)}" data-who="{esc(r.who)}">
{_media(card)}
<div class="body">
<div class="badges"><span class="badge state {state_class}">{esc(r.state)}</span><span class="badge">{esc(r.model)}</span><span class="badge">{esc(r.operation)}</span></div>
{prompt}
{error}
<dl class="facts">{_facts(card)}</dl>
{_settings(r)}
</div>
</article>"""


def _media(card: CardView) -> str:
    note = f'<p class="note">{esc(card.poster.note)}</p>' if card.poster.note else ""
    if card.video_src is None:
        text = card.poster.note or "no video"
        if card.record.state in (JobState.FAILED, JobState.REJECTED):
            text = "generation failed: no video"
        elif JobState(card.record.state).is_in_flight:
            text = f"{card.record.state}: no video yet"
        elif card.record.state == JobState.SUCCEEDED:
            text = "succeeded: the video is not downloaded yet"
        return f'<div class="media"><p class="placeholder">{esc(text)}</p></div>' + (
            note if text != card.poster.note else ""
        )
    poster = f' poster="{esc(card.poster_src)}"' if card.poster_src else ""
    return (
        f'<div class="media"><video controls preload="none" playsinline{poster}'
        f' src="{esc(card.video_src)}"></video></div>{note}'
    )


def _facts(card: CardView) -> str:
    r = card.record
    settings = _settings_dict(r)
    rows: list[tuple[str, str]] = [("Created", esc(_when(r.created_at))), ("By", esc(r.who))]
    if card.poster.duration_s is not None:
        rows.append(("Duration", esc(f"{card.poster.duration_s:.1f} s")))
    elif (requested := _setting(r, "duration")) is not None:
        how = "requested" if settings.get("duration") is not None else "the model's default"
        rows.append(("Duration", esc(f"{requested} s ({how})")))
    rows.append(("Time taken", esc(_elapsed(r.elapsed_s))))
    rows.append(("Request id", f"<code>{esc(r.request_id)}</code>" if r.request_id else "—"))
    rows.append(("Local id", f"<code>{esc(r.local_id)}</code>"))
    if r.emulated:
        rows.append(("Cost", "free (emulated)"))
    elif r.estimated_cost_usd is not None:
        rows.append(("Est. cost", esc(f"${r.estimated_cost_usd:.2f}")))
    if r.output_path and r.state == JobState.DOWNLOADED:
        size = f" ({r.bytes_downloaded:,} bytes)" if r.bytes_downloaded else ""
        rows.append(("File", f"<code>{esc(r.output_path)}</code>{esc(size)}"))
    elif (
        r.output_path
        and r.state in (JobState.SUBMITTING, JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED)
        and r.want_download
    ):
        rows.append(("Saves to", f"<code>{esc(r.output_path)}</code>"))
    return "".join(f"<dt>{esc(name)}</dt><dd>{value}</dd>" for name, value in rows)


def _settings(record: JobRecord) -> str:
    given = _settings_dict(record)
    shown: dict[str, str] = {}
    for key in MODEL_DEFAULTS:  # an unset option is not "nothing": the model's default was used
        value = _setting(record, key)
        if value is not None:
            shown[key] = _show(value) + ("" if given.get(key) is not None else " (default)")
    for key, value in given.items():
        if key not in SHOWN_ELSEWHERE and key not in shown and value not in (None, [], {}, ""):
            shown[key] = _show(value)
    if not shown:
        return ""
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in sorted(shown.items()))
    return f'<details class="settings" open><summary>Settings</summary><dl>{rows}</dl></details>'


def _setting(record: JobRecord, key: str) -> object:
    """The job's value for `key`, or the model's default for it when the job left it unset (None if unknown)."""
    value = _settings_dict(record).get(key)
    if value is None and key in MODEL_DEFAULTS:
        model = MODELS.get(record.model)
        value = getattr(model, MODEL_DEFAULTS[key]) if model is not None else None
    return value


def _settings_dict(record: JobRecord) -> dict[str, Any]:
    try:
        data = json.loads(record.settings_json)
    except ValueError:
        return {"settings_json": record.settings_json}
    return data if isinstance(data, dict) else {"settings": data}


def _show(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False)


def _when(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = moment.tzname() or ""
    suffix = " UTC" if zone in ("UTC", "UTC+00:00") else (f" {zone}" if zone else "")
    return moment.strftime("%Y-%m-%d %H:%M:%S") + suffix


def _elapsed(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 90:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"
