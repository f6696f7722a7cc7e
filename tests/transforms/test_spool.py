"""ParquetSpool: rows appended in row groups, completed atomically, optionally thinned."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.spool import ParquetSpool

SCHEMA = pa.schema([("n", pa.int32())])


def test_rows_go_out_in_row_groups_and_the_file_appears_on_close(tmp_path: Path):
    spool = ParquetSpool(tmp_path / "x.parquet", SCHEMA, rows_per_group=2)
    assert spool.append([{"n": 0}]) == range(0, 1)
    assert spool.append([{"n": 1}, {"n": 2}]) == range(1, 3)
    assert spool.append([]) == range(3, 3)
    assert not spool.path.exists() and spool.tmp.exists()  # a group went out already
    assert spool.close() == 3
    assert pq.read_table(spool.path).column("n").to_pylist() == [0, 1, 2]
    assert not spool.tmp.exists()


def test_close_keeps_only_the_rows_asked_for(tmp_path: Path):
    spool = ParquetSpool(tmp_path / "x.parquet", SCHEMA, rows_per_group=2)
    spool.append([{"n": n} for n in range(5)])
    assert spool.close(keep=[0, 3, 4]) == 3
    assert pq.read_table(spool.path).column("n").to_pylist() == [0, 3, 4]


def test_nothing_appended_gives_a_typed_empty_file_and_discard_leaves_nothing(tmp_path: Path):
    empty = ParquetSpool(tmp_path / "e.parquet", SCHEMA)
    assert empty.close() == 0
    assert pq.read_table(empty.path).schema.equals(SCHEMA)
    dropped = ParquetSpool(tmp_path / "d.parquet", SCHEMA, rows_per_group=1)
    dropped.append([{"n": 1}])
    dropped.discard()
    assert list(tmp_path.iterdir()) == [empty.path]
