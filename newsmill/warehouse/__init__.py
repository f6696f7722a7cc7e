"""The DuckDB warehouse: schema, the one write path (`load_run`) and lock-aware connections."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from newsmill.warehouse.errors import WarehouseError

if TYPE_CHECKING:
    from newsmill.warehouse.connection import connect
    from newsmill.warehouse.load import LoadResult, load_run

__all__ = ["LoadResult", "WarehouseError", "connect", "load_run"]

_LAZY = {"connect": "connection", "LoadResult": "load", "load_run": "load"}
"""Names imported on first use: the load reads run files with pyarrow, and connections need DuckDB,
whose imports `newsmill search` (answered from the index folder) would otherwise pay at start-up."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(f"newsmill.warehouse.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
