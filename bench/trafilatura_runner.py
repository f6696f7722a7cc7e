"""trafilatura under the throughput bench: `trafilatura.extract` in a plain loop on one core (a
child process: this module run as ``python -m bench.trafilatura_runner SITE LIMIT``), and the
trafilatura CLI fetching the same articles over HTTP.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus_site import load_corpus
from bench.process_tree import TreeMemory
from bench.throughput_site import Served

ROOT = Path(__file__).resolve().parents[1]


def baseline(site: Path, limit: int | None) -> dict:
    """Bare trafilatura.extract on one core over the site's pages (a child process)."""
    out = subprocess.run([sys.executable, "-m", "bench.trafilatura_runner", str(site), str(limit or 0)],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _extract_loop(site: Path, limit: int) -> None:
    """The baseline's child: prints its figures as one JSON line."""
    import warnings

    import trafilatura

    warnings.filterwarnings("ignore")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    pages = sorted((site / "pages").glob("*.html"))[: limit or None]
    blobs = [p.read_bytes() for p in pages]
    trafilatura.extract(blobs[0])
    started, cpu = time.perf_counter(), time.process_time()
    extracted = sum(1 for html in blobs if trafilatura.extract(html))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"pages": len(blobs), "extracted": extracted, "seconds": round(wall, 2),
                      "cpu_seconds": round(cpu, 2), "pages_per_s": round(len(blobs) / wall, 2)}))


def trafilatura_cli(server: Served, work: Path, exclude: set[int]) -> dict:
    """The trafilatura CLI over the article URLs, `--parallel 2 --json`, no politeness delay."""
    corpus = load_corpus(server.site)
    # courlan rejects 127.0.0.1:PORT as a host name; localhost:PORT passes its checks
    base = server.url.replace("127.0.0.1", "localhost")
    urls = work / "urls.txt"
    urls.write_text("".join(p.url(base) + "\n" for p in corpus.pages))
    cfg = work / "trafilatura.cfg"
    python = Path(sys.executable)
    default = python.parent.parent / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    text = (default / "site-packages" / "trafilatura" / "settings.cfg").read_text()
    text = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", text)
    text = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", text)
    cfg.write_text(text)
    # --json (metadata too, as newsmill extracts it) to stdout, one line per document: with -o the
    # CLI names files by a content hash and near-identical pages overwrite each other
    out = work / "trafilatura-out.jsonl"
    command = [str(python.parent / "trafilatura"), "-i", str(urls), "--json", "--parallel", "2",
               "--config-file", str(cfg)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err, out.open("wb") as sink:
        child = subprocess.Popen(command, stdout=sink, stderr=err)
        with TreeMemory(child.pid, exclude) as memory:
            child.wait()
        wall = time.perf_counter() - started
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
    docs = sum(1 for line in out.read_bytes().splitlines() if line.startswith(b"{"))
    return {"pages": len(corpus.pages), "files": docs, "seconds": round(wall, 2),
            "pages_per_s": round(len(corpus.pages) / wall, 2), "exit": child.returncode,
            "stderr_tail": tail, **memory.summary()}


if __name__ == "__main__":
    _extract_loop(Path(sys.argv[1]), int(sys.argv[2]))
