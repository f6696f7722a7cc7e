"""The scale bench's news sites: N sources, each on a host of its own in 127.0.0.0/8, served by one
(or a few) small processes.

Scrapy keeps one download slot per host name (the port does not count), so sources on one address
would share one slot and one `download_delay`; one address per source gives each its own, as N
real sites would. Linux routes the whole of 127.0.0.0/8 to the loopback device, so 127.0.1.1,
127.0.1.2, … can be bound without any setup (`host_address` gives source i's address; `start`
checks the last one binds).

Each source's site, all on one port:

    /robots.txt        allow all
    /feed.xml          RSS 2.0: the day's K articles, pubDate the day
    /sitemap.xml       the same K articles, lastmod the day
    /news/<j>.html     an article: a demo topic's English paragraphs, a sentence unique to (i, j),
                       the day in <time datetime>, and site chrome (navigation, related links, footer)

Pages are made on request from the source's index, read from the address the request came in on,
so the server holds no site in memory and starts at once. The server is this module run as a
program (``python -m bench.scale_site --sources N --articles K --day D --port P``); `Served` starts
`processes` of them on one port (SO_REUSEPORT: the kernel spreads the connections).
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import json
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from functools import cache
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTS_PER_BLOCK = 250  # 127.0.B.1 .. 127.0.B.250, B from 1: never 127.0.0.1, which other servers use
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TAG = re.compile(r"^\[[\d,]+\]\s*")


def host_address(index: int) -> str:
    """Source `index`'s address: 127.0.1.1 for 0, 127.0.1.2 for 1, … 127.0.2.1 for 250, …"""
    block, offset = divmod(index, HOSTS_PER_BLOCK)
    if block >= 254:
        raise ValueError(f"source {index}: no address left in 127.0.0.0/8 for it")
    return f"127.0.{block + 1}.{offset + 1}"


def source_name(index: int) -> str:
    return f"s{index:05d}"


def config_text(sources: int, port: int, data_dir: Path, database: Path, download_delay: float) -> str:
    """A sources TOML crawling `sources` sites served on `port`, one host each."""
    q = json.dumps  # a JSON string is a TOML basic string
    lines = ["[settings]", f"data_dir = {q(str(data_dir))}", f"database = {q(str(database))}",
             'user_agent = "newsmill-bench/0.1 (loopback scale bench)"', "obey_robots = true",
             f"download_delay = {download_delay}", "autothrottle = false", "retries = 1",
             "download_timeout = 30"]
    for i in range(sources):
        base = f"http://{host_address(i)}:{port}"
        lines += ["", "[[sources]]", f"name = {q(source_name(i))}", f"domains = [{q(f'{host_address(i)}:{port}')}]",
                  'language = "en"', f"feeds = [{q(base + '/feed.xml')}]", f"sitemaps = [{q(base + '/sitemap.xml')}]"]
    return "\n".join(lines) + "\n"


# --- the pages ------------------------------------------------------------------------------------


@cache
def _topics() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(headlines, body paragraphs) of each English demo topic, placeholders filled with one set of
    names: the text reads as news of one story, which the cleaning keeps."""
    from newsmill.demo.textpool import text_pool

    pool = text_pool("en")
    names = {key: values[0] for key, values in pool.names.items() if values}

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: names.get(m[1], "Harbourton"), _TAG.sub("", text))

    return [(tuple(fill(h) for h in topic.headlines), tuple(fill(p) for p in topic.body))
            for topic in pool.topics.values() if topic.headlines and topic.body]


def article_title(source: int, article: int) -> str:
    headlines, _ = _topics()[(source + article) % len(_topics())]
    return f"{headlines[(source * 31 + article) % len(headlines)]} ({source_name(source)} no. {article})"


def article_page(source: int, article: int, day: date, base: str) -> bytes:
    """Article `article` of source `source`, published on `day`."""
    _, body = _topics()[(source + article) % len(_topics())]
    title = escape(article_title(source, article))
    words = " ".join(f"w{(source * 7919 + article * 104729 + k * 613) % 99991:05d}" for k in range(8))
    paragraphs = [f"Report {article} of {source_name(source)} notes {words}.", *body]
    # chrome of a real news page's size (tens of KB): menus, link lists, a tracking script
    nav = "".join(f'<li class="menu-item"><a href="{base}/section/{n}/">Section {n}</a></li>' for n in range(120))
    links = "".join(f'<li><a href="{base}/topic/{n}/">Topic {n} of the week</a></li>' for n in range(150))
    script = "var config = " + json.dumps({f"slot{n}": {"size": [300, 250], "id": n} for n in range(150)}) + ";"
    related = "".join(f'<li><a href="{base}/news/{(article + n) % 50}.html">More news {n}</a></li>'
                      for n in range(1, 6))
    html = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="description" content="{escape(paragraphs[1][:150])}">'
        f'<link rel="canonical" href="{base}/news/{article}.html"><script>{script}</script></head><body>'
        f'<header><a href="{base}/">{source_name(source)} news</a><nav><ul>{nav}</ul></nav></header>'
        f'<main><article><h1>{title}</h1><p class="byline">By Staff · '
        f'<time datetime="{day.isoformat()}T09:00:00Z">{day:%d %B %Y}</time></p>'
        + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        + f'</article><aside><h2>Related</h2><ul>{related}</ul></aside></main>'
        f'<footer><ul>{links}</ul><p>© {day.year} {source_name(source)} news. All rights reserved.</p></footer></body></html>'
    )
    return html.encode()


def feed(source: int, articles: int, day: date, base: str) -> bytes:
    moment = email.utils.format_datetime(datetime(day.year, day.month, day.day, 9, tzinfo=UTC))
    items = "".join(f"<item><title>{escape(article_title(source, j))}</title><link>{base}/news/{j}.html</link>"
                    f"<pubDate>{moment}</pubDate></item>" for j in range(articles))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{source_name(source)}'
            f"</title><link>{base}/</link>{items}</channel></rss>").encode()


def sitemap(articles: int, day: date, base: str) -> bytes:
    urls = "".join(f"<url><loc>{base}/news/{j}.html</loc><lastmod>{day.isoformat()}</lastmod></url>"
                   for j in range(articles))
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>").encode()


def respond(address: str, port: int, path: str, articles: int, day: date) -> tuple[int, str, bytes]:
    """(status, content type, body) of `path` on the site at `address`."""
    block, offset = (int(part) for part in address.split(".")[2:])
    source = (block - 1) * HOSTS_PER_BLOCK + offset - 1
    base = f"http://{address}:{port}"
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nAllow: /\n"
    if path == "/feed.xml":
        return 200, "application/rss+xml", feed(source, articles, day, base)
    if path == "/sitemap.xml":
        return 200, "application/xml", sitemap(articles, day, base)
    match = re.fullmatch(r"/news/(\d+)\.html", path)
    if match and int(match[1]) < articles:
        return 200, "text/html; charset=utf-8", article_page(source, int(match[1]), day, base)
    return 404, "text/html", b"<html><body><h1>Not found</h1></body></html>"


# --- the server -----------------------------------------------------------------------------------


class _Http(asyncio.Protocol):
    """HTTP/1.1 GET with keep-alive, just enough for a crawler."""

    articles: int
    day: date

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.address, self.port = transport.get_extra_info("sockname")[:2]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1].split("?")[0] if len(lines[0].split(" ")) > 1 else "/"
            close = any(line.lower().startswith("connection:") and "close" in line.lower() for line in lines[1:])
            status, kind, body = respond(self.address, self.port, path, self.articles, self.day)
            reason = "OK" if status == 200 else "Not Found"
            self.transport.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\n"  # type: ignore[attr-defined]
                                 f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            if close:
                self.transport.close()
                return


async def _serve(sources: int, articles: int, day: date, port: int) -> None:
    protocol = type("Http", (_Http,), {"articles": articles, "day": day})
    loop = asyncio.get_running_loop()
    servers = [await loop.create_server(protocol, host_address(i), port, reuse_port=True, backlog=512)
               for i in range(sources)]
    print("ready", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


def free_port(sources: int) -> int:
    """A port free on source 0's address (its listeners are opened with SO_REUSEPORT)."""
    with socket.socket() as probe:
        probe.bind((host_address(0), 0))
        return probe.getsockname()[1]


class Served:
    """`processes` server processes for `sources` sites of `articles` articles each, until `stop`."""

    def __init__(self, sources: int, articles: int, day: date, processes: int = 1) -> None:
        self.sources, self.articles, self.day = sources, articles, day
        self.port = free_port(sources)
        command = [sys.executable, "-m", "bench.scale_site", "--sources", str(sources), "--articles",
                   str(articles), "--day", day.isoformat(), "--port", str(self.port)]
        self.processes = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
                          for _ in range(processes)]
        deadline = time.monotonic() + 60
        for process in self.processes:
            line = process.stdout.readline()  # type: ignore[union-attr]
            if line.strip() != "ready" or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"scale site server did not start (exit {process.poll()})")

    @property
    def pids(self) -> set[int]:
        return {p.pid for p in self.processes}

    def url(self, source: int) -> str:
        return f"http://{host_address(source)}:{self.port}"

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the scale bench's sites on 127.0.B.x, one address per source.")
    parser.add_argument("--sources", type=int, required=True)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args.sources, args.articles, args.day, args.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
