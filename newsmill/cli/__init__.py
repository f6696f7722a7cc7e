"""The `newsmill` command line: run a day, backfill a range, list sources, query the warehouse."""

from __future__ import annotations

import sys
from importlib import import_module

import click

from newsmill.cli.output import say
from newsmill.config import CONFIG, DATA_DIR, DATABASE, Config, ConfigError, load_config
from newsmill.terminal import printable
from newsmill.warehouse.errors import WarehouseError


class Context:
    """What every command gets: the global options, and the config they name."""

    def __init__(self, config_path: str | None, data_dir: str | None, database: str | None) -> None:
        self.config_path, self.data_dir, self.database = config_path, data_dir, database

    def config(self) -> Config:
        return load_config(self.config_path, data_dir=self.data_dir, database=self.database)


SINGLE_PROCESS = frozenset({"search", "query", "report", "export", "index", "sources", "shell"})
"""Commands that start no other process: they run without `pipeline` (its pyarrow, Scrapy and
process pool imports would be most of a search's time), and a signal ends them as it ends any
program (Ctrl-C: `newsmill: aborted`, exit 130)."""


COMMANDS = {
    "run": "newsmill.cli.runs", "backfill": "newsmill.cli.runs", "reprocess": "newsmill.cli.runs",
    "demo": "newsmill.cli.runs", "sources": "newsmill.cli.runs",
    "search": "newsmill.cli.search",
    "query": "newsmill.cli.warehouse", "export": "newsmill.cli.warehouse", "report": "newsmill.cli.warehouse",
    "shell": "newsmill.cli.warehouse", "index": "newsmill.cli.warehouse",
    "airflow": "newsmill.local_airflow.cli",
}
"""Each command and the module that defines it under its name, imported when the command runs: a
command pays for its own imports only (DuckDB, Rich, Airflow's client), which for `newsmill search`
would be most of its time."""


class _Commands(click.Group):
    """newsmill's commands, each imported only when it is asked for (`COMMANDS`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        return getattr(import_module(module), cmd_name) if module else None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar=CONFIG.name, metavar="FILE",
              help="Sources TOML (default: the packaged default.toml; env NEWSMILL_CONFIG).")
@click.option("--data-dir", envvar=DATA_DIR.name, metavar="DIR",
              help="Where WARC files and run files go (default: data/; env NEWSMILL_DATA_DIR).")
@click.option("--db", "database", envvar=DATABASE.name, metavar="FILE",
              help="DuckDB warehouse (default: DATA_DIR/news.duckdb; env NEWSMILL_DB).")
@click.version_option(package_name="newsmill")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, data_dir: str | None, database: str | None) -> None:
    """newsmill: collect a day's news into a DuckDB file.

    Crawls feeds, sitemaps and archive pages by publication date (Scrapy), keeps raw pages as WARC,
    extracts and cleans the text (trafilatura + newsmill's cleaning) and loads DuckDB tables.

    Exit codes: 0 done (failed pages are counted, not fatal); 1 nothing could be fetched, or the
    crawl's record is incomplete (a file not written: nothing is loaded); 2 bad input (config,
    arguments, an unusable DuckDB file) or the warehouse or the run directory stayed locked by
    another run for NEWSMILL_LOCK_TIMEOUT seconds; 130 interrupted (Ctrl-C), 143 stopped (SIGTERM).
    """
    ctx.obj = Context(config_path, data_dir, database)
    if ctx.invoked_subcommand not in SINGLE_PROCESS:  # crawls, workers, servers: stopped on the way out
        from newsmill import pipeline

        ctx.with_resource(pipeline.stop_on_signals())


refetch_option = click.option("--refetch", is_flag=True,
                              help="Fetch articles again even if already loaded; replaces the days' rows.")
sources_option = click.option("--source", "sources", multiple=True, metavar="NAME",
                              help="Only this source (repeatable; default: all).")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bars.")


def entry() -> None:
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        say("newsmill: aborted")
        sys.exit(130)
    except click.UsageError as exc:  # one line, with where to read more
        command = exc.ctx.command_path if exc.ctx else "newsmill"
        say(f"{command}: error: {exc.format_message()} (see {command} --help)")
        sys.exit(exc.exit_code)
    except click.ClickException as exc:  # click's own "Error: …" line, its text shown harmlessly
        click.echo(f"Error: {printable(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except (ConfigError, WarehouseError) as exc:
        say(f"newsmill: error: {exc}")
        sys.exit(2)
    except OSError as exc:  # a disk or permission problem mid-run: say which file, no traceback
        where = f"{exc.filename}: " if exc.filename else ""
        say(f"newsmill: error: {where}{exc.strerror or exc}")
        sys.exit(1)
    except BaseException as exc:
        _exit_after_run_error(exc)
        raise


def _exit_after_run_error(exc: BaseException) -> None:
    """Exit as a run's error says, if `exc` is one; return otherwise. Only a command that imported
    `pipeline` can have raised its errors, so a command that did not is not made to import it here."""
    pipeline = sys.modules.get("newsmill.pipeline")
    if pipeline is None:
        return
    if isinstance(exc, pipeline.Interrupted):  # SIGINT or SIGTERM: children stopped on the way out
        say(f"newsmill: interrupted by {exc}; what was loaded stays, run the same command again for the rest")
        sys.exit(exc.exit_status)
    if isinstance(exc, pipeline.RunBusy):  # another process held the run directory
        say(f"newsmill: error: {exc}")
        sys.exit(2)
    if isinstance(exc, pipeline.RunFailed):  # a file not written or a crawl not finished: nothing loaded
        say(f"newsmill: error: {exc}")
        sys.exit(1)
