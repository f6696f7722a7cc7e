"""Run files and WARC on the configured storage (`newsmill.storage`): a folder and moto's S3 server.

A run put by one machine is fetched whole by another with its own data folder; a put that stopped
before its marker is never fetched; a put run again writes the same keys; the stored WARC copy
replaces a local one of another size before a crawl appends to it."""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import date
from pathlib import Path

import obstore
import pytest
from obstore.store import S3Store

from newsmill import layout, pipeline
from newsmill.config import ConfigError, load_config
from newsmill.local_airflow import services
from newsmill.runfiles import RunInfo
from newsmill.storage import MARKER, RunStorage, StorageError

DAY = date(2026, 11, 18)
RID = layout.run_id(DAY, DAY, ["alpha", "beta"])


def _finished_run(data: Path) -> Path:
    """A run directory as a collect leaves it, and the WARC files of its two sources."""
    run_dir = layout.run_dir(data, RID)
    run_dir.mkdir(parents=True)
    RunInfo.begin(RID, DAY, DAY, ["alpha", "beta"]).write(run_dir)
    for name, body in ((layout.CRAWL_LOG, b'{"url": "x"}\n'), (layout.CRAWL_DONE, b"{}"),
                       (layout.ARTICLES, b"PAR1 articles"), (layout.REMOVED, b"PAR1 removed"),
                       (layout.SKIP_URLS, b"http://skip\n"), (layout.RUN_LOCK, b"")):
        (run_dir / name).write_bytes(body)
    for source in ("alpha", "beta"):
        warc = layout.warc_path(data, source, DAY)
        warc.parent.mkdir(parents=True)
        warc.write_bytes(f"WARC of {source} ".encode() * 1000)
    return run_dir


def _round_trip(store: RunStorage, tmp_path: Path) -> None:
    crawler, loader = tmp_path / "crawler", tmp_path / "loader"
    run_dir = _finished_run(crawler)
    uri = store.put_run(run_dir, crawler)
    assert uri == f"{store.root}/runs/{RID}"
    assert store.run_id_of(uri) == RID

    target = layout.run_dir(loader, RID)
    target.mkdir(parents=True)
    (target / layout.EXTRACT_ERRORS).write_text("stale\n")  # from an older attempt: not in this one
    store.fetch_run(uri, target)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [layout.RUN_INFO, layout.CRAWL_LOG, layout.CRAWL_DONE, layout.ARTICLES, layout.REMOVED])
    for path in target.iterdir():
        assert path.read_bytes() == (run_dir / path.name).read_bytes(), path.name
    assert RunInfo.read(target) == RunInfo.read(run_dir)

    # the WARC files reach another machine's data folder, and only when they differ
    assert store.fetch_warc(loader, ["alpha", "beta"], DAY, DAY) == [
        layout.warc_path(loader, s, DAY) for s in ("alpha", "beta")]
    assert layout.warc_path(loader, "beta", DAY).read_bytes() == layout.warc_path(crawler, "beta", DAY).read_bytes()
    assert store.fetch_warc(loader, ["alpha", "beta"], DAY, DAY) == []
    # a local copy of another size (records of an attempt whose put failed) gives way to the stored one
    with layout.warc_path(loader, "alpha", DAY).open("ab") as grown:
        grown.write(b"unstored records")
    assert store.fetch_warc(loader, ["alpha"], DAY, DAY) == [layout.warc_path(loader, "alpha", DAY)]
    assert layout.warc_path(loader, "alpha", DAY).read_bytes() == layout.warc_path(crawler, "alpha", DAY).read_bytes()
    assert store.fetch_warc(loader, ["gamma"], DAY, DAY) == []  # nothing stored: nothing fetched

    # a put run again (a retried task) writes the same keys; a newer attempt replaces the files
    replaced = RunInfo.begin(RID, DAY, DAY, ["alpha", "beta"])
    replaced.write(run_dir)
    (run_dir / layout.ARTICLES).write_bytes(b"PAR1 newer articles")
    assert store.put_run(run_dir, crawler) == uri
    store.fetch_run(uri, target)
    assert RunInfo.read(target).attempt_id == replaced.attempt_id
    assert (target / layout.ARTICLES).read_bytes() == b"PAR1 newer articles"


def _half_put(store: RunStorage, tmp_path: Path, remove_marker) -> None:
    """A put that stopped before its marker is refused, and so is a file its marker does not match."""
    crawler = tmp_path / "half"
    run_dir = _finished_run(crawler)
    uri = store.put_run(run_dir, crawler)
    target = tmp_path / "fetched" / RID
    target.mkdir(parents=True)
    remove_marker()
    with pytest.raises(StorageError, match=f"no {MARKER}: the run's upload did not finish"):
        store.fetch_run(uri, target)
    assert not (target / layout.ARTICLES).exists()


def test_a_folder_storage_round_trip(tmp_path: Path) -> None:
    store = RunStorage(str(tmp_path / "shared"))
    _round_trip(store, tmp_path)
    keys = sorted(p.relative_to(tmp_path / "shared").as_posix()
                  for p in (tmp_path / "shared").rglob("*") if p.is_file())
    assert keys == sorted([f"runs/{RID}/{name}" for name in (
        MARKER, layout.RUN_INFO, layout.CRAWL_LOG, layout.CRAWL_DONE, layout.ARTICLES, layout.REMOVED)]
        + [f"warc/{s}/{DAY}.warc.gz" for s in ("alpha", "beta")])


def test_a_folder_storage_never_hands_out_a_half_put_run(tmp_path: Path) -> None:
    store = RunStorage(str(tmp_path / "shared"))
    _half_put(store, tmp_path, lambda: (tmp_path / "shared" / "runs" / RID / MARKER).unlink())


def test_a_file_that_does_not_match_its_marker_is_refused(tmp_path: Path) -> None:
    store = RunStorage(str(tmp_path / "shared"))
    run_dir = _finished_run(tmp_path / "crawler")
    uri = store.put_run(run_dir, tmp_path / "crawler")
    (tmp_path / "shared" / "runs" / RID / layout.ARTICLES).write_bytes(b"PAR1 being replaced by a newer put")
    with pytest.raises(StorageError, match="a newer upload of the run is under way"):
        store.fetch_run(uri, tmp_path / "fetched")


def test_the_data_folder_as_storage_moves_nothing(tmp_path: Path) -> None:
    store = RunStorage(None)
    run_dir = _finished_run(tmp_path)
    uri = store.put_run(run_dir, tmp_path)
    assert uri == str(run_dir.resolve())
    store.fetch_run(uri, run_dir)
    assert store.fetch_warc(tmp_path, ["alpha"], DAY, DAY) == []
    with pytest.raises(StorageError, match="is not the run directory"):
        store.fetch_run(uri, tmp_path / "elsewhere")


def test_a_uri_of_another_storage_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is not a run on the configured storage"):
        RunStorage("s3://bucket/a").run_id_of("s3://bucket/b/runs/x")


def test_a_storage_that_refuses_is_a_run_failure_before_the_crawl(tmp_path: Path) -> None:
    """`newsmill run` says it in one line (RunFailed), as for a run file it could not write."""
    (tmp_path / "a-file").write_text("")
    config_path = tmp_path / "sources.toml"
    config_path.write_text(f'''[settings]
data_dir = "{tmp_path / 'data'}"

[storage]
runs = "{tmp_path / 'a-file' / 'store'}"

[[sources]]
name = "alpha"
domains = ["127.0.0.1:9"]
language = "en"
feeds = ["http://127.0.0.1:9/feed.xml"]
''', encoding="utf-8")
    with pytest.raises(pipeline.RunFailed, match=r"^crawl of 2026-11-18_2026-11-18_alpha: cannot make the "
                       r"storage folder .*a-file/store: Not a directory$"):
        pipeline.run(load_config(config_path), DAY, DAY, progress=False)
    assert not (tmp_path / "data" / "runs" / "2026-11-18_2026-11-18_alpha" / layout.CRAWL_LOG).exists()


@pytest.mark.parametrize(("body", "expected"), [
    ("", None),
    ('[storage]\nruns = "s3://news/newsmill/"', "s3://news/newsmill"),
    ('[storage]\nruns = "shared/runs"', "ABSOLUTE"),
])
def test_storage_in_the_config(tmp_path: Path, body: str, expected: str | None) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(body + "\n", encoding="utf-8")
    got = load_config(path).settings.storage
    assert got == (str(Path("shared/runs").absolute()) if expected == "ABSOLUTE" else expected)


@pytest.mark.parametrize(("body", "message"), [
    ('runs = "s3:///prefix"', "no bucket"),
    ('runs = "gs://bucket/x"', "expected s3://bucket/prefix or a folder"),
    ('runs = ""', "expected a non-empty string"),
    ('bucket = "x"', "storage.bucket: unknown setting"),
])
def test_a_bad_storage_setting_names_itself(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text("[storage]\n" + body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


# --- moto's S3 server, as the local distributed stack starts it --------------------------------------




@pytest.fixture
def aws(s3: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in {"AWS_ACCESS_KEY_ID": services.S3_KEY, "AWS_SECRET_ACCESS_KEY": "s3cr3t-value",
                        "AWS_DEFAULT_REGION": services.S3_REGION, "AWS_ENDPOINT_URL": s3}.items():
        monkeypatch.setenv(name, value)
    return s3


def _bucket(s3: str) -> S3Store:
    """The bucket, signed with the test's credentials: to look at and damage what a put left."""
    return S3Store(services.BUCKET, config={"access_key_id": services.S3_KEY, "secret_access_key": "x",
                                            "region": services.S3_REGION, "endpoint": s3},
                   client_options={"allow_http": True})


def _keys(s3: str, prefix: str) -> list[str]:
    import xml.etree.ElementTree as ET

    with urllib.request.urlopen(f"{s3}/{services.BUCKET}?list-type=2&prefix={prefix}/", timeout=10) as listing:
        tree = ET.fromstring(listing.read())
    return sorted(e.text for e in tree.iter() if e.tag.endswith("Key"))


def test_an_s3_storage_round_trip(aws: str, tmp_path: Path) -> None:
    store = RunStorage(f"s3://{services.BUCKET}/round")
    _round_trip(store, tmp_path)
    assert _keys(aws, "round") == sorted([f"round/runs/{RID}/{name}" for name in (
        MARKER, layout.RUN_INFO, layout.CRAWL_LOG, layout.CRAWL_DONE, layout.ARTICLES, layout.REMOVED)]
        + [f"round/warc/{s}/{DAY}.warc.gz" for s in ("alpha", "beta")])
    marker = json.loads(bytes(obstore.get(_bucket(aws), f"round/runs/{RID}/{MARKER}").bytes()))
    assert marker["attempt_id"] == RunInfo.read(layout.run_dir(tmp_path / "crawler", RID)).attempt_id
    assert marker["files"][layout.ARTICLES] == len(b"PAR1 newer articles")


def test_an_s3_storage_never_hands_out_a_half_put_run(aws: str, tmp_path: Path) -> None:
    store = RunStorage(f"s3://{services.BUCKET}/half")

    _half_put(store, tmp_path, lambda: obstore.delete(_bucket(aws), f"half/runs/{RID}/{MARKER}"))


def test_an_s3_failure_is_one_line_without_the_secret(aws: str, tmp_path: Path) -> None:
    store = RunStorage("s3://no-such-bucket/x")
    run_dir = _finished_run(tmp_path)
    with pytest.raises(StorageError) as raised:
        store.put_run(run_dir, tmp_path)
    message = str(raised.value)
    assert message.startswith("removing s3://no-such-bucket/x/runs/") or message.startswith("putting s3://")
    assert "\n" not in message and "s3cr3t-value" not in message
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == "s3cr3t-value"
