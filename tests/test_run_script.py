"""`./run` on a machine that has Python but no uv: it must install uv with pip and go on.

The script runs in a copy of the repository's `run` with a PATH holding only a stand-in `python3`
(which records how it was called and behaves like a Python with pip and no uv module until pip
installs it) and the system's core tools, so no uv of the developer's machine can hide a fault.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FAKE_PYTHON = """#!/bin/sh
echo "python3 $*" >> "$CALLS"
case "$*" in
  "-m uv --version") [ -e "$STATE/uv-installed" ] && exit 0; echo "No module named uv" >&2; exit 1 ;;
  "-m pip install"*) touch "$STATE/uv-installed"; exit 0 ;;
  "-m uv "*) [ -e "$STATE/uv-installed" ] || { echo "No module named uv" >&2; exit 1; }; exit 0 ;;
esac
exit 3
"""


@pytest.fixture
def bare_machine(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project, tools, state = tmp_path / "project", tmp_path / "bin", tmp_path / "state"
    for folder in (project / ".venv" / "bin", tools, state):
        folder.mkdir(parents=True)
    shutil.copy2(REPO / "run", project / "run")
    newsmill = project / ".venv" / "bin" / "newsmill"
    newsmill.write_text('#!/bin/sh\necho "newsmill $*"\n')
    venv_python = project / ".venv" / "bin" / "python"  # what uv sync made: it compiles the project
    venv_python.write_text('#!/bin/sh\necho "venv-python $*" >> "$CALLS"\n')
    python = tools / "python3"
    python.write_text(FAKE_PYTHON)
    for script in (newsmill, venv_python, python):
        script.chmod(0o755)
    for tool in ("bash", "env", "dirname", "sed", "touch", "sh", "cat"):  # what `run` and the fakes use
        found = shutil.which(tool, path="/usr/bin:/bin")
        assert found, tool
        (tools / tool).symlink_to(found)
    env = {"PATH": str(tools), "HOME": str(tmp_path), "CALLS": str(state / "calls"), "STATE": str(state)}
    return project, env


def test_demo_installs_uv_with_pip_when_the_machine_has_none(bare_machine) -> None:
    project, env = bare_machine
    result = subprocess.run([str(project / "run"), "demo", "--days", "1"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "newsmill demo --days 1"
    calls = Path(env["CALLS"]).read_text().splitlines()
    assert calls[0] == "python3 -m uv --version"
    assert calls[1].startswith("python3 -m pip install") and "uv==" in calls[1]
    assert calls[2].startswith("python3 -m uv sync --frozen")
    assert calls[3].startswith("venv-python -m compileall") and "newsmill" in calls[3]


def test_an_installed_uv_program_is_used_as_it_is(bare_machine) -> None:
    project, env = bare_machine
    uv = Path(env["PATH"]) / "uv"
    uv.write_text('#!/bin/sh\necho "uv $*" >> "$CALLS"\n')
    uv.chmod(0o755)
    result = subprocess.run([str(project / "run"), "demo"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    calls = Path(env["CALLS"]).read_text().splitlines()
    assert [c.split()[:2] for c in calls] == [["uv", "sync"], ["venv-python", "-m"]]


def test_usage_without_a_command_exits_2(bare_machine) -> None:
    project, env = bare_machine
    result = subprocess.run([str(project / "run")], cwd=project, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "./run demo" in result.stdout and "./run test" in result.stdout
    assert not os.path.exists(env["CALLS"])
