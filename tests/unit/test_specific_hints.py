"""A bad value's hint says what to give instead, read from the message that names the allowed values."""

from __future__ import annotations

from seedance.cli.output import specific_hint


def test_a_flag_gets_its_allowed_values() -> None:
    """`duration: ... takes 4-15 ...; got 99` -> give --duration 4-15 ..."""
    message = "duration: Seedance 2.0 takes 4-15 seconds or -1 (model's choice); got 99"
    assert specific_hint(message) == "give --duration 4-15 seconds or -1 (model's choice)"


def test_a_model_gets_the_model_flag() -> None:
    """An unknown model names -m/--model and the models."""
    message = "model: unknown model '3.0'; choose one of 2.0, 2.0-fast, 1.0-pro, 1.0-lite"
    assert specific_hint(message) == "give -m/--model one of 2.0, 2.0-fast, 1.0-pro, 1.0-lite"


def test_a_batch_line_names_the_field_not_a_flag() -> None:
    """In a batch file the value is a field of the line."""
    message = "line 3: resolution: Seedance 2.0 takes 480p, 720p; got '4k'"
    assert specific_hint(message) == 'set "resolution" to 480p, 720p'


def test_a_date_option_gets_an_example() -> None:
    """`--before 'yesterday' is not a date` -> an example date."""
    assert specific_hint("--before 'yesterday' is not a date; write it as YYYY-MM-DD") == (
        "give --before a date like 2026-12-01"
    )


def test_a_message_without_allowed_values_keeps_the_general_hint() -> None:
    """Nothing to read: None (the error's own hint stays)."""
    assert specific_hint("prompt: the prompt is empty") is None
