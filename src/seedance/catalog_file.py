"""Read catalog rows from JSON lines (the shipped `catalog.jsonl`, a user's catalog file) and check each one.

One row per line, `{"row": "model", ...}` or `{"row": "operation", ...}`, with the keyword names of
`catalog.Model` and `catalog.Operation`; blank lines and lines starting with `#` are skipped. In a user file
a row naming an existing model (`name`) or operation (`model` + `kind`) corrects the fields it gives; any
other row adds one. A problem is one InputError naming the file and line, so a typo cannot slip through as a
model that silently misbehaves.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from seedance.catalog import INPUT_FIELDS, BodyStyle, Catalog, Kind, Model, Operation
from seedance.errors import InputError

_MODEL_FIELDS = {f.name: f for f in dataclasses.fields(Model) if f.name != "source"}
_OP_FIELDS = {f.name: f for f in dataclasses.fields(Operation) if f.name not in ("source", "model_info")}
_TUPLES = {"resolutions", "unverified_resolutions", "ratios", "needs_one_of"}
_FORMAT_HINT = (
    'one JSON object per line, e.g. {"row": "model", "name": "2.5", "max_duration": 30} '
    "(see README, 'Your own catalog rows')"
)


class RowError(ValueError):
    """A row that cannot be used; the caller adds the file and line."""


def read_rows(text: str, where: str, base: Catalog | None) -> Catalog:
    """Apply the rows in `text` over `base` (None: they are the whole catalog) and return the result."""
    models = dict(base.models) if base else {}
    ops = {op.name: op for op in base.operations} if base else {}
    source = where if base else "built-in"
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise RowError("a row is a JSON object")
            kind = row.pop("row", None)
            if kind == "model":
                model = _model_row(row, models, source)
                models[model.name] = model
                # operations already read keep pointing at the corrected model
                ops = {n: dataclasses.replace(o, model_info=models[o.model]) for n, o in ops.items()}
            elif kind == "operation":
                op = _operation_row(row, models, ops, source)
                ops[op.name] = op
            else:
                raise RowError(f'"row" must be "model" or "operation", got {json.dumps(kind)}')
        except (ValueError, TypeError) as exc:
            raise InputError(f"{where} line {number}: {exc}", hint=_FORMAT_HINT) from None
    operations = tuple(ops.values())
    for op in operations:
        if op.model not in models:
            raise InputError(f"{where}: operation {op.name} names no known model", hint=_FORMAT_HINT)
    return Catalog(models, operations)


def read_user_file(path: Path, base: Catalog) -> Catalog:
    """The shipped catalog with a user's catalog file applied."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the catalog file {path}: {exc}") from None
    result = read_rows(text, str(path), base)
    return dataclasses.replace(result, user_file=path)


def _model_row(row: dict[str, Any], models: dict[str, Model], source: str) -> Model:
    _check_names(row, _MODEL_FIELDS, "model")
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RowError('a model row needs "name", e.g. "2.5"')
    values = _typed(row, _MODEL_FIELDS)
    old = models.get(name)
    if old is not None:
        model = dataclasses.replace(old, **values, source=source)
    else:
        missing = [n for n, f in _MODEL_FIELDS.items() if _required(f) and n not in values]
        if missing:
            raise RowError(f"new model {name!r} needs {', '.join(missing)}")
        model = Model(**values, source=source)
    _check_model(model)
    return model


def _operation_row(
    row: dict[str, Any], models: dict[str, Model], ops: dict[str, Operation], source: str
) -> Operation:
    _check_names(row, _OP_FIELDS, "operation")
    model, kind = row.get("model"), row.get("kind")
    if model not in models:
        raise RowError(f'operation row: "model" must name a model row above, got {json.dumps(model)}')
    if kind not in Kind.__members__.values():
        raise RowError(f'"kind" must be one of {", ".join(k.value for k in Kind)}, got {json.dumps(kind)}')
    values = _typed(row, _OP_FIELDS)
    values["kind"] = Kind(str(kind))
    old = ops.get(f"{model}/{kind}")
    if old is not None:
        op = dataclasses.replace(old, **values, source=source, model_info=models[str(model)])
    else:
        missing = [n for n, f in _OP_FIELDS.items() if _required(f) and n not in values]
        if missing:
            raise RowError(f"new operation {model}/{kind} needs {', '.join(missing)}")
        op = Operation(**values, source=source, model_info=models[str(model)])
    _check_operation(op)
    return op


def _check_names(row: dict[str, Any], known: dict[str, Any], what: str) -> None:
    unknown = sorted(set(row) - set(known))
    if unknown:
        raise RowError(f"{unknown[0]!r} is not a field of a {what} row (fields: {', '.join(known)})")


def _required(spec: dataclasses.Field[Any]) -> bool:
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


def _typed(row: dict[str, Any], specs: dict[str, dataclasses.Field[Any]]) -> dict[str, Any]:
    """The row's values with JSON lists as tuples, checked against each field's declared type."""
    values: dict[str, Any] = {}
    for name, value in row.items():
        declared = str(specs[name].type)
        if name in _TUPLES:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RowError(f"{name} must be a list of strings")
            value = tuple(value)
        elif name == "inputs":
            if not isinstance(value, dict) or not all(v in ("required", "optional") for v in value.values()):
                raise RowError('inputs must map input names to "required" or "optional"')
            unknown = sorted(set(value) - set(INPUT_FIELDS))
            if unknown:
                raise RowError(f"inputs: {unknown[0]!r} is not an input (inputs: {', '.join(INPUT_FIELDS)})")
        elif name == "body_style":
            value = BodyStyle(value) if value in BodyStyle.__members__.values() else _bad_style(value)
        elif declared.startswith("bool"):
            if not isinstance(value, bool):
                raise RowError(f"{name} must be true or false")
        elif declared.startswith("int"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise RowError(f"{name} must be a whole number")
        elif declared.startswith("float"):
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise RowError(f"{name} must be a positive number")
        elif declared.startswith("str") and not (
            isinstance(value, str) or (value is None and "None" in declared)
        ):
            raise RowError(f"{name} must be a string")
        values[name] = value
    return values


def _bad_style(value: object) -> BodyStyle:
    raise RowError(f"body_style must be one of {', '.join(s.value for s in BodyStyle)}, got {value!r}")


def _check_model(model: Model) -> None:
    if not 0 < model.min_duration <= model.default_duration <= model.max_duration:
        raise RowError(f"model {model.name}: min_duration <= default_duration <= max_duration, all above 0")
    if model.default_resolution not in model.resolutions:
        raise RowError(f"model {model.name}: default_resolution must be one of resolutions")
    for resolution in model.resolutions:
        if not (resolution.endswith("p") and resolution[:-1].isdigit()):
            raise RowError(f"model {model.name}: resolution {resolution!r} is not like 720p")


def _check_operation(op: Operation) -> None:
    if not op.path.startswith("/") or " " in op.path:
        raise RowError(f"operation {op.name}: path must start with / and hold no spaces")
    if not op.ratios:
        raise RowError(f"operation {op.name}: ratios must list at least one ratio")
    if op.forced_ratio is not None and op.ratios != (op.forced_ratio,):
        raise RowError(f"operation {op.name}: with forced_ratio, ratios must be just [{op.forced_ratio!r}]")
    for ratio in op.ratios:
        w, _, h = ratio.partition(":")
        if ratio != "adaptive" and not (w.isdigit() and h.isdigit()):
            raise RowError(f"operation {op.name}: ratio {ratio!r} is not like 16:9 or adaptive")
    if not op.inputs:
        raise RowError(f'operation {op.name}: inputs must name what it takes, e.g. {{"prompt": "required"}}')
    if any(name not in op.inputs for name in op.needs_one_of):
        raise RowError(f"operation {op.name}: needs_one_of names inputs the operation does not take")
    if op.body_style is not BodyStyle.CONTENT and not op.model_info.is_byteplus:
        raise RowError(f"operation {op.name}: a {op.body_style.value} body needs a byteplus model")
