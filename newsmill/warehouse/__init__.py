"""The DuckDB warehouse: schema, the one write path (`load_run`) and lock-aware connections."""

from newsmill.warehouse.connection import WarehouseError, connect
from newsmill.warehouse.load import LoadResult, load_run

__all__ = ["LoadResult", "WarehouseError", "connect", "load_run"]
