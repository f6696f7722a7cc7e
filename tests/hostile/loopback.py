"""Helpers of the crawl-level security and limit tests: loopback sites that count the requests they
get, and the real crawl entry point (``python -m spiders.crawl``) in a subprocess.

The crawl runs from the repository holding this file and inherits PYTHONPATH, so it runs the code
under test, whichever checkout that is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from hostile_site import DAY, Route, _send
from warcio.archiveiterator import ArchiveIterator

from newsmill.demo.server import SiteServer

REPO = Path(__file__).resolve().parents[2]


class CountingSite:
    """A started SiteServer on 127.0.0.1 that counts the requests per path of its routes."""

    def __init__(self) -> None:
        self.server = SiteServer()
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server.start()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def netloc(self) -> str:
        return self.server.netloc

    def set_routes(self, routes: Mapping[str, Route]) -> None:
        def counted(route: Route) -> Route:
            def handler(request: BaseHTTPRequestHandler) -> None:
                with self._lock:
                    self.hits[urlsplit(request.path).path] += 1
                if callable(route):
                    route(request)
                else:
                    _send(request, route.status, route.body, route.content_type, route.headers)

            return handler

        self.server.set_routes({path: counted(route) for path, route in routes.items()})

    def stop(self) -> None:
        self.server.stop()


def crawl(config: Path, run_dir: Path, day: str = DAY) -> list[dict]:
    """The crawl.jsonl rows of a crawl of `day` (which must exit 0)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMILL_")}
    result = subprocess.run([sys.executable, "-m", "spiders.crawl", "--config", str(config), "--from", day,
                             "--to", day, "--out", str(run_dir)],
                            cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in (run_dir / "crawl.jsonl").read_text().splitlines()]


def warc_records(data_dir: Path) -> list[tuple[str, bytes]]:
    """(target URI, HTTP body) of every WARC record under `data_dir`."""
    records = []
    for path in sorted((data_dir / "warc").rglob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                records.append((record.rec_headers.get_header("WARC-Target-URI"), record.content_stream().read()))
    return records


def settings_toml(data_dir: Path, **settings: object) -> str:
    """A ``[settings]`` table for fast loopback crawls, with `settings` on top."""
    values = {"data_dir": str(data_dir), "download_delay": 0, "autothrottle": False, "retries": 0,
              "download_timeout": 5, **settings}
    return "[settings]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
