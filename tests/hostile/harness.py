"""What only the tests of `tests/hostile` need beside the shared `bench.cli_harness`: waiting for a
CLI they started, and running the real crawl entry point (``python -m spiders.crawl``) and reading
the WARC records it wrote.

The crawl runs from the repository holding this file and inherits PYTHONPATH, so it runs the code
under test, whichever checkout that is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from bench.hostile_site import DAY

REPO = Path(__file__).resolve().parents[2]


def finish(child: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    """Wait for the CLI (bounded); its exit status and stderr."""
    _, stderr = child.communicate(timeout=timeout)
    return child.returncode, stderr


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
