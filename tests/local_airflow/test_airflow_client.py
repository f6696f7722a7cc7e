"""AirflowClient against a loopback server that answers like Airflow's API under SQLite lock contention,
and the run note the DAG's first task writes through it."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsmill.config import AIRFLOW_API
from newsmill.local_airflow import client as client_module
from newsmill.local_airflow.client import AirflowClient, ApiError, note_collected_day

LOCKED = {"detail": "Database is locked. Backfill creation is not supported on SQLite under concurrent access."}


class _Api(BaseHTTPRequestHandler):
    """Hands out a token; refuses the first `server.refusals` backfill posts with `server.status`;
    records PATCH requests in `server.patches` and answers the first `server.patch_refusals` with
    500 "Database error" (SQLite locked, as the api-server reports it)."""

    def do_GET(self) -> None:
        self._answer(200, {"access_token": "t"})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts += 1  # type: ignore[attr-defined]
        if self.server.posts <= self.server.refusals:  # type: ignore[attr-defined]
            self._answer(self.server.status, LOCKED)  # type: ignore[attr-defined]
        else:
            self._answer(200, {"id": 7})

    def do_PATCH(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.patches.append((self.path, body))  # type: ignore[attr-defined]
        if len(self.server.patches) <= self.server.patch_refusals:  # type: ignore[attr-defined]
            self._answer(500, {"detail": {"reason": "Database error"}})
        else:
            self._answer(200, body)

    def _answer(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    server.posts, server.refusals, server.status = 0, 0, 503  # type: ignore[attr-defined]
    server.patches, server.patch_refusals = [], 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _client(server: ThreadingHTTPServer) -> AirflowClient:
    return AirflowClient(f"http://127.0.0.1:{server.server_address[1]}")


@pytest.mark.parametrize("reprocess", ["none", "completed"])
def test_backfill_retries_while_sqlite_is_locked_and_warns(api: ThreadingHTTPServer, reprocess: str) -> None:
    api.refusals = 2  # type: ignore[attr-defined]
    warned: list[str] = []
    made = _client(api).backfill("dag", date(2026, 11, 1), date(2026, 11, 2), reprocess=reprocess,
                                 warn=warned.append)
    assert made == {"id": 7}
    assert api.posts == 3  # type: ignore[attr-defined]
    assert len(warned) == 1 and warned[0].startswith("Airflow's metadata database was locked"), warned
    # only a backfill that re-processes earlier runs can have cost them their history
    assert ("lost their earlier task history" in warned[0]) == (reprocess != "none")


def test_backfill_that_is_not_refused_warns_of_nothing(api: ThreadingHTTPServer) -> None:
    warned: list[str] = []
    assert _client(api).backfill("dag", date(2026, 11, 1), date(2026, 11, 2), warn=warned.append) == {"id": 7}
    assert (api.posts, warned) == (1, [])  # type: ignore[attr-defined]


def test_backfill_gives_up_on_a_lock_that_does_not_pass(api: ThreadingHTTPServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "SQLITE_LOCKED_RETRY", 0.0)
    api.refusals = 5  # type: ignore[attr-defined]
    with pytest.raises(ApiError, match="HTTP 503") as raised:
        _client(api).backfill("dag", date(2026, 11, 1), date(2026, 11, 2), warn=lambda message: None)
    assert raised.value.status == 503
    assert api.posts == 2  # type: ignore[attr-defined]  # the first refusal warned of, then retried


def test_backfill_does_not_retry_a_bad_request(api: ThreadingHTTPServer) -> None:
    api.refusals, api.status = 1, 422  # type: ignore[attr-defined]
    with pytest.raises(ApiError, match="HTTP 422"):
        _client(api).backfill("dag", date(2026, 11, 2), date(2026, 11, 1))
    assert api.posts == 1  # type: ignore[attr-defined]


def test_every_write_retries_while_sqlite_is_locked(api: ThreadingHTTPServer) -> None:
    api.patch_refusals = 2  # type: ignore[attr-defined]
    _client(api).set_paused("dag", False)
    assert api.patches == [("/api/v2/dags/dag", {"is_paused": False})] * 3  # type: ignore[attr-defined]


def test_a_write_gives_up_on_a_lock_that_does_not_pass(api: ThreadingHTTPServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "SQLITE_LOCKED_RETRY", 0.0)
    api.patch_refusals = 5  # type: ignore[attr-defined]
    with pytest.raises(ApiError, match="HTTP 500"):
        _client(api).ensure_pool("duckdb", 1, "one writer")
    assert len(api.patches) == 1  # type: ignore[attr-defined]


DAY = date(2026, 11, 17)
RUN = "backfill__2026-11-18T00:00:00+00:00"


def test_the_run_note_names_the_day_it_collects(api: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AIRFLOW_API.name, f"http://127.0.0.1:{api.server_address[1]}")
    assert note_collected_day("newsmill_daily", RUN, DAY, current=None) == "collects 2026-11-17"
    assert api.patches == [  # type: ignore[attr-defined]
        ("/api/v2/dags/newsmill_daily/dagRuns/backfill__2026-11-18T00%3A00%3A00%2B00%3A00",
         {"note": "collects 2026-11-17"})]
    assert note_collected_day("newsmill_daily", RUN, DAY, current="collects 2026-11-17") == "collects 2026-11-17"
    assert note_collected_day("newsmill_daily", RUN, DAY, current="rerun by Ann after the outage") is None
    assert len(api.patches) == 1  # type: ignore[attr-defined]  # the same note, or someone's, is left alone


def test_the_note_is_written_once_the_database_lock_passes(api: ThreadingHTTPServer,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AIRFLOW_API.name, f"http://127.0.0.1:{api.server_address[1]}")
    api.patch_refusals = 1  # type: ignore[attr-defined]
    assert note_collected_day("newsmill_daily", RUN, DAY, current=None) == "collects 2026-11-17"
    assert len(api.patches) == 2  # type: ignore[attr-defined]


def test_no_note_without_the_local_api_and_none_that_fails_the_task(
        api: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(AIRFLOW_API.name, raising=False)
    assert note_collected_day("newsmill_daily", RUN, DAY, current=None) is None
    assert api.patches == []  # type: ignore[attr-defined]

    port = api.server_address[1]
    api.shutdown()
    api.server_close()
    monkeypatch.setenv(AIRFLOW_API.name, f"http://127.0.0.1:{port}")
    with caplog.at_level(logging.WARNING):
        assert note_collected_day("newsmill_daily", RUN, DAY, current=None) is None
    assert f"cannot note the day on run {RUN}: " in caplog.text


def test_a_malformed_api_variable_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(AIRFLOW_API.name, "localhost:8080")
    with caplog.at_level(logging.WARNING):
        assert note_collected_day("newsmill_daily", RUN, DAY, current=None) is None
    assert "NEWSMILL_AIRFLOW_API='localhost:8080': expected an http(s) URL" in caplog.text
