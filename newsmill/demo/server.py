"""A tiny loopback HTTP server for demo sites, benchmarks and tests: serves a table of routes.

Binds 127.0.0.1 only. Each site gets its own port, so a config can name it as a domain
(``127.0.0.1:PORT``) exactly as a real site would be named.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Page:
    """One response: status, headers and body bytes."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[BaseHTTPRequestHandler], None]
"""A route may also be a function that writes the whole response itself (for faults)."""


def send_page(request: BaseHTTPRequestHandler, page: Page) -> None:
    """Answer `request` with `page`: what a route's handler calls once it has decided (or waited)."""
    request.send_response(page.status)
    request.send_header("Content-Type", page.content_type)
    request.send_header("Content-Length", str(len(page.body)))
    for name, value in page.headers.items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(page.body)


class _RequestHandler(BaseHTTPRequestHandler):
    routes: Mapping[str, Page | Handler] = {}
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        route = self.routes.get(urlsplit(self.path).path)
        if route is None:
            route = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
        if callable(route):
            route(self)
            return
        send_page(self, route)

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read the crawl log
        pass


class SiteServer:
    """Serve `routes` (path -> Page or handler) on 127.0.0.1 in a background thread."""

    def __init__(self, routes: Mapping[str, Page | Handler] | None = None, port: int = 0) -> None:
        handler = type("SiteHandler", (_RequestHandler,), {"routes": dict(routes or {})})
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        self._handler = handler
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.netloc}"

    def set_routes(self, routes: Mapping[str, Page | Handler]) -> None:
        """Replace the routes (sites whose pages link to their own port are built after binding)."""
        self._handler.routes = dict(routes)

    def start(self) -> SiteServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (also for a server that was never started)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def serving(routes: Mapping[str, Page | Handler]) -> Iterator[SiteServer]:
    """Context manager: a started server for `routes`, stopped on exit."""
    with SiteServer(routes) as server:
        yield server
