"""The import layers of docs/architecture.md, checked with import-linter on the real code, and the
guard that keeps newsmill's generic stage package names its own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
    )


def layered_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    names = set()
    for layer in contract["layers"]:
        names.update(part.strip() for part in layer.replace(":", "|").split("|"))
    return names


def test_the_code_keeps_its_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_against_the_layers_fails_the_check(tmp_path):
    """A stage importing the pipeline above it is reported, naming the import (on a copy of the code)."""
    for name in ("dags", "newsmill", "spiders", "transforms"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    spool = tmp_path / "transforms" / "spool.py"
    spool.write_text(spool.read_text() + "\nfrom newsmill import pipeline  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "transforms.spool -> newsmill.pipeline" in result.stdout


def test_every_module_of_newsmill_has_a_layer():
    """A new module must be placed in a layer, or the contract would not see its imports."""
    modules = {
        f"newsmill.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "newsmill").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    } - {"newsmill.configs"}  # packaged TOML files, no code
    assert modules - layered_modules() == set()
    assert {"dags", "spiders", "transforms"} <= layered_modules()


def test_a_package_hiding_a_stage_name_is_refused_with_a_clear_error(tmp_path):
    """`spiders` and `transforms` are generic names: one found first elsewhere is named, not run."""
    (tmp_path / "spiders").mkdir()
    (tmp_path / "spiders" / "__init__.py").write_text("raise SystemExit('the wrong spiders ran')\n")
    result = subprocess.run(
        [sys.executable, "-c", "import newsmill.config"], cwd=tmp_path, capture_output=True,
        text=True, timeout=60,
    )
    assert result.returncode == 1
    assert f"the package 'spiders' is found at {tmp_path / 'spiders'}" in result.stderr
    assert "environment of its own" in result.stderr
    assert "the wrong spiders ran" not in result.stderr


@pytest.mark.parametrize("name", ["newsmill", "spiders", "transforms"])
def test_no_other_installed_distribution_ships_our_top_level_names(name):
    from importlib.metadata import packages_distributions

    # an editable install records no top-level names; a wheel records newsmill's own
    assert packages_distributions().get(name, []) in ([], ["newsmill"])
