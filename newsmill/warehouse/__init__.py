"""The DuckDB warehouse: schema, the one write path (`load_run`) and lock-aware connections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsmill.warehouse.connection import WarehouseError, connect

if TYPE_CHECKING:
    from newsmill.warehouse.load import LoadResult, load_run

__all__ = ["LoadResult", "WarehouseError", "connect", "load_run"]


def __getattr__(name: str) -> object:
    """`load_run` and `LoadResult` on first use: the load reads run files with pyarrow, which the
    readers of the warehouse (`newsmill search`, `query`) would otherwise import at start-up."""
    if name in ("LoadResult", "load_run"):
        from newsmill.warehouse import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
