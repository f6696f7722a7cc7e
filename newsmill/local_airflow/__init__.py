"""A local Airflow 3 for newsmill's DAGs, driven by ``newsmill airflow up|down|status|…``.

``supervisor`` starts and stops the api-server, scheduler and dag-processor; ``client`` speaks just
enough of Airflow's REST API v2; ``cli`` is the ``newsmill airflow`` command group. None of them
imports Airflow (the processes run the ``airflow`` command next to the interpreter), so ``newsmill``
works without the airflow extra until these commands are used.
"""

from __future__ import annotations

import os
from pathlib import Path

DAG_ID = "newsmill_daily"
DEFAULT_PORT = 8080


def default_home(data_dir: str | Path | None = None) -> Path:
    """$NEWSMILL_AIRFLOW_HOME, else <data_dir or $NEWSMILL_DATA_DIR or ./data>/airflow (absolute)."""
    explicit = os.environ.get("NEWSMILL_AIRFLOW_HOME")
    if explicit:
        return Path(explicit).resolve()
    return (Path(data_dir or os.environ.get("NEWSMILL_DATA_DIR") or "data") / "airflow").resolve()


class AirflowLocalError(RuntimeError):
    """Local Airflow could not be started, reached or stopped; the message says what to do."""
