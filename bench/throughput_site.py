"""The throughput bench's news site: corpus pages copied into distinct articles, served on loopback
from a process of its own so its CPU is not the pipeline's.

The server is this module run as a program (``python -m bench.throughput_site SITE``): it serves
SITE with `corpus_site` and writes its port to SITE/port.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from bench.corpus_site import load_corpus, serve_corpus, write_corpus_config

ROOT = Path(__file__).resolve().parents[1]
_P_OPEN = re.compile(rb"<p(\s[^>]*)?>", re.IGNORECASE)
_BODY_OPEN = re.compile(rb"<body(\s[^>]*)?>", re.IGNORECASE)


def build_site(corpus_dir: Path, out: Path, days: list[date], per_day: int, sites: int = 4) -> int:
    """A corpus-format directory: `per_day` distinct pages for each day, cycling the corpus pages.

    Each copy gets a sentence of its own at the start of its first paragraph (a number and words
    drawn from it), so content hashes differ and the copies are separate articles.
    """
    rows = [json.loads(line) for line in (corpus_dir / "manifest.jsonl").read_text().splitlines() if line.strip()]
    (out / "pages").mkdir(parents=True, exist_ok=True)
    manifest = []
    n = 0
    for day in days:
        for _ in range(per_day):
            src = rows[n % len(rows)]
            html = (corpus_dir / "pages" / f"{src['id']}.html").read_bytes()
            words = " ".join(f"w{(n * 7919 + k * 104729) % 99991:05d}" for k in range(8))
            sentence = f"Bench copy {n} of {src['id']} notes {words}. ".encode()
            match = _P_OPEN.search(html) or _BODY_OPEN.search(html)
            if match:
                html = html[: match.end()] + sentence + html[match.end():]
            page_id = f"b{n:06d}-{src['id']}"
            (out / "pages" / f"{page_id}.html").write_bytes(html)
            manifest.append({"id": page_id, "site": f"bench{n % sites}.test", "lang": src.get("lang") or "en",
                             "published": day.isoformat(), "title": src.get("title")})
            n += 1
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in manifest))
    return n


class Served:
    """A site directory served on 127.0.0.1 by a child process, until `stop`."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.port_file = site / "port"
        self.port_file.unlink(missing_ok=True)
        self.process = subprocess.Popen([sys.executable, "-m", "bench.throughput_site", str(site)],
                                        cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(600):
            if self.port_file.exists() and self.port_file.read_text().strip():
                break
            if self.process.poll() is not None:
                raise RuntimeError("site server did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port_file.read_text().strip()}"

    def write_config(self, data_dir: Path) -> Path:
        """A newsmill config crawling this site into `data_dir`."""
        return write_corpus_config(self.site / "sources.toml", self.url, load_corpus(self.site), data_dir=data_dir)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def serve(site: Path) -> None:
    """Serve `site` until interrupted, its port written to `site`/port."""
    from http.server import ThreadingHTTPServer

    # the default listen backlog (5) drops connections when the crawler opens 32 at once; the
    # client then retries after 1, 3, 7, 15, 31 s (SYN back-off), which looks like a slow crawl
    ThreadingHTTPServer.request_queue_size = 256

    corpus = load_corpus(site)
    with serve_corpus(corpus) as server:
        (site / "port").write_text(str(server.port))
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
