"""Airflow reads AIRFLOW_HOME at import and creates logs/ there: point it at a temp dir first. And
`run_dag_test`, which the `dag.test()` tests run their script with."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

_HOME = tempfile.mkdtemp(prefix="newsmill-airflow-home-")
atexit.register(shutil.rmtree, _HOME, True)
os.environ["AIRFLOW_HOME"] = _HOME
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_HOME}/airflow.db"


@pytest.fixture(scope="session")
def run_dag_test() -> Callable[..., tuple[dict, str]]:
    """Runs a script that calls `dag.test()` on the DAG in a subprocess against its own Airflow
    database: see `_run_dag_test`."""
    return _run_dag_test


@functools.cache
def _migrated_database() -> Path:
    """An empty Airflow database, migrated once a session (`airflow db migrate` takes 5-10 s) and
    copied into each script's home."""
    home = Path(_HOME) / "migrated"
    environment = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                   "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}"}
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], env=environment, capture_output=True, check=True,
                   timeout=300)
    return home / "airflow.db"


def _run_dag_test(tmp: Path, dags: Path, sources: Mapping[str, str], script: str, *args: str,
                  env: Mapping[str, str] | None = None) -> tuple[dict, str]:
    """Run `script` (argv: `dags`, then `args`) with Airflow's home, database and DAG folder (`dags`)
    in `tmp`, and newsmill's config (the `sources`, each a name and the host its domain and feed are
    on) and data folder there too; `env` on top. The script prints its result as a line
    ``RESULT <json>``: that result, parsed, and the script's whole output."""
    (tmp / "sources.toml").write_text("".join(
        f'\n[[sources]]\nname = "{name}"\ndomains = ["{host}"]\nlanguage = "en"\nfeeds = ["http://{host}/feed.xml"]\n'
        for name, host in sources.items()))
    (tmp / "script.py").write_text(script)
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp / "home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{tmp / 'home' / 'airflow.db'}",
        "NEWSMILL_CONFIG": str(tmp / "sources.toml"),
        "NEWSMILL_DATA_DIR": str(tmp / "data"),
        **(env or {}),
    }
    (tmp / "home").mkdir(exist_ok=True)
    shutil.copyfile(_migrated_database(), tmp / "home" / "airflow.db")
    done = subprocess.run([sys.executable, str(tmp / "script.py"), str(dags), *args],
                          env=environment, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"dag.test script failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(lines[-1][len("RESULT "):]), done.stdout + done.stderr
