"""A faithful local CC-NEWS archive, and the 127.0.0.1 server that serves it, for tests and the bench.

The files are laid out and written as Common Crawl's news-crawl writes them (see
`../shared/notes/ccnews.md`): ``crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz`` listing
``CC-NEWS-<YYYYMMDDHHMMSS>-<NNNNN>.warc.gz`` files under the month of their timestamp; each file a
``warcinfo`` record then ``request``/``response`` pairs (``WARC-Concurrent-To``), HTTP 200
responses only, bodies stored decoded with ``Content-Encoding``/``Content-Length`` renamed
``X-Crawler-*``, a body over the cap cut and marked ``WARC-Truncated: length``. Written with warcio,
one gzip member per record.

`ArchiveServer` honours HTTP Range (``bytes=N-`` and ``bytes=N-M``) and can answer 503 "SlowDown"
a given number of times or cut a connection after a given byte, once per file, as
data.commoncrawl.org does under load.
"""

from __future__ import annotations

import gzip
import io
import random
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PREFIX = "crawl-data/CC-NEWS"
TRUNCATE_AT = 5 * 1024 * 1024
"""news-crawl's cap on a stored body; longer ones are cut and marked ``WARC-Truncated``."""


@dataclass(frozen=True)
class Page:
    """One fetched page: its URL, decoded body, fetch moment and whether it was cut at the cap."""

    url: str
    body: bytes
    fetched_at: datetime
    truncated: bool = False
    content_type: str = "text/html; charset=utf-8"


@dataclass
class NewsFile:
    """One CC-NEWS file: begun at `begun` (its name's timestamp), its serial, its pages in order."""

    begun: datetime
    serial: int
    pages: list[Page] = field(default_factory=list)

    @property
    def path(self) -> str:
        """Its path under the base URL, as `warc.paths.gz` lists it."""
        return (f"{PREFIX}/{self.begun:%Y/%m}/CC-NEWS-{self.begun:%Y%m%d%H%M%S}-"
                f"{self.serial:05d}.warc.gz")


def _record_bytes(writer_buffer: io.BytesIO) -> bytes:
    data = writer_buffer.getvalue()
    writer_buffer.seek(0)
    writer_buffer.truncate()
    return data


def warc_bytes(news_file: NewsFile) -> bytes:
    """The file's bytes: warcinfo, then a request and a response per page."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version="1.0")
    out = io.BytesIO()
    info = writer.create_warcinfo_record(
        news_file.path.rsplit("/", 1)[1],
        {"software": "StormCrawler 2.x https://stormcrawler.net/", "format": "WARC File Format 1.0",
         "operator": "newsmill test archive", "description": "News crawl for Common Crawl (local copy)"})
    writer.write_record(info)
    out.write(_record_bytes(buffer))
    for page in news_file.pages:
        moment = page.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        host = page.url.split("/")[2]
        request = writer.create_warc_record(
            page.url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=StatusAndHeaders(f"GET /{page.url.split('/', 3)[3] if page.url.count('/') > 2 else ''} HTTP/1.1",
                                          [("Host", host), ("User-Agent", "CCBot/2.0")],
                                          is_http_request=True),
            warc_headers_dict={"WARC-Date": moment})
        body = page.body[:TRUNCATE_AT] if page.truncated else page.body
        headers = [("Content-Type", page.content_type), ("X-Crawler-Content-Encoding", "gzip"),
                   ("X-Crawler-Content-Length", str(max(len(page.body) // 3, 1))),
                   ("Content-Length", str(len(body)))]
        warc_headers = {"WARC-Date": moment,
                        "WARC-Concurrent-To": request.rec_headers.get_header("WARC-Record-ID")}
        if page.truncated:
            warc_headers["WARC-Truncated"] = "length"
        response = writer.create_warc_record(
            page.url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
            warc_headers_dict=warc_headers)
        writer.write_record(request)
        out.write(_record_bytes(buffer))
        writer.write_record(response)
        out.write(_record_bytes(buffer))
    return out.getvalue()


def write_archive(root: Path, files: Sequence[NewsFile], *, listed_in_order: bool = False) -> None:
    """Write `files` and each month's `warc.paths.gz` under `root` (the base URL's folder). The
    listing gives the files in serial order, as after a crawler restart, unless `listed_in_order`."""
    months: dict[str, list[NewsFile]] = {}
    for news_file in files:
        target = root / news_file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(warc_bytes(news_file))
        months.setdefault(f"{news_file.begun:%Y/%m}", []).append(news_file)
    for month, listed in months.items():
        order = sorted(listed, key=lambda f: f.begun if listed_in_order else (f.serial, f.begun))
        lines = "".join(f.path + "\n" for f in order).encode()
        (root / PREFIX / month / "warc.paths.gz").write_bytes(gzip.compress(lines))


# --- the pages of the standard test archive ----------------------------------------------------------

SITE = "gazette.example"
"""The source's domain; `www.` and `news.` pages are its subdomains."""
OTHER_SITE = "courier.example"
LOOKALIKE = "evil-gazette.example"


def article_html(title: str, paragraphs: Sequence[str], *, published: date | None, author: str) -> bytes:
    """A news page with a headline, a byline, its paragraphs and, when `published`, its date."""
    meta = (f'<meta property="article:published_time" content="{published.isoformat()}T08:00:00+00:00">'
            if published else "")
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"{meta}<meta name=\"author\" content=\"{author}\"></head><body><header><nav>"
            f"<a href=\"/\">Home</a> <a href=\"/world\">World</a></nav></header><main><article>"
            f"<h1>{title}</h1><p class=\"byline\">By {author}</p>\n{body}</article></main>"
            f"<footer>Copyright The Gazette</footer></body></html>").encode()


_WORDS = ("council harbour budget river bridge school market winter railway museum library "
          "festival election transport hospital weather station orchard ferry factory").split()


def paragraphs(seed: int, count: int = 5) -> list[str]:
    """Distinct, readable paragraphs (about 40 words each) for page `seed`."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        words = [rng.choice(_WORDS) for _ in range(38)]
        out.append(f"Report {seed}-{n}: the " + " ".join(words) + " were discussed at length today.")
    return out


def page_of_size(title: str, paragraphs_: Sequence[str], size: int, seed: int, *, published: date | None,
                 author: str) -> bytes:
    """`article_html` grown to about `size` bytes the way news pages are: inline scripts and JSON,
    menus and related-story links around the article (real CC-NEWS bodies are tens of KB).
    The filler is random words, so it compresses about as HTML does (3-5 times), not to nothing."""
    rng = random.Random(seed)
    page = article_html(title, paragraphs_, published=published, author=author)
    filler, length = [], len(page)
    while length < size:
        words = rng.choices(_FILLER_WORDS, k=40)
        piece = (f'<li><a href="/{words[0]}/{rng.randrange(10**7)}-{"-".join(words[1:6])}">'
                 f'{" ".join(words[1:9]).capitalize()}</a></li>\n' if rng.random() < 0.6 else
                 f'<script>window.__data_{rng.randrange(10**6)}={{"k":"{"_".join(words[:4])}",'
                 f'"v":{rng.randrange(10**9)},"t":"{" ".join(words[4:])}"}};</script>\n')
        filler.append(piece)
        length += len(piece)
    head, _, tail = page.partition(b"</header>")
    return head + b"</header><ul>" + "".join(filler).encode() + b"</ul>" + tail


_FILLER_WORDS = [f"{a}{b}" for a in ("news", "live", "sport", "world", "local", "video", "opinion", "market",
                                     "travel", "food", "style", "health", "science", "tech", "culture", "auto")
                 for b in ("", "s", "-today", "-update", "-latest", "-guide", "-review", "-photos", "-analysis",
                           "-weekly", "-morning", "-report", "-live", "-data", "-feature", "-brief")]


# --- fetch delays and time zones, for the margins ----------------------------------------------------

ZONES = tuple(range(-12, 15))
"""UTC offsets of the page dates, in hours: a page's date is the local date where it is published."""


def fetch_delay(rng: random.Random) -> timedelta:
    """Publication to CC-NEWS fetch, as news-crawl works: it polls feeds and news sitemaps, so most
    pages are fetched within hours (75 %: exponential, mean 2 h); a backlog or a late sitemap
    delays some by up to two days (17 %: 6 to 48 h), a few by up to a week (6 %), and the rest up
    to 30 days, after which news-crawl no longer fetches an item (2 %). An assumed model: CC-NEWS
    keeps no publication time to measure it from."""
    draw = rng.random()
    if draw < 0.75:
        hours = min(rng.expovariate(1 / 2), 6.0)
    elif draw < 0.92:
        hours = rng.uniform(6, 48)
    elif draw < 0.98:
        hours = rng.uniform(48, 168)
    else:
        hours = rng.uniform(168, 720)
    return timedelta(hours=hours)


@dataclass(frozen=True)
class Dated:
    """A page of the delay archive: its local date, and the file and moment it was fetched in."""

    day: date
    fetched_at: datetime
    file: NewsFile


def delay_archive(first: date, days: int, *, files_per_day: int = 12, pages_per_day: int = 2000,
                  seed: int = 17) -> tuple[list[NewsFile], list[Dated]]:
    """Files begun every 24 / `files_per_day` hours over `days` days from `first` (news-crawl writes
    12-20 GB a day in files of about 1 GB), and pages published uniformly over those days in a zone
    of `ZONES`, each fetched after `fetch_delay` into the file whose span holds that moment. The
    files hold no pages: the margins depend on where the pages fall, not on their bodies."""
    rng = random.Random(seed)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    step = timedelta(hours=24 / files_per_day)
    files = [NewsFile(start + n * step, n) for n in range(days * files_per_day)]
    end = start + days * timedelta(days=1)
    pages = []
    for _ in range(days * pages_per_day):
        published = start + timedelta(seconds=rng.uniform(0, days * 86400))
        fetched = published + fetch_delay(rng)
        if fetched >= end:
            continue
        local = published + timedelta(hours=rng.choice(ZONES))
        pages.append(Dated(local.date(), fetched, files[int((fetched - start) / step)]))
    return files, pages


@dataclass(frozen=True)
class Expected:
    """What a backfill of the standard archive should make of a page of `SITE`."""

    url: str
    published: date | None  # the page's own date; None when undated
    fetched_at: datetime
    truncated: bool = False


def standard_files(first: date) -> tuple[list[NewsFile], list[Expected]]:
    """The standard archive around `first` (best the last day of a month): files begun every
    8 hours (at 03, 11 and 19 h) from two days before `first` to three days after, so one crosses
    into the next month, serials restarting in the second month (its listing out of time order).
    `SITE`'s pages (on subdomains too, a third undated, one truncated, two published two days
    before they were fetched) are mixed with `OTHER_SITE`'s, the look-alike host's and a redirect
    URL that names `SITE` in its query."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=2)
    files, expected = [], []
    for n in range(18):  # 6 days, a file every 8 hours
        begun = start + timedelta(hours=3 + 8 * n, minutes=7 * (n % 3))
        serial = n if n < 12 else n - 12  # the crawler restarted: serials begin again at 0
        news_file = NewsFile(begun, serial)
        for k in range(3):
            fetched = begun + timedelta(hours=2 + 2 * k)
            seed = n * 10 + k
            host = (SITE, f"www.{SITE}", f"news.{SITE}")[k]
            dated = k != 1
            late = (n, k) in ((9, 2), (12, 0))  # fetched two days after it appeared
            published = (fetched - timedelta(days=2 if late else 0)).date() if dated else None
            url = f"https://{host}/stories/{seed}-story-{seed}"
            truncated = (n, k) == (7, 0)
            news_file.pages.append(Page(url, article_html(f"Gazette story {seed}", paragraphs(seed),
                                                          published=published, author=f"Reporter {seed % 4}"),
                                        fetched, truncated=truncated))
            expected.append(Expected(url, published, fetched, truncated))
            other = fetched + timedelta(minutes=20)
            news_file.pages.append(Page(f"https://{OTHER_SITE}/n/{seed}",
                                        article_html(f"Courier {seed}", paragraphs(1000 + seed),
                                                     published=other.date(), author="Courier desk"),
                                        other))
        news_file.pages.append(Page(f"https://{LOOKALIKE}/stories/{n}",
                                    article_html(f"Not the gazette {n}", paragraphs(2000 + n),
                                                 published=begun.date(), author="Someone"),
                                    begun + timedelta(minutes=30)))
        news_file.pages.append(Page(f"https://go.example/r?u=https%3A%2F%2F{SITE}%2Fstories%2F{n}",
                                    article_html(f"Redirect {n}", paragraphs(3000 + n),
                                                 published=begun.date(), author="Someone"),
                                    begun + timedelta(minutes=40)))
        files.append(news_file)
    return files, expected


def corrupt(path: Path, at: int = 2000, length: int = 64) -> None:
    """Overwrite `length` bytes of a file with garbage from byte `at` on (a damaged download)."""
    data = bytearray(path.read_bytes())
    data[at:at + length] = b"\xde\xad\xbe\xef" * (length // 4)
    path.write_bytes(bytes(data))


# --- the server ---------------------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass
class Faults:
    """What the server does wrong: 503 the first `slow_down[path]` GETs of a file; cut the first
    response of a file that reaches byte `cut[path]` there (connection closed mid-body); wait
    `delay` seconds before answering for a WARC file (a slow link, to stop a backfill midway)."""

    slow_down: dict[str, int] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0


class ArchiveServer:
    """Serves a folder on 127.0.0.1 (port 0: a free one) with Range and `Faults`; `requests` lists
    each GET as (path, first byte asked, status)."""

    def __init__(self, root: Path, faults: Faults | None = None) -> None:
        self.root = Path(root)
        self.faults = faults or Faults()
        self.requests: list[tuple[str, int, int]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                server._serve(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ArchiveServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def streamed(self) -> list[str]:
        """The WARC files a GET was answered for with bytes (200 or 206)."""
        return [path for path, _, status in self.requests if path.endswith(".warc.gz") and status in (200, 206)]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0].lstrip("/")
        if self.faults.delay and path.endswith(".warc.gz"):
            time.sleep(self.faults.delay)
        target = (self.root / path).resolve()
        match = _RANGE.match(handler.headers.get("Range", ""))
        first = int(match.group(1)) if match else 0
        with self._lock:
            slow = self.faults.slow_down.get(path, 0)
            if slow:
                self.faults.slow_down[path] = slow - 1
        if slow:
            self._answer(handler, path, first, 503, b"SlowDown", {"Retry-After": "0"})
            return
        if not target.is_file() or self.root.resolve() not in target.parents:
            self._answer(handler, path, first, 404, b"Not Found")
            return
        data = target.read_bytes()
        last = int(match.group(2)) if match and match.group(2) else len(data) - 1
        if match and first >= len(data):
            self._answer(handler, path, first, 416, b"", {"Content-Range": f"bytes */{len(data)}"})
            return
        part = data[first:last + 1]
        headers = {"Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        if match:
            headers["Content-Range"] = f"bytes {first}-{first + len(part) - 1}/{len(data)}"
        with self._lock:
            cut = self.faults.cut.get(path)
            if cut is not None and first <= cut < first + len(part):
                del self.faults.cut[path]
            else:
                cut = None
        self._answer(handler, path, first, 206 if match else 200, part, headers,
                     cut_after=None if cut is None else cut - first)

    def _answer(self, handler: BaseHTTPRequestHandler, path: str, first: int, status: int, body: bytes,
                headers: dict[str, str] | None = None, cut_after: int | None = None) -> None:
        with self._lock:
            self.requests.append((path, first, status))
        handler.send_response(status)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        if cut_after is not None:
            handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            handler.wfile.write(body if cut_after is None else body[:cut_after])
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client went away (a killed backfill)
            handler.close_connection = True
            return
        if cut_after is not None:
            handler.close_connection = True


@contextmanager
def serve_archive(root: Path, faults: Faults | None = None) -> Iterator[ArchiveServer]:
    """`ArchiveServer` on `root`, stopped on exit."""
    with ArchiveServer(root, faults) as server:
        yield server
