"""The package keeps its shape: `seedance.__all__` is the public surface, the pure core imports no I/O
library, and the sync and async clients offer the same methods with the same parameters."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types

import seedance
from seedance import errors
from seedance.client import AsyncClient, Client

CORE = (
    "seedance.catalog",
    "seedance.catalog_file",
    "seedance.request",
    "seedance.request_rules",
    "seedance.bodies",
    "seedance.parsing",
    "seedance.protocol",
    "seedance.polling",
    "seedance.pricing",
    "seedance.errors",
    "seedance.models",
)
"""The sans-IO core: rules and decisions over plain data (architecture.md, revision 2)."""
IO_LIBRARIES = ("httpx", "sqlite3", "anyio")


def test_all_lists_exactly_the_public_names() -> None:
    """Every name in `__all__` resolves, and every public name of the module is in `__all__` (httpx's
    test_exported_members): nothing is public by accident, nothing listed is missing."""
    for name in seedance.__all__:
        assert getattr(seedance, name) is not None, name
    module_names = {
        name
        for name, value in vars(seedance).items()
        if not name.startswith(("_", "@"))  # "@py_builtins": pytest rewrites the package (it ships a plugin)
        and not isinstance(value, types.ModuleType)  # submodules, loaded by use
    }
    assert module_names - {"TYPE_CHECKING", "annotations"} <= set(seedance.__all__)
    assert seedance.__all__ == sorted(seedance.__all__)


def test_every_error_a_caller_may_catch_is_exported() -> None:
    """Each exception class the library raises is reachable as `seedance.<Name>` (a caller catching
    `RepeatRefused` should not import a private module)."""
    raised = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.SeedanceError)
    }
    assert raised - set(seedance.__all__) == set()
    for name in raised:
        assert getattr(seedance, name) is getattr(errors, name)


def test_the_core_imports_no_io_library() -> None:
    """catalog, request, bodies, parsing, protocol, polling, pricing, errors and models load no HTTP,
    SQLite or async runtime: they are tested with plain data and shared by both clients."""
    code = (
        "import sys\n"
        f"for name in {CORE!r}: __import__(name)\n"
        f"print(','.join(m for m in {IO_LIBRARIES!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and not name.startswith("_")
    }


def test_the_async_client_mirrors_the_sync_client() -> None:
    """Same public methods (close/aclose), same parameters, and each async twin is a coroutine function."""
    sync, asynchronous = _public_methods(Client), _public_methods(AsyncClient)
    assert set(sync) - {"close"} == set(asynchronous) - {"aclose"}
    for name, signature in sync.items():
        twin = "aclose" if name == "close" else name
        assert list(signature.parameters) == list(asynchronous[twin].parameters), name
        assert inspect.iscoroutinefunction(getattr(AsyncClient, twin)), name
    sync_init = inspect.signature(Client.__init__).parameters
    async_init = inspect.signature(AsyncClient.__init__).parameters
    assert set(sync_init) <= set(async_init)
