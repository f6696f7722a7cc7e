"""A local Airflow 3 for newsmill's DAGs, driven by ``newsmill airflow up|down|status|…``.

``supervisor`` starts and stops the api-server, scheduler, dag-processor and triggerer, each under a
``keeper`` that restarts it should it crash; ``client`` speaks just enough of Airflow's REST API v2;
``cli`` is the ``newsmill airflow`` command group. None of them
imports Airflow (the processes run the ``airflow`` command next to the interpreter), so ``newsmill``
works without the airflow extra until these commands are used.
"""

from __future__ import annotations

from pathlib import Path

from newsmill.config import AIRFLOW_HOME, DATA_DIR

DAG_ID = "newsmill_daily"


def default_home(data_dir: str | Path | None = None) -> Path:
    """$NEWSMILL_AIRFLOW_HOME, else <data_dir or $NEWSMILL_DATA_DIR or ./data>/airflow (absolute)."""
    explicit = AIRFLOW_HOME.value()
    if explicit:
        return explicit.resolve()
    return (Path(data_dir or DATA_DIR.value() or "data") / "airflow").resolve()


class AirflowLocalError(RuntimeError):
    """Local Airflow could not be started, reached or stopped; the message says what to do."""
