"""Fixtures of the fault suite: the e2e CLI runner (`seedance`, `gateway_env`), shared through `harness`."""

from __future__ import annotations

from .harness import gateway_env, seedance

__all__ = ["gateway_env", "seedance"]
