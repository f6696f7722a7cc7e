"""Bad input through the CLI: one line saying what is wrong and how to fix it, exit 2, nothing
changed on disk. (Bad dates, backwards ranges and unknown sources: tests/test_end_to_end.py; config
fields: tests/test_config.py.)"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import duckdb
import pytest

from bench.cli_harness import NEWSMILL


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() else b"/"
            for p in sorted(root.rglob("*"))}


def _newer_duckdb_file(path: Path) -> None:
    """A DuckDB file whose header claims a storage version this DuckDB cannot read (as a file
    written by a newer DuckDB does), with a valid header checksum."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t (a INTEGER)")
    con.close()
    data = bytearray(path.read_bytes())
    struct.pack_into("<Q", data, 12, 999)  # version number after the 'DUCK' magic
    checksum = 5381
    for (word,) in struct.iter_unpack("<Q", bytes(data[8:4096])):
        checksum ^= (word * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    struct.pack_into("<Q", data, 0, checksum)
    path.write_bytes(bytes(data))


DAY = ["--date", "2026-11-20"]
CASES = {
    # name: (global options, run options, file to create first, words the one line must hold)
    "data dir under a file": (["--data-dir", "{w}/afile/data"], DAY, "afile", ["afile is a file", "--data-dir"]),
    "db under a file": (["--db", "{w}/afile/news.duckdb"], DAY, "afile", ["afile is a file", "--db"]),
    "db is a folder": (["--db", "{w}"], DAY, "", ["is a folder", "--db"]),
    "db is not DuckDB": (["--db", "{w}/notes.duckdb"], DAY, "notes", ["not a valid DuckDB", "--db"]),
    "db of another DuckDB version": (["--db", "{w}/newer.duckdb"], DAY, "newer",
                                     ["another DuckDB version", "version number 999", "--db"]),
    "unknown option": ([], ["--dat", "2026-11-20"], "", ["No such option '--dat'", "--help"]),
    "impossible date": ([], ["--date", "2026-02-30"], "", ["'2026-02-30' is not a date", "YYYY-MM-DD"]),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_exit_2_nothing_written(case: str, nowhere_config: Path, tmp_path: Path) -> None:
    global_args, run_args, make, words = CASES[case]
    if make == "afile":
        (tmp_path / "afile").write_text("just a file\n")
    elif make == "notes":
        (tmp_path / "notes.duckdb").write_text("my notes, not a database\n")
    elif make == "newer":
        _newer_duckdb_file(tmp_path / "newer.duckdb")
    before = _tree(tmp_path)
    options = [a.format(w=tmp_path) for a in global_args]
    result = subprocess.run([NEWSMILL, "--config", str(nowhere_config), *options, "run", *run_args, "-q"],
                            capture_output=True, text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert _tree(tmp_path) == before  # nothing created, nothing changed


def test_invalid_config_through_the_cli(nowhere_config: Path, tmp_path: Path) -> None:
    nowhere_config.write_text(nowhere_config.read_text().replace('language = "en"', 'language = "english"'))
    result = subprocess.run([NEWSMILL, "--config", str(nowhere_config), "run", "--date", "2026-11-20"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsmill: error: {nowhere_config}: source 'nowhere': language: expected an ISO 639-1 code like 'en', "
        "got 'english'"]
    assert not (tmp_path / "data").exists()
