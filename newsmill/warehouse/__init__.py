"""The DuckDB warehouse: schema, the one write path (`load_run`) and lock-aware connections."""

from newsmill.warehouse.connection import WarehouseError, connect
from newsmill.warehouse.load import LoadResult, RunInfo, load_run

__all__ = ["LoadResult", "RunInfo", "WarehouseError", "connect", "load_run"]
