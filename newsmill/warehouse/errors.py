"""The warehouse's error for its users, apart from DuckDB: `newsmill search` and the CLI's error
handling name it without importing DuckDB, whose import alone is most of a search's start-up."""


class WarehouseError(RuntimeError):
    """The DuckDB file cannot be used; the message says which file and what to do."""
