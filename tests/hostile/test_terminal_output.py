"""Crawled text is data, never markup: pages whose titles hold Rich markup and terminal escapes are
crawled over loopback by the real CLI, then read back with `query` and `search` on a console that
renders styles and hyperlinks as a terminal would. The markup must show as typed, nothing may
crash, and no control sequence from the data may reach the output."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import cli_harness
from bench.hostile_site import DAY
from bench.loopback_sites import CONTROLS, LINK, MARKUP, OSC8, TERMINAL, markup_routes, visible
from newsmill.demo.server import SiteServer


def squeezed(text: str) -> str:
    """`text` without whitespace, to find a long line that a table has wrapped."""
    return "".join(text.split())


def assert_harmless(output: str) -> None:
    assert "\x1b]8;" not in output  # no hyperlink, neither from data nor from markup
    shown = visible(output)
    for control in CONTROLS:
        assert control not in shown, (control, shown)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A config whose warehouse holds the crawled hostile pages; the site stays up for more runs."""
    work = tmp_path_factory.mktemp("terminal")
    with SiteServer() as server:
        yield cli_harness.crawled(server, markup_routes(server.url), work)


def newsmill(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI on a console that renders styles and hyperlinks as a terminal would."""
    return cli_harness.newsmill(config, *args, env=TERMINAL)


@pytest.mark.parametrize(("args", "expected"), [
    (["query", "SELECT title, array_to_string(tags, ' | ') AS tags FROM articles"],
     ["storm\\x9b2J warning", "\\u202eflood"]),  # the keywords, escaped
    (["search", "budget ferry harbour"],
     ["Harbour ]8;;http://evil.invalidevil link"]),  # what extraction kept of ESCAPES
], ids=["query", "search"])
def test_crawled_markup_and_escapes_show_as_text(warehouse: Path, args: list[str], expected: list[str]) -> None:
    result = newsmill(warehouse, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    shown = visible(result.stdout)
    assert MARKUP in shown and LINK in shown
    for text in expected:
        assert text in shown, text
    assert_harmless(result.stdout)


def test_query_shows_markup_and_escapes_it_computes_as_text(warehouse: Path) -> None:
    sql = ("SELECT '[red]x[/red]' AS \"[bold]column[/bold]\", "
           "chr(27) || ']8;;http://evil.invalid' || chr(7) || 'evil' || chr(27) || '[2J' AS escapes")
    result = newsmill(warehouse, "query", sql)
    assert result.returncode == 0, result.stderr
    shown = visible(result.stdout)
    assert "[red]x[/red]" in shown and "[bold]column[/bold]" in shown
    assert "\\x1b]8;;http://evil.invalid\\x07evil\\x1b[2J" in shown
    assert_harmless(result.stdout)


def test_query_error_quoting_the_sql_is_harmless(warehouse: Path) -> None:
    result = newsmill(warehouse, "query", f"SELEC '{OSC8}[/bold]'")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "query failed" in result.stderr and "[/bold]" in result.stderr
    assert "\\x1b]8;;http://evil.invalid\\x07" in result.stderr
    assert_harmless(result.stderr)


def test_machine_formats_carry_the_exact_values(warehouse: Path) -> None:
    value = "\x1b[2Jx\x9by\u202ez [red]w[/red]"
    sql = "SELECT chr(27) || '[2Jx' || chr(155) || 'y' || chr(8238) || 'z [red]w[/red]' AS v"
    as_json = newsmill(warehouse, "query", "--format", "json", sql)
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout) == {"v": value}
    assert_harmless(as_json.stdout)  # JSON \u escapes, never the raw characters
    as_csv = newsmill(warehouse, "query", "--format", "csv", sql)
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines() == ["v", value]  # byte-faithful, as documented in --help


def test_search_terms_holding_markup_are_text(warehouse: Path) -> None:
    for terms in ("[/x] foo", "[/x] budget"):
        result = newsmill(warehouse, "search", terms)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert_harmless(result.stdout + result.stderr)
    assert "no article matches '[/x] foo'" in visible(newsmill(warehouse, "search", "[/x] foo").stderr)
    assert MARKUP in visible(newsmill(warehouse, "search", "[/x] budget").stdout)


def test_paths_in_run_summaries_and_messages_are_text(warehouse: Path, tmp_path: Path) -> None:
    folder = tmp_path / "[/bold][red]x[/red]"  # folders "[", "bold][red]x[" and "red]"
    folder.mkdir(parents=True)
    db = folder / "news.duckdb"
    run = newsmill(warehouse, "--db", str(db), "run", "--date", DAY, "-q")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert squeezed(f"newsmill: {db}") in squeezed(visible(run.stderr))  # the summary's title

    out = folder / "report.html"
    report = newsmill(warehouse, "--db", str(db), "report", "--out", str(out))
    assert report.returncode == 0, report.stderr
    assert out.exists() and squeezed(f"written to {out}") in squeezed(visible(report.stderr))

    config = folder / "sources.toml"
    config.write_bytes(warehouse.read_bytes())
    sources = newsmill(config, "sources")
    assert sources.returncode == 0, sources.stderr
    assert squeezed(f"1 sources in {config}") in squeezed(visible(sources.stdout))


def test_progress_lines_show_markup_and_escapes_as_text() -> None:
    """On a terminal (a pseudo-terminal here), where the progress bars are drawn."""
    script = ("from newsmill.progress import Progress\n"
              "with Progress(True, 'crawl [/bold] \\x1b[2J') as bar:\n"
              "    bar.update(1, 2)\n")
    primary, secondary = pty.openpty()
    child = subprocess.Popen([sys.executable, "-c", script], stdin=secondary, stdout=secondary,
                             stderr=secondary, env=TERMINAL)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # EIO: the child has exited and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert child.wait(timeout=60) == 0
    output = b"".join(chunks).decode()
    assert "Traceback" not in output
    assert "crawl [/bold] \\x1b[2J" in visible(output)
    assert "\x1b[2J" not in output


def test_click_errors_show_control_characters_harmlessly(tmp_path: Path) -> None:
    """An error raised as click's ClickException (here the local Airflow's, naming a folder the user
    gave) prints its text with controls escaped, as every other message does."""
    home = tmp_path / "air\x1b]8;;evil.invalid\x07flow\x1b[2J"
    result = subprocess.run([cli_harness.NEWSMILL, "airflow", "--home", str(home), "runs"], capture_output=True,
                            text=True, timeout=60, env=TERMINAL)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert result.stderr.startswith("Error: no local Airflow runs from ")
    assert "air\\x1b]8;;evil.invalid\\x07flow\\x1b[2J" in result.stderr
