"""``python -m newsmill.demo``: serve the demo sites in the foreground until Ctrl-C or SIGTERM.

On any ports (0 for ephemeral ones), without a pid file; ``newsmill demo --serve`` serves them on
the ports of the demo config and can be stopped with ``newsmill demo --stop``.
"""

from __future__ import annotations

import argparse
from datetime import date

from newsmill.demo.generate import DEFAULT_DAYS, DEFAULT_LAST
from newsmill.demo.service import serve_until_stopped
from newsmill.demo.sites import DEFAULT_PORTS, DemoServers, write_demo_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsmill.demo", description=__doc__)
    parser.add_argument("--ports", type=int, nargs=3, default=list(DEFAULT_PORTS),
                        metavar="PORT", help="three ports, 0 for ephemeral (default: %(default)s)")
    parser.add_argument("--start", type=date.fromisoformat, default=None,
                        help=f"first day of articles, YYYY-MM-DD (default: the DAYS days ending {DEFAULT_LAST})")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="number of days (default: %(default)s)")
    parser.add_argument("--config", help="also write a sources TOML for the served sites to this path")
    args = parser.parse_args(argv)

    def announce(servers: DemoServers) -> None:
        demo = servers.demo
        print(f"newsmill demo: {demo.start} .. {demo.last}, serving on 127.0.0.1 (Ctrl-C to stop)")
        for site, server in zip(demo.sites, servers, strict=True):
            print(f"  {site.name:<10} {site.spec.title:<24} {server.url}/  ({len(site.articles)} articles)")
        if args.config:
            write_demo_config(args.config, servers)
            print(f"sources config written to {args.config}")
        print(end="", flush=True)

    serve_until_stopped(args.ports, announce, start=args.start, days=args.days)
    print("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
