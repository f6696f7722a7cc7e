"""Just enough of Airflow 3's REST API v2 to set up a local Airflow, backfill and watch runs."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import date
from urllib.parse import quote

from newsmill.config import AIRFLOW_API, ConfigError
from newsmill.local_airflow import AirflowLocalError

# Seconds to retry a write that Airflow refuses with a server error: on SQLite its writes fail with
# "database is locked" (HTTP 500 or 503) while the scheduler and tasks write, which passes.
SQLITE_LOCKED_RETRY = 60.0
NOTE_PREFIX = "collects "

log = logging.getLogger(__name__)


class ApiError(AirflowLocalError):
    """Airflow answered with an HTTP error status."""

    def __init__(self, status: int, method: str, path: str, detail: str) -> None:
        super().__init__(f"{method} {path}: HTTP {status}: {' '.join(detail.split())[:500]}")
        self.status = status


class AirflowClient:
    """A client of one Airflow api-server, authenticated by the simple auth manager's token."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._token: str | None = None

    def _request(self, method: str, path: str, body: object = None, auth: bool = True) -> object:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if auth:
            request.add_header("Authorization", f"Bearer {self.token()}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, method, path, exc.read().decode(errors="replace")) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AirflowLocalError(f"{method} {path}: cannot reach Airflow at {self.url}: {reason}") from None
        return json.loads(raw) if raw else None

    def token(self) -> str:
        """A JWT from the SimpleAuthManager (all-admins mode hands one out without credentials)."""
        if self._token is None:
            answer = self._request("GET", "/auth/token", auth=False)
            self._token = answer["access_token"]  # type: ignore[index]
        return self._token

    def get(self, path: str) -> object:
        return self._request("GET", path)

    def write(self, method: str, path: str, body: object, *, retry_for: float | None = None,
              conflict_wait: float = 0.0) -> object:
        """A POST or PATCH; retries a server error for up to `retry_for` seconds (default
        SQLITE_LOCKED_RETRY: SQLite locked) and a 409 conflict for up to `conflict_wait`."""
        locked_for = SQLITE_LOCKED_RETRY if retry_for is None else retry_for
        started = time.monotonic()
        while True:
            try:
                return self._request(method, path, body)
            except ApiError as exc:
                waited = time.monotonic() - started
                locked = exc.status >= 500 and waited < locked_for
                busy = exc.status == 409 and waited < conflict_wait
                if not (locked or busy):
                    raise
            time.sleep(2.0)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/api/v2/monitor/health", timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def ensure_pool(self, name: str, slots: int, description: str) -> None:
        """Create the pool, or give an existing one these slots and description, in one request.

        Airflow 3 validates a single pool's PATCH body as a whole pool (name, slots and
        include_deferred are required even to change one field), so this uses the bulk endpoint's
        create with ``action_on_existence: overwrite``, which is its create-or-update.
        """
        pool = {"name": name, "slots": slots, "description": description, "include_deferred": False}
        action = {"action": "create", "action_on_existence": "overwrite", "entities": [pool]}
        answer = self.write("PATCH", "/api/v2/pools", {"actions": [action]})
        errors = ((answer or {}).get("create") or {}).get("errors")  # type: ignore[union-attr]
        if errors:
            raise AirflowLocalError(f"cannot create or update the pool {name}: {errors}")

    def pool(self, name: str) -> dict:
        return self.get(f"/api/v2/pools/{quote(name, safe='')}")  # type: ignore[return-value]

    def wait_dag(self, dag_id: str, timeout: float = 120.0) -> dict:
        """Wait until the dag-processor has parsed `dag_id`; raise with its import errors if not."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.get(f"/api/v2/dags/{dag_id}")  # type: ignore[return-value]
            except ApiError as exc:
                if exc.status != 404:
                    raise
            if time.monotonic() >= deadline:
                errors = self.get("/api/v2/importErrors")
                raise AirflowLocalError(f"DAG {dag_id} not parsed after {timeout:.0f} s; import errors: {errors}")
            time.sleep(1.0)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.write("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": paused})

    def backfill(self, dag_id: str, first: date, last: date, *, reprocess: str = "none",
                 max_active_runs: int = 3, wait_busy: float = 0.0,
                 warn: Callable[[str], None] = log.warning) -> dict:
        """Create a backfill of the runs for first..last; retry a 409 (one backfill at a time)
        for up to `wait_busy` seconds, and a server error (SQLite locked) as every write does,
        `warn`ing of it: Airflow 3.3 on SQLite commits a backfill's runs one by one, and when the
        database is locked part way it deletes those it had reached (apache/airflow#68699); the
        retry makes them again, but an earlier run re-processed that way loses its task history."""
        body = {
            "dag_id": dag_id,
            "from_date": f"{first.isoformat()}T00:00:00Z",
            "to_date": f"{last.isoformat()}T00:00:00Z",
            "reprocess_behavior": reprocess,
            "max_active_runs": max_active_runs,
        }
        try:
            return self.write("POST", "/api/v2/backfills", body, retry_for=0.0,  # type: ignore[return-value]
                              conflict_wait=wait_busy)
        except ApiError as exc:
            if exc.status < 500:
                raise
            lost = "; the days it had reached may have lost their earlier task history in Airflow" \
                if reprocess != "none" else ""
            warn(f"Airflow's metadata database was locked while it created the backfill: retrying{lost} "
                 "(apache/airflow#68699; the warehouse is not affected)")
        return self.write("POST", "/api/v2/backfills", body, conflict_wait=wait_busy)  # type: ignore[return-value]

    def dag_runs(self, dag_id: str) -> list[dict]:
        answer = self.get(f"/api/v2/dags/{dag_id}/dagRuns?limit=100&order_by=logical_date")
        return answer["dag_runs"]  # type: ignore[index]

    def set_run_note(self, dag_id: str, run_id: str, note: str, *, retry_for: float = 30.0) -> None:
        """Set a run's note, retrying a locked database for up to `retry_for` seconds."""
        self.write("PATCH", f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}", {"note": note},
                   retry_for=retry_for)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        answer = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances?limit=100")
        return answer["task_instances"]  # type: ignore[index]


def note_collected_day(dag_id: str, run_id: str, day: date, *, current: str | None) -> str | None:
    """Note "collects DAY" on a run, through the REST API at $NEWSMILL_AIRFLOW_API; the note written.

    Airflow 3 shows runs by their "Run After" (the next day), and tasks cannot set notes through
    the Execution API, so this uses the public API with the token the simple auth manager hands
    out when everyone is admin: the local Airflow of `newsmill airflow up`, which sets the
    variable. Without it, or when the run has a note of someone else's, nothing is written. A
    failure is logged, not raised: the note is a label, the run's work does not depend on it.
    """
    try:
        url = AIRFLOW_API.value()
    except ConfigError as exc:
        log.warning("cannot note the day on run %s: %s", run_id, exc)
        return None
    if not url or (current and not current.startswith(NOTE_PREFIX)):
        return None
    note = f"{NOTE_PREFIX}{day.isoformat()}"
    if current == note:
        return note
    try:
        # the client's own timeout (30 s), longer than the api-server's wait for SQLite's lock: a
        # write that waited it out is answered 500 after ~10 s, which `write` retries
        AirflowClient(url).set_run_note(dag_id, run_id, note)
    except (AirflowLocalError, KeyError, TypeError, ValueError) as exc:
        log.warning("cannot note the day on run %s: %s", run_id, exc)
        return None
    return note
