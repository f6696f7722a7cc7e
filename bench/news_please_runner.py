"""news-please under the throughput bench, in a virtualenv of its own: it cannot share newsmill's
(its boto3 pins python-dateutil<3, newsmill pins 4.0), so its child is a script written out and
run by that virtualenv's Python.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from bench.corpus_site import load_corpus
from bench.process_tree import TreeMemory
from bench.throughput_site import Served

NEWS_PLEASE_CHILD = """
import json, sys, time, warnings
from concurrent.futures import ProcessPoolExecutor
warnings.filterwarnings("ignore")
from newsplease import NewsPlease
from newsplease.crawler.simple_crawler import SimpleCrawler

def extract(item):
    url, html = item
    warnings.filterwarnings("ignore")
    try:
        article = NewsPlease.from_html(html, url, None, False) if html else None
    except Exception:
        return False
    return bool(article is not None and article.maintext)

if __name__ == "__main__":
    urls = open(sys.argv[1]).read().split()
    started = time.perf_counter()
    # what NewsPlease.from_urls does (threaded fetch, then a process pool on all cores); its own
    # pool step returns {} for every page in 1.6.16 here, so the same steps are called directly
    pages = SimpleCrawler.fetch_urls(urls)
    with ProcessPoolExecutor() as pool:
        texts = sum(pool.map(extract, pages.items(), chunksize=8))
    wall = time.perf_counter() - started
    print(json.dumps({"pages": len(urls), "articles": texts, "seconds": round(wall, 2)}))
"""


def news_please(python: Path, server: Served, work: Path, exclude: set[int], limit: int) -> dict:
    """news-please as a library (`NewsPlease.from_urls`: threaded fetch, then a process pool on all
    cores) over the same article URLs, run by `python`, news-please 1.6.16's virtualenv."""
    corpus = load_corpus(server.site)
    urls = work / "np-urls.txt"
    urls.write_text("".join(p.url(server.url) + "\n" for p in corpus.pages[: limit or None]))
    script = work / "np_child.py"
    script.write_text(NEWS_PLEASE_CHILD)
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen([str(python), str(script), str(urls)], stdout=out, stderr=subprocess.DEVNULL)
        with TreeMemory(child.pid, exclude) as memory:
            child.wait()
        out.seek(0)
        lines = [line for line in out.read().splitlines() if line.startswith("{")]
    if child.returncode or not lines:
        return {"error": f"exit {child.returncode}"}
    got = json.loads(lines[-1])
    return {**got, "pages_per_s": round(got["pages"] / got["seconds"], 2), **memory.summary()}
