"""``newsmill airflow …``: start, use and stop a local Airflow for newsmill's DAGs.

The commands import ``supervisor`` and ``client`` when they run, not when ``newsmill`` starts, so
``newsmill --help`` and the other commands pay nothing for this group.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from newsmill.config import AIRFLOW_PORT, CONFIG, DATA_DIR, DATABASE
from newsmill.dates import DATE
from newsmill.local_airflow import DAG_ID, AirflowLocalError, default_home

# The `newsmill` options the Airflow processes inherit, by their environment variable.
_NEWSMILL_OPTIONS = {"config_path": CONFIG.name, "data_dir": DATA_DIR.name, "database": DATABASE.name}


def _port_option(purpose: str) -> Callable[[Callable], Callable]:
    """--port, else $NEWSMILL_AIRFLOW_PORT (read through `newsmill.config`, so a bad value is an error
    naming the variable), else its default."""
    return click.option("--port", type=click.IntRange(1, 65535), default=AIRFLOW_PORT.value,
                        help=f"{purpose} (env {AIRFLOW_PORT.name}, default {AIRFLOW_PORT.default}).")


class _Group(click.Group):
    """Reports an AirflowLocalError as click's one-line error, exit 1 (a failure, not bad input)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except AirflowLocalError as exc:
            raise click.ClickException(str(exc)) from None


def _root_options(ctx: click.Context) -> dict[str, str]:
    """`newsmill --config/--data-dir/--db` (or their variables), as the processes' environment."""
    params = ctx.find_root().params
    return {env: str(Path(params[name]).resolve()) for name, env in _NEWSMILL_OPTIONS.items()
            if params.get(name)}


@click.group("airflow", cls=_Group)
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="AIRFLOW_HOME of the local Airflow (default: $NEWSMILL_AIRFLOW_HOME, else DATA_DIR/airflow).")
@click.pass_context
def airflow(ctx: click.Context, home: Path | None) -> None:
    """Start, use and stop a local Airflow (api-server, scheduler, dag-processor, triggerer on 127.0.0.1).

    Needs the airflow extra (uv sync --extra airflow). Exit codes: 0 done, 1 Airflow failed or
    does not run, 2 bad input.
    """
    ctx.obj = home.resolve() if home else default_home(ctx.find_root().params.get("data_dir"))


@airflow.command()
@_port_option("Port of the UI and REST API on 127.0.0.1")
@click.option("--dags-folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="DAGs folder (default: this repository's dags/).")
@click.option("--distributed", is_flag=True,
              help="CeleryExecutor with two workers (queues crawl and warehouse,default, each its own "
                   "data folder), metadata in PostgreSQL, broker Redis, an S3 server (distributed extra).")
@click.pass_context
def up(ctx: click.Context, port: int, dags_folder: Path | None, distributed: bool) -> None:
    """Start api-server, scheduler, dag-processor and triggerer; returns once they run.

    They keep running after this command ends. Their tasks use the config, data folder and
    warehouse that the global options --config/--data-dir/--db or the environment select here
    (paths made absolute); the command prints which.
    """
    from newsmill.local_airflow import supervisor

    try:
        procs = supervisor.start(ctx.obj, dags_folder, port, _root_options(ctx), distributed=distributed)
    except supervisor.PortInUseError as exc:
        raise click.BadParameter(str(exc), param_hint="--port") from None
    click.echo(f"Airflow UI and API: {procs.url}  (home {procs.home})")
    click.echo(f"tasks read {procs.newsmill.config} and write {procs.newsmill.warehouse}")
    if procs.services:
        for name, url in procs.services.urls().items():
            click.echo(f"{name:<16} {url}")
        for name, folder in procs.workers.items():
            click.echo(f"{name:<16} queues {supervisor.WORKERS[name]}, data folder {folder}")
    click.echo(f"{DAG_ID} starts paused: `newsmill airflow unpause` schedules it; "
               "`newsmill airflow down` stops everything")


@airflow.command()
@click.pass_obj
def down(home: Path) -> None:
    """Stop every process `up` started, with the tasks and crawls they run."""
    from newsmill.local_airflow import supervisor

    if supervisor.stop(home):
        click.echo(f"local Airflow of {home} stopped")
    else:
        click.echo(f"no local Airflow runs from {home}; nothing to stop")


@airflow.command()
@click.pass_obj
def status(home: Path) -> None:
    """Say whether the local Airflow runs, where, and the state of each process."""
    from newsmill.local_airflow import supervisor

    recorded = supervisor.status(home)
    if not recorded.remnants:
        click.echo(f"no local Airflow runs from {home}")
        return
    state = "runs" if recorded.running else "runs only in part (`newsmill airflow up` restarts it)"
    click.echo(f"local Airflow {state} at {recorded.url} (home {home})")
    if recorded.newsmill:
        click.echo(f"  warehouse      {recorded.newsmill.warehouse}  (config {recorded.newsmill.config})")
    for name, pid in recorded.pids.items():
        if recorded.leaders.get(name):
            restarted = supervisor.restarts(recorded.home, name, recorded.started_at) if recorded.started_at else 0
            what = f"running (restarted {restarted}x after a crash; see its log)" if restarted else "running"
        elif recorded.groups.get(name):
            what = "exited; processes it started still run"
        else:
            what = "exited"
        where = recorded.services.get(name) or recorded.workers.get(name)
        click.echo(f"  {name:<16} pid {pid:<8} {what}" + (f"  {where}" if where else ""))


@airflow.command()
@_port_option("Port to point at when the local Airflow was never started")
@click.pass_obj
def env(home: Path, port: int) -> None:
    """Print `export` lines that point Airflow's own CLI at this home: eval "$(newsmill airflow env)"."""
    from newsmill.local_airflow import supervisor

    click.echo(supervisor.shell_exports(home, port))


@airflow.command()
@click.pass_obj
def unpause(home: Path) -> None:
    """Unpause newsmill_daily: scheduled runs start and backfills proceed."""
    _set_paused(home, False)


@airflow.command()
@click.pass_obj
def pause(home: Path) -> None:
    """Pause newsmill_daily: no new runs start."""
    _set_paused(home, True)


def _set_paused(home: Path, paused: bool) -> None:
    from newsmill.local_airflow import supervisor

    client = supervisor.client_for(home)
    client.wait_dag(DAG_ID)
    client.set_paused(DAG_ID, paused)
    click.echo(f"{DAG_ID} {'paused' if paused else 'unpaused'}")


@airflow.command()
@click.option("--from", "first", type=DATE, required=True, help="First day to collect.")
@click.option("--to", "last", type=DATE, required=True, help="Last day to collect (inclusive).")
@click.option("--reprocess", type=click.Choice(["none", "failed", "completed"]), default="none",
              show_default=True, help="Also run days whose runs failed, or that already ran.")
@click.option("--max-active-runs", type=click.IntRange(1), default=3, show_default=True,
              help="Days collected at the same time.")
@click.pass_obj
def backfill(home: Path, first: date, last: date, reprocess: str, max_active_runs: int) -> None:
    """Create a backfill of newsmill_daily: one run per day FROM..TO (runs while unpaused)."""
    if first > last:
        raise click.BadParameter(f"--from {first} is after --to {last}", param_hint="--from")
    from newsmill.local_airflow import supervisor

    client = supervisor.client_for(home)
    client.wait_dag(DAG_ID)
    made = client.backfill(DAG_ID, first, last, reprocess=reprocess, max_active_runs=max_active_runs,
                           wait_busy=60, warn=lambda message: click.echo(f"warning: {message}", err=True))
    click.echo(f"backfill {made.get('id')} created: {first}..{last} (runs proceed while {DAG_ID} is unpaused)")


@airflow.command()
@click.pass_obj
def runs(home: Path) -> None:
    """List the runs of newsmill_daily: logical date, run type, state, run id."""
    from newsmill.local_airflow import supervisor

    client = supervisor.client_for(home)
    client.wait_dag(DAG_ID)
    found = client.dag_runs(DAG_ID)
    if not found:
        click.echo(f"no runs of {DAG_ID} yet")
    for run in found:
        click.echo(f"{(run.get('logical_date') or '')[:10]:<10}  {run['run_type']:<10} {run['state']:<8} "
                   f"{run['dag_run_id']}")
