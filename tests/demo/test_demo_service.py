"""`newsmill demo --serve` serves the demo sites in the foreground on its config's ports, says where
crawls of them land, refuses a second start, and `newsmill demo --stop` ends it from another shell."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from bench.cli_harness import NEWSMILL
from newsmill.demo import write_demo_config


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _closed(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


@pytest.fixture
def demo_config(tmp_path: Path) -> tuple[Path, list[int]]:
    ports = [_free_port() for _ in range(3)]
    config = write_demo_config(tmp_path / "demo.toml", [f"http://127.0.0.1:{p}" for p in ports],
                               data_dir=tmp_path / "data" / "demo")
    return config, ports


def _newsmill(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NEWSMILL, "--config", str(config), "demo", *args], capture_output=True, text=True,
                          timeout=60)


def test_serve_then_stop_from_another_shell(demo_config, tmp_path: Path) -> None:
    config, ports = demo_config
    pid_file = tmp_path / "data" / "demo" / "demo-sites.pid"
    server = subprocess.Popen([NEWSMILL, "--config", str(config), "demo", "--serve"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        lines = [server.stdout.readline().strip() for _ in range(3)]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        assert lines == [
            f"demo sites (2026-10-22 .. 2026-11-20): {' '.join(urls)}",
            f"config {config}: its crawls write to {tmp_path / 'data' / 'demo' / 'news.duckdb'}",
            f"serving until Ctrl-C or `newsmill demo --stop` (pid {server.pid})",
        ]
        with urllib.request.urlopen(urls[1] + "/robots.txt", timeout=10) as answer:
            assert answer.status == 200
        assert json.loads(pid_file.read_text()) == {"pid": server.pid, "urls": urls}

        again = _newsmill(config, "--serve")
        assert (again.returncode, again.stdout) == (1, "")
        assert again.stderr.strip() == (f"Error: the demo sites already run (pid {server.pid}, {pid_file}); "
                                        "stop them with `newsmill demo --stop`")

        stopped = _newsmill(config, "--stop")
        assert (stopped.returncode, stopped.stdout) == (0, f"demo sites (pid {server.pid}) stopped\n")
        assert server.wait(timeout=10) == 0
        assert server.stdout.read() == "demo sites stopped\n"
        assert not pid_file.exists() and all(_closed(p) for p in ports)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    nothing = _newsmill(config, "--stop")
    assert (nothing.returncode, nothing.stdout) == (0, f"no demo sites run for {pid_file}; nothing to stop\n")


def test_sigterm_stops_the_sites_and_removes_the_pid_file(demo_config, tmp_path: Path) -> None:
    config, ports = demo_config
    server = subprocess.Popen([NEWSMILL, "--config", str(config), "demo", "--serve"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(3):
            server.stdout.readline()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0, server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert not (tmp_path / "data" / "demo" / "demo-sites.pid").exists()
    assert all(_closed(p) for p in ports)


def test_a_config_that_is_not_the_demo_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text('[[sources]]\nname = "gazette"\ndomains = ["example.org"]\nlanguage = "en"\n'
                      'feeds = ["https://example.org/rss.xml"]\n')
    done = _newsmill(config, "--serve")
    assert done.returncode == 2
    assert done.stderr == (f"newsmill: error: {config}: source 'gazette': not a demo site on 127.0.0.1:PORT "
                           "(domains ['example.org'])\n")
