"""Real crawls: ``python -m spiders.crawl`` in a subprocess against a loopback site."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from pathlib import Path

from crawlsite import (
    ARTICLES,
    DAY20,
    REPO,
    RecordingSite,
    article,
    crawl_command,
    crawl_env,
    news_routes,
    run_crawl,
    write_config,
)
from warcio.archiveiterator import ArchiveIterator

from newsmill.demo.server import Page, send_page
from spiders.warc import good_length


def _rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "crawl.jsonl").read_text().splitlines()]


def _warc(path: Path) -> list[tuple[int, dict[str, str], bytes]]:
    records = []
    with path.open("rb") as f:
        iterator = ArchiveIterator(f)
        for record in iterator:
            body = record.content_stream().read()
            records.append((iterator.get_record_offset(), dict(record.rec_headers.headers), body))
    return records


def test_crawl_one_day(site: RecordingSite, tmp_path: Path) -> None:
    site.set_routes(news_routes(site.url))
    data = tmp_path / "data"
    config = write_config(tmp_path / "sources.toml", site, data)
    run_dir = tmp_path / "run"
    result = run_crawl(config, "2026-11-20", "2026-11-20", run_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""

    rows = _rows(run_dir)
    articles = [r for r in rows if r["kind"] == "article"]
    fetched = {r["url"] for r in articles if r["outcome"] == "fetched"}
    assert fetched == {site.url + path for path in DAY20}
    assert len([r for r in articles if r["outcome"] == "fetched"]) == len(DAY20)  # each URL once
    for path in DAY20:
        assert site.counts()[path] == 1
    for path in set(ARTICLES) - DAY20:
        assert site.counts()[path] == 0
    assert site.counts()["/sitemaps/2026-10.xml"] == 0  # index child modified before the day
    assert site.counts()["/private/members-20"] == 0  # robots.txt Disallow
    (blocked,) = [r for r in articles if r["outcome"] == "failed"]
    assert blocked["url"] == site.url + "/private/members-20"
    assert blocked["error"] == "forbidden by robots.txt"
    assert not any("partner" in r["url"] for r in rows)  # off the source's domains: not tried

    council = next(r for r in articles if "council" in r["url"])
    assert council["listed_date"] == "2026-11-20" and council["status"] == 200
    assert council["listed_title"] == "Council votes on budget"
    assert set(council) == {"source", "url", "kind", "listed_date", "outcome", "status", "error",
                            "fetched_at", "warc_file", "warc_offset", "listed_title"}
    kinds = {(r["kind"], r["outcome"]) for r in rows if r["kind"] != "article"}
    assert kinds == {("robots", "fetched"), ("feed", "fetched"), ("sitemap", "fetched"), ("archive", "fetched")}

    warc = data / "warc" / "town" / "2026-11-20.warc.gz"
    assert sorted(p.name for p in (data / "warc" / "town").iterdir()) == ["2026-11-20.warc.gz"]
    records = _warc(warc)
    by_offset = {offset: (headers, body) for offset, headers, body in records}
    stored = {h["Newsmill-Canonical-URL"] for h, _ in by_offset.values() if h["Newsmill-Kind"] == "article"}
    assert stored == fetched
    for row in rows:
        if row["outcome"] == "fetched":
            headers, body = by_offset[row["warc_offset"]]
            assert row["warc_file"] == str(warc)
            assert headers["Newsmill-Canonical-URL"] == row["url"]
            assert headers["Newsmill-Source"] == "town"
            assert headers["Newsmill-Kind"] == row["kind"]
            if row["kind"] == "article":
                assert headers["Newsmill-Listed-Date"] == "2026-11-20"
                assert body.startswith(b"<html>")

    done = json.loads((run_dir / "crawl.done.json").read_text())
    assert done["sources"] == {"town": {"fetched": 11, "failed": 1, "skipped": 0}}  # 6 listings

    # A second run with every article already loaded fetches no article, and appends to the WARC.
    skip = tmp_path / "skip.txt"
    skip.write_text("".join(f"{site.url}{p}?utm_campaign=x\n" for p in DAY20) + f"{site.url}/private/members-20\n")
    before = site.counts()
    rerun = tmp_path / "rerun"
    result = run_crawl(config, "2026-11-20", "2026-11-20", rerun, "--skip-urls", str(skip))
    assert result.returncode == 0, result.stderr
    after = site.counts()
    assert all(after[p] == before[p] for p in (*ARTICLES, "/private/members-20"))
    skipped = {r["url"] for r in _rows(rerun) if r["outcome"] == "skipped"}
    assert skipped == {site.url + p for p in DAY20} | {site.url + "/private/members-20"}
    assert not [r for r in _rows(rerun) if r["kind"] == "article" and r["outcome"] != "skipped"]
    assert len(_warc(warc)) > len(records)
    assert json.loads((rerun / "crawl.done.json").read_text())["sources"]["town"]["skipped"] == 6


def test_failures_are_logged_with_readable_errors(site: RecordingSite, tmp_path: Path) -> None:
    def slow(request) -> None:
        time.sleep(2.5)
        send_page(request, article("Slow", "2026-11-20"))

    pages = {
        "/n/missing-1": None,
        "/n/report-1.pdf": Page(b"%PDF-1.4 test", content_type="application/pdf"),
        "/n/moved-1": Page(b"", status=301, headers={"Location": "http://localhost:9/elsewhere-1"}),
        "/n/huge-1": Page(b"<html>" + b"x" * 200_000 + b"</html>"),
        "/n/slow-1": slow,
        "/n/broken-1": Page(b"oops", status=500),
        "/n/fine-1": article("Fine", "2026-11-20"),
    }
    items = "".join(
        f"<item><title>{p}</title><link>{site.url}{p}</link><pubDate>Fri, 20 Nov 2026 10:00:00 +0000</pubDate></item>"
        for p in pages
    )
    routes = {p: page for p, page in pages.items() if page is not None}
    routes["/feed.xml"] = Page(f"<rss version='2.0'><channel>{items}</channel></rss>".encode(),
                               content_type="application/rss+xml")
    routes["/broken.xml.gz"] = Page(b"\x1f\x8b\x08\x00broken", content_type="application/x-gzip")
    site.set_routes(routes)
    config = write_config(
        tmp_path / "sources.toml", site, tmp_path / "data",
        settings={"max_page_bytes": 100000, "download_timeout": 1, "obey_robots": False},
        source=f'feeds = ["{site.url}/feed.xml", "{site.url}/missing-feed.xml"]\n'
               f'sitemaps = ["{site.url}/broken.xml.gz"]',
    )
    result = run_crawl(config, "2026-11-20", "2026-11-20", tmp_path / "run")
    assert result.returncode == 0, result.stderr
    rows = {r["url"].removeprefix(site.url): r for r in _rows(tmp_path / "run")}
    errors = {p: (r["outcome"], r["status"], r["error"]) for p, r in rows.items()}
    assert errors["/n/fine-1"] == ("fetched", 200, None)
    assert errors["/n/missing-1"] == ("failed", 404, "HTTP 404 Not Found")
    assert errors["/n/broken-1"] == ("failed", 500, "HTTP 500 Internal Server Error")
    assert errors["/missing-feed.xml"] == ("failed", 404, "HTTP 404 Not Found")
    assert errors["/broken.xml.gz"] == ("failed", 200, "unreadable sitemap: broken gzip data: truncated")
    assert errors["/n/report-1.pdf"] == ("failed", 200, "not an HTML page (content type 'application/pdf')")
    assert errors["/n/moved-1"] == ("failed", None, "redirected off-site to http://localhost:9/elsewhere-1")
    assert errors["/n/huge-1"][:2] == ("failed", None)
    assert errors["/n/huge-1"][2].startswith("page larger than the size limit")
    assert errors["/n/slow-1"][:2] == ("failed", None)
    assert "timed out" in errors["/n/slow-1"][2]
    assert all(r["warc_file"] is None for r in rows.values() if r["outcome"] == "failed")


def test_crawl_delay_from_robots_txt_spaces_requests(site: RecordingSite, tmp_path: Path) -> None:
    paths = [f"/n/story-{i}" for i in range(3)]
    items = "".join(f"<item><link>{site.url}{p}</link></item>" for p in paths)  # undated: taken
    routes = {p: article(p, "2026-11-20") for p in paths}
    routes["/feed.xml"] = Page(f"<rss version='2.0'><channel>{items}</channel></rss>".encode(),
                               content_type="application/rss+xml")
    routes["/robots.txt"] = Page(b"User-agent: *\nCrawl-delay: 1\nDisallow: /private/\n", content_type="text/plain")
    site.set_routes(routes)
    config = write_config(tmp_path / "sources.toml", site, tmp_path / "data",
                          settings={"concurrency_per_domain": 4},
                          source=f'feeds = ["{site.url}/feed.xml"]')
    result = run_crawl(config, "2026-11-20", "2026-11-20", tmp_path / "run")
    assert result.returncode == 0, result.stderr
    times = sorted(t for t, path in site.hits if path in paths)
    assert len(times) == 3
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps


def test_sigterm_leaves_appendable_warc_and_no_done_file(site: RecordingSite, tmp_path: Path) -> None:
    paths = [f"/n/slow-story-{i}" for i in range(20)]

    def slow(request) -> None:
        time.sleep(0.1)
        send_page(request, article(request.path, "2026-11-20"))

    items = "".join(f"<item><link>{site.url}{p}</link></item>" for p in paths)
    routes = {p: slow for p in paths}
    routes["/feed.xml"] = Page(f"<rss version='2.0'><channel>{items}</channel></rss>".encode(),
                               content_type="application/rss+xml")
    site.set_routes(routes)
    data = tmp_path / "data"
    config = write_config(tmp_path / "sources.toml", site, data,
                          settings={"concurrency_per_domain": 1, "obey_robots": False},
                          source=f'feeds = ["{site.url}/feed.xml"]')
    run_dir = tmp_path / "run"
    child = subprocess.Popen(crawl_command(config, "2026-11-20", "2026-11-20", run_dir), cwd=REPO,
                             env=crawl_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = run_dir / "crawl.jsonl"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 4):
        time.sleep(0.1)
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=30)
    assert child.returncode == 143, stderr
    assert not (run_dir / "crawl.done.json").exists()
    lines = len(_rows(run_dir))
    assert 4 <= lines < 21
    warc = data / "warc" / "town" / "2026-11-20.warc.gz"
    assert good_length(warc) == warc.stat().st_size
    before = len(_warc(warc))

    result = run_crawl(config, "2026-11-20", "2026-11-20", tmp_path / "run2")
    assert result.returncode == 0, result.stderr
    assert len(_warc(warc)) == before + 21


def test_bad_arguments_exit_2_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nname = "a"\ndomains = ["a.test"]\nlanguage = "en"\nfeeds = ["https://a.test/f"]\n')
    cases = [
        ("2026-11-20", "2026-13-01", []),
        ("2026-11-21", "2026-11-20", []),
        ("2026-11-20", "2026-11-20", ["--source", "nope"]),
        ("2026-11-20", "2026-11-20", ["--skip-urls", str(tmp_path / "missing.txt")]),
    ]
    for first, last, extra in cases:
        result = run_crawl(config, first, last, tmp_path / "run", *extra)
        assert result.returncode == 2, (extra, result.stderr)
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "error:" in result.stderr
    missing = run_crawl(tmp_path / "nope.toml", "2026-11-20", "2026-11-20", tmp_path / "run")
    assert missing.returncode == 2 and "config file not found" in missing.stderr


def test_many_sources_in_one_process(site: RecordingSite, tmp_path: Path) -> None:
    names = [f"site-{i}" for i in range(6)]
    routes: dict[str, Page] = {}
    sources = ""
    for name in names:
        path = f"/{name}/story-1"
        routes[path] = article(name, "2026-11-20")
        feed = f"<rss version='2.0'><channel><item><link>{site.url}{path}</link></item></channel></rss>"
        routes[f"/{name}/feed.xml"] = Page(feed.encode(), content_type="application/rss+xml")
        sources += (f'\n[[sources]]\nname = "{name}"\ndomains = ["{site.netloc}"]\nlanguage = "en"\n'
                    f'feeds = ["{site.url}/{name}/feed.xml"]\n')
    site.set_routes(routes)
    config = tmp_path / "sources.toml"
    config.write_text(f'[settings]\ndata_dir = "{tmp_path / "data"}"\ndownload_delay = 0\n'
                      f"concurrency = 2\nautothrottle = false\n{sources}")
    run_dir = tmp_path / "run"
    result = run_crawl(config, "2026-11-20", "2026-11-20", run_dir, "--source", "site-1",
                       "--source", "site-2", "site-3", "--source", "site-5", "--source", "site-1")
    assert result.returncode == 0, result.stderr
    done = json.loads((run_dir / "crawl.done.json").read_text())
    chosen = ["site-1", "site-2", "site-3", "site-5"]
    assert done["sources"] == {n: {"fetched": 2, "failed": 0, "skipped": 0} for n in chosen}
    assert {r["source"] for r in _rows(run_dir)} == set(chosen)
    assert site.counts()["/site-0/feed.xml"] == 0
    for name in chosen:
        assert (tmp_path / "data" / "warc" / name / "2026-11-20.warc.gz").exists()


def test_per_site_concurrency_is_enforced_without_delay(site: RecordingSite, tmp_path: Path) -> None:
    """Guards spiders.downloader: Scrapy 2.19 alone starts all queued requests of a site at once."""
    paths = [f"/n/story-{i}" for i in range(12)]
    lock = threading.Lock()
    active, peak = [0], [0]

    def slow(request) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.15)
        with lock:
            active[0] -= 1
        send_page(request, article(request.path, "2026-11-20"))

    items = "".join(f"<item><link>{site.url}{p}</link></item>" for p in paths)
    routes = {p: slow for p in paths}
    routes["/feed.xml"] = Page(f"<rss version='2.0'><channel>{items}</channel></rss>".encode(),
                               content_type="application/rss+xml")
    site.set_routes(routes)
    config = write_config(tmp_path / "sources.toml", site, tmp_path / "data",
                          settings={"concurrency_per_domain": 3, "obey_robots": False},
                          source=f'feeds = ["{site.url}/feed.xml"]')
    result = run_crawl(config, "2026-11-20", "2026-11-20", tmp_path / "run")
    assert result.returncode == 0, result.stderr
    assert len(_rows(tmp_path / "run")) == 13
    assert peak[0] == 3
