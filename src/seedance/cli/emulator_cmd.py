"""`seedance emulator`: run the local Pixazo gateway in the foreground until Ctrl-C."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")  # fmt: skip
@click.option("--key", default=None, help="The only key accepted (default: any non-empty key).")
@click.option("--job-seconds", default=4.0, show_default=True, type=click.FloatRange(min=0),
              help="How long each job runs.")  # fmt: skip
@click.option("--job-seconds-range", type=(float, float), default=None, metavar="LOW HIGH",
              help="Draw each job's time uniformly from LOW..HIGH instead.")  # fmt: skip
@click.option("--seed", type=int, default=None, help="Seed for the job-time draws.")
@click.option("--time-scale", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Multiply every job time.")  # fmt: skip
@click.option("--fault", "faults", multiple=True, metavar="SPEC",
              help="A fault rule, KIND[:key=value,...], e.g. 503:count=1 or drop:route=submit (repeatable).")  # fmt: skip
@click.option("--dialect", "dialects", multiple=True, metavar="NAME=VALUE",
              help="Answer spelling, e.g. status_words=lower, media_url=string, url_field=video_url, "
                   "id_field=task_id, polling_url=legacy (repeatable).")  # fmt: skip
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Submits allowed per second (token bucket; 429 beyond).")  # fmt: skip
@click.option(
    "--burst", type=click.IntRange(min=1), default=None, help="Submits allowed at once by --rate's bucket."
)
@click.option("--limiter", type=click.Choice(["token_bucket", "sliding_window"]), default="token_bucket",
              show_default=True, help="How --rate is enforced: a bucket of --burst, or a sliding 1 s window.")  # fmt: skip
@click.option(
    "--media-base-url", default=None, help="Serve result URLs under this http(s):// base URL instead."
)
@click.option("--min-result-bytes", type=click.IntRange(min=0), default=0,
              help="Pad result files to at least this many bytes.")  # fmt: skip
@click.option("--fps", type=click.IntRange(1, 60), default=24, show_default=True,
              help="Frames per second of result videos.")  # fmt: skip
@click.option("--no-audio", is_flag=True, help="Never add a sound track to result videos.")
@click.option("--no-strict", is_flag=True, help="Accept unknown body fields instead of answering 400.")
@click.option("--submit-status", type=click.Choice(["200", "202"]), default="202", show_default=True,
              help="HTTP status of an accepted submit.")  # fmt: skip
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep synthesised videos here and reuse them across runs.")  # fmt: skip
def emulator_command(
    host: str,
    port: int,
    key: str | None,
    job_seconds: float,
    job_seconds_range: tuple[float, float] | None,
    seed: int | None,
    time_scale: float,
    faults: tuple[str, ...],
    dialects: tuple[str, ...],
    rate: float | None,
    burst: int | None,
    limiter: str,
    media_base_url: str | None,
    min_result_bytes: int,
    fps: int,
    no_audio: bool,
    no_strict: bool,
    submit_status: str,
    cache_dir: Path | None,
) -> None:
    """Run a local Pixazo gateway for Seedance (real MP4 results, switchable faults).

    The first line printed on stdout is the base URL to point a client at (start it in the background and
    read that line). Steer it over HTTP at /_emulator/ (config, faults, reset, requests, jobs).
    """
    from pydantic import ValidationError

    from seedance.emulator.options import EmulatorOptions, parse_dialect_assignments, parse_fault_spec
    from seedance.emulator.server import serve_forever

    if job_seconds_range is not None and not 0 <= job_seconds_range[0] <= job_seconds_range[1]:
        raise click.BadParameter("give LOW HIGH with 0 <= LOW <= HIGH", param_hint="--job-seconds-range")
    rules = []
    for spec in faults:
        try:
            rules.append(parse_fault_spec(spec))
        except (ValueError, ValidationError) as exc:
            raise click.BadParameter(f"{spec!r}: {_one_line(exc)}", param_hint="--fault") from exc
    try:
        dialect = parse_dialect_assignments(dialects)
    except (ValueError, ValidationError) as exc:
        raise click.BadParameter(_one_line(exc), param_hint="--dialect") from exc
    if cache_dir is not None:
        _check_cache_dir(cache_dir)
    try:
        options = EmulatorOptions(
            api_key=key,
            job_seconds=job_seconds,
            job_seconds_range=job_seconds_range,
            seed=seed,
            time_scale=time_scale,
            faults=rules,
            dialect=dialect,
            submit_rate_per_second=rate,
            submit_burst=burst,
            submit_limiter=limiter,  # type: ignore[arg-type]
            media_base_url=media_base_url,
            min_result_bytes=min_result_bytes,
            fps=fps,
            audio=not no_audio,
            strict=not no_strict,
            submit_status=202 if submit_status == "202" else 200,
            cache_dir=cache_dir,
        )
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0]) if exc.errors() and exc.errors()[0]["loc"] else ""
        flag = _FLAGS.get(field, "--" + field.replace("_", "-")) if field else None
        raise click.BadParameter(_one_line(exc, skip=1), param_hint=flag) from exc

    def announce(base_url: str) -> None:
        click.echo(base_url)
        sys.stdout.flush()
        accepted = f"key {key!r}" if key else "any non-empty key"
        click.echo(f"seedance emulator: serving at {base_url} ({accepted}); Ctrl-C stops it", err=True)

    try:
        serve_forever(options, host, port, announce)
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, after a clean shutdown
        pass
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc


_FLAGS = {"api_key": "--key", "submit_rate_per_second": "--rate", "submit_burst": "--burst", "submit_limiter": "--limiter", "audio": "--no-audio",
          "strict": "--no-strict", "dialect": "--dialect", "faults": "--fault"}  # fmt: skip
"""Option fields whose flag is not simply the field name with dashes (the rest are mapped by that rule)."""


def _one_line(exc: Exception, skip: int = 0) -> str:
    """A validation error as one line (`field: what is wrong`), without pydantic's multi-line dump and links."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"][skip:])  # `skip` drops what the flag names
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _check_cache_dir(folder: Path) -> None:
    """Create --cache-dir now and prove it is writable, so a bad folder is named as such (not as a bind error)."""
    from seedance.cli.common import make_writable_folder

    try:
        make_writable_folder(folder)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot use {folder}: {exc.strerror or exc}", param_hint="--cache-dir"
        ) from exc


if __name__ == "__main__":  # `python -m seedance.cli.emulator_cmd` works before the command is registered
    emulator_command()
