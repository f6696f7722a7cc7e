"""Sources and settings, read from one TOML file and validated up front.

Every error names the file, the source and the field, so a user can fix the config without reading
code. All configuration is read here and nowhere else: the TOML file, and the NEWSMILL_* environment
variables (`ENVIRONMENT`, documented in docs/configuration.md's table, which a test checks against it).
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit

DEFAULT_CONFIG = "default.toml"
DEMO_CONFIG = "demo.toml"
# A source name is also a folder name (WARC files, run ids): no separators, dots or upper case.
SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}$")
WEB_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigError(ValueError):
    """The config file or a NEWSMILL_* variable is wrong; the message says where and how."""


# --- environment variables --------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True)
class EnvVar(Generic[T]):
    """One NEWSMILL_* environment variable: what it sets, its default, how its text is read.

    An empty value counts as unset. A value `parse` refuses (ValueError) is a ConfigError naming
    the variable and the value, never a silent fallback to the default.
    """

    name: str
    meaning: str
    default: T
    shown_default: str  # the default as docs/configuration.md states it
    expected: str  # what `parse` accepts, for the error
    parse: Callable[[str], T]

    def value(self, environ: Mapping[str, str] | None = None) -> T:
        """The variable's value in `environ` (default: this process's environment)."""
        raw = (os.environ if environ is None else environ).get(self.name, "")
        if not raw:
            return self.default
        try:
            return self.parse(raw)
        except ValueError:
            raise ConfigError(f"environment variable {self.name}={raw!r}: expected {self.expected}") from None


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:  # also refuses nan
            raise ValueError(text)
        return value
    return parse


def _integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value
    return parse


def _one_of(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.strip().upper() not in choices:
            raise ValueError(text)
        return text.strip().upper()
    return parse


def _flag(text: str) -> bool:
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _web_url(text: str) -> str:
    if web_address(text) is None:
        raise ValueError(text)
    return text


CONFIG: EnvVar[Path | None] = EnvVar(
    "NEWSMILL_CONFIG", "the sources TOML file (`--config`)", None,
    "the packaged `newsmill/configs/default.toml`", "a file name", Path)
DATA_DIR: EnvVar[Path | None] = EnvVar(
    "NEWSMILL_DATA_DIR", "where WARC and run files go (`--data-dir`)", None,
    "`settings.data_dir`, else `data/`", "a folder name", Path)
DATABASE: EnvVar[Path | None] = EnvVar(
    "NEWSMILL_DB", "the DuckDB warehouse (`--db`)", None,
    "`settings.database`, else `DATA_DIR/news.duckdb`", "a file name", Path)
LOCK_TIMEOUT: EnvVar[float] = EnvVar(
    "NEWSMILL_LOCK_TIMEOUT", "seconds to wait for a warehouse or run directory another process holds",
    300.0, "300", "a number of seconds, 0 or more", _number(0, math.inf))
EXTRACT_WORKERS: EnvVar[int | None] = EnvVar(
    "NEWSMILL_EXTRACT_WORKERS", "extraction processes of an Airflow `collect` task", None,
    "one per core", "a whole number from 1 to 1024", _integer(1, 1024))
TOPIC_THREADS: EnvVar[int] = EnvVar(
    "NEWSMILL_TOPIC_THREADS", "threads of the topic model in each extraction process", 1,
    "1", "a whole number from 1 to 1024", _integer(1, 1024))
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CRAWL_LOG_LEVEL: EnvVar[str] = EnvVar(
    "NEWSMILL_CRAWL_LOG_LEVEL", "Scrapy's log level on the crawl's stderr (`DEBUG` shows every request)",
    "WARNING", "`WARNING`", f"one of {', '.join(LOG_LEVELS)}", _one_of(*LOG_LEVELS))
START_DATE: EnvVar[date] = EnvVar(
    "NEWSMILL_START_DATE", "the first day `newsmill_daily` schedules (read when Airflow parses the DAG)",
    date(2026, 1, 1), "2026-01-01", "a date YYYY-MM-DD", date.fromisoformat)
END_DATE: EnvVar[date | None] = EnvVar(
    "NEWSMILL_END_DATE", "the last day `newsmill_daily` schedules", None,
    "none", "a date YYYY-MM-DD", date.fromisoformat)
CATCHUP: EnvVar[bool] = EnvVar(
    "NEWSMILL_CATCHUP", "whether `newsmill_daily` schedules the past days since its first day", False,
    "false", "true or false (1/0, yes/no, on/off)", _flag)
MAX_ACTIVE_RUNS: EnvVar[int] = EnvVar(
    "NEWSMILL_MAX_ACTIVE_RUNS", "days `newsmill_daily` runs at once", 3,
    "3", "a whole number from 1 to 1024", _integer(1, 1024))
AIRFLOW_HOME: EnvVar[Path | None] = EnvVar(
    "NEWSMILL_AIRFLOW_HOME", "home of the local Airflow of `newsmill airflow` (`--home`)", None,
    "`DATA_DIR/airflow`", "a folder name", Path)
AIRFLOW_PORT: EnvVar[int] = EnvVar(
    "NEWSMILL_AIRFLOW_PORT", "port of the local Airflow's UI and REST API (`newsmill airflow up --port`)",
    8080, "8080", "a port from 1 to 65535", _integer(1, 65535))
AIRFLOW_API: EnvVar[str | None] = EnvVar(
    "NEWSMILL_AIRFLOW_API", "REST API where `newsmill_daily` notes its day on each run "
    "(`newsmill airflow up` sets it for its processes)", None, "none: no notes", "an http(s) URL", _web_url)
SHARD_SIZE: EnvVar[int | None] = EnvVar(
    "NEWSMILL_SHARD_SIZE", "sources per `collect` task of `newsmill_daily` (one crawl process crawls them "
    "together)", None, "by the rule in docs/airflow.md (`NEWSMILL_CRAWL_SLOTS`)",
    "a whole number from 1 to 10000", _integer(1, 10000))
CRAWL_SLOTS: EnvVar[int] = EnvVar(
    "NEWSMILL_CRAWL_SLOTS", "`collect` tasks the deployment runs at once (on Celery: the `crawl` worker "
    "processes, each one task at a time): what the default shard size divides the sources by", 4,
    "4", "a whole number from 1 to 10000", _integer(1, 10000))

ENVIRONMENT: tuple[EnvVar, ...] = (
    CONFIG, DATA_DIR, DATABASE, LOCK_TIMEOUT, EXTRACT_WORKERS, TOPIC_THREADS, CRAWL_LOG_LEVEL,
    START_DATE, END_DATE, CATCHUP, MAX_ACTIVE_RUNS, SHARD_SIZE, CRAWL_SLOTS, AIRFLOW_HOME, AIRFLOW_PORT,
    AIRFLOW_API,
)
"""Every environment variable newsmill reads, in the order of docs/configuration.md's table."""


@dataclass(frozen=True)
class Source:
    """One news site and the ways to find its articles of a given day."""

    name: str
    domains: tuple[str, ...]
    language: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    robots_sitemaps: bool = False
    archives: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()

    def archive_urls(self, day: date) -> list[str]:
        """The archive page URLs of `day`, from templates like ``https://site/{date:%Y/%m/%d}/``."""
        return [template.format(date=day) for template in self.archives]

    def owns(self, url: str) -> bool:
        """True when `url` is an http(s) URL on one of the source's domains (or a subdomain of one):
        where its articles and archive pages may be fetched from."""
        address = web_address(url)
        return address is not None and self._on_domains(address)

    def allows(self, url: str) -> bool:
        """True when `url` may be requested for this source at all: http(s), on its domains (or
        their subdomains), on the host of one of its feeds, sitemaps or archives, or on one of its
        `extra_hosts`.

        Listings name further URLs (sitemap index children, robots.txt ``Sitemap:`` lines,
        redirects); nothing they name leaves the hosts the config names, so a listing cannot send
        the crawler to an internal address such as a cloud metadata service.
        """
        address = web_address(url)
        return address is not None and (self._on_domains(address) or any(
            _matches(address, host, subdomains=False) for host in self._named_hosts))

    def _on_domains(self, address: tuple[str, int]) -> bool:
        return any(_matches(address, domain, subdomains=True) for domain in self.domains)

    @cached_property
    def _named_hosts(self) -> tuple[str, ...]:
        """The hosts of its feeds, sitemaps and archives, and its `extra_hosts` (the guard asks for
        every request, so they are parsed once)."""
        named = (urlsplit(u).netloc for u in (*self.feeds, *self.sitemaps, *self.archives))
        return (*dict.fromkeys(named), *self.extra_hosts)


def web_address(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL (the port filled in from the scheme), or None for any other
    scheme, no host, or a malformed host or port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in WEB_SCHEMES or not host:
        return None
    return host, port or DEFAULT_PORTS[scheme]


def _matches(address: tuple[str, int], host: str, *, subdomains: bool) -> bool:
    """True when `address` is on `host` (``name`` or ``name:port``; written with a port it matches
    that port only, without one any port), or a subdomain of it when `subdomains`."""
    parts = urlsplit(f"//{host}")
    name, port = (parts.hostname or "").rstrip("."), parts.port
    if port is not None and port != address[1]:
        return False
    return address[0] == name or (subdomains and address[0].endswith("." + name))


WAREHOUSE_BACKENDS = ("duckdb", "ducklake")


@dataclass(frozen=True)
class DuckLake:
    """A DuckLake warehouse (`[warehouse] backend = "ducklake"`): a catalog many machines share, its
    Parquet files under `data_path`, and this machine's own search index beside `local_path`.

    No secret is held here: a PostgreSQL password comes from PGPASSWORD (or a DuckDB secret), S3
    credentials from the AWS_* environment (or a DuckDB secret)."""

    catalog: str  # what follows `ducklake:` in the ATTACH, e.g. `postgres:dbname=lake host=…`
    data_path: str  # a local folder or s3://bucket/prefix/
    local_path: Path  # the search index folder is `<local_path>.search` (`layout.search_index_dir`)
    metadata_schema: str | None = None  # the catalog's schema in its database, for several lakes in one

    def __str__(self) -> str:
        return f"ducklake:{self.catalog} ({self.data_path})"


@dataclass(frozen=True)
class S3Credentials:
    """What a DuckLake on s3:// signs with, read from the standard AWS_* variables when it is opened
    (never kept in the config or written anywhere). `endpoint`: an S3-compatible server's URL."""

    key_id: str
    secret: str = field(repr=False)
    region: str
    endpoint: str | None

    def __repr__(self) -> str:  # the secret stays out of tracebacks and logs
        return f"S3Credentials(key_id={self.key_id!r}, region={self.region!r}, endpoint={self.endpoint!r})"


def s3_credentials(environ: Mapping[str, str] | None = None) -> S3Credentials | None:
    """The AWS_* credentials of `environ` (default: this process's), or None when none are set."""
    env = os.environ if environ is None else environ
    if not env.get("AWS_ACCESS_KEY_ID"):
        return None
    return S3Credentials(key_id=env["AWS_ACCESS_KEY_ID"], secret=env.get("AWS_SECRET_ACCESS_KEY", ""),
                         region=env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1",
                         endpoint=env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None)


@dataclass(frozen=True)
class Settings:
    """Where data goes and how politely we crawl."""

    data_dir: Path = Path("data")
    database: Path = Path("data/news.duckdb")
    user_agent: str = "newsmill/0.1 (news research crawler)"
    obey_robots: bool = True
    concurrency: int = 16
    concurrency_per_domain: int = 8
    download_delay: float = 0.25
    download_timeout: float = 30.0
    max_page_bytes: int = 10 * 1024 * 1024
    retries: int = 2
    autothrottle: bool = True
    # `newsmill backfill --via ccnews` (spiders/ccnews.py): where Common Crawl serves CC-NEWS, and
    # the hours scanned before the first day and after the last (docs/architecture.md, "CC-NEWS
    # backfill", says why these defaults)
    ccnews_base_url: str = "https://data.commoncrawl.org/"
    ccnews_lead_hours: int = 14
    ccnews_lag_hours: int = 48
    lake: DuckLake | None = None  # `[warehouse] backend = "ducklake"`; None: the DuckDB file `database`
    # `[storage] runs`: where finished runs and WARC files go for tasks on other machines
    # (`newsmill.storage`): s3://bucket/prefix or a folder; None: the data folder itself
    storage: str | None = None

    @property
    def warehouse(self) -> Path | DuckLake:
        """Where loads write and queries read: the DuckLake when configured, else the DuckDB file."""
        return self.lake or self.database


@dataclass(frozen=True)
class Config:
    path: Path
    settings: Settings
    sources: tuple[Source, ...] = field(default_factory=tuple)

    def source(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: unknown source {name!r} (known: {known})")

    def select(self, names: list[str] | tuple[str, ...] | None) -> list[Source]:
        """The named sources, or all of them when `names` is empty."""
        return [self.source(n) for n in names] if names else list(self.sources)


def packaged_config(name: str) -> Path:
    """Path of a config file shipped inside the package (default or demo). newsmill runs from its
    files (never a zip), and `importlib.resources` would cost a short command's start-up 5-8 ms."""
    return Path(__file__).with_name("configs") / name


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    database: str | os.PathLike[str] | None = None,
) -> Config:
    """Read and validate a config; `path`, `data_dir`, `database` fall back to NEWSMILL_CONFIG,
    NEWSMILL_DATA_DIR and NEWSMILL_DB."""
    path = Path(path or CONFIG.value() or packaged_config(DEFAULT_CONFIG))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    settings = _settings(path, raw.get("settings", {}))
    data_dir = data_dir or DATA_DIR.value()
    database = database or DATABASE.value()
    if data_dir:
        settings = replace(settings, data_dir=Path(data_dir))
        if not database and "database" not in raw.get("settings", {}):
            settings = replace(settings, database=Path(data_dir) / "news.duckdb")
    if database:
        settings = replace(settings, database=Path(database))
    unknown = set(raw) - {"settings", "sources", "warehouse", "storage"}
    if unknown:
        raise ConfigError(f"{path}: unknown top-level table(s) {sorted(unknown)}; "
                          "expected [settings], [warehouse], [storage] and [[sources]]")
    settings = replace(settings, lake=_lake(path, raw.get("warehouse", {}), settings.data_dir),
                       storage=_storage(path, raw.get("storage", {})))
    entries = raw.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'sources' must be an array of tables ([[sources]])")
    sources = tuple(_source(path, i, entry) for i, entry in enumerate(entries))
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise ConfigError(f"{path}: source {source.name!r}: duplicate name")
        seen.add(source.name)
    return Config(path=path, settings=settings, sources=sources)


_SETTING_RANGES: dict[str, tuple[int, int, str]] = {
    "concurrency": (1, 1024, ""),
    "concurrency_per_domain": (1, 256, ""),
    "download_delay": (0, 3600, " seconds"),
    "download_timeout": (1, 3600, " seconds"),
    "max_page_bytes": (1024, 1024**3, " bytes"),
    "retries": (0, 10, ""),
    "ccnews_lead_hours": (0, 24 * 31, " hours"),
    "ccnews_lag_hours": (0, 24 * 31, " hours"),
}
"""Inclusive ranges of the numeric settings: Scrapy reads 0 as "no limit" for sizes and fails every
request with a 0 timeout, so values outside these are mistakes, not choices."""

_SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    "data_dir": str,
    "database": str,
    "user_agent": str,
    "obey_robots": bool,
    "concurrency": int,
    "concurrency_per_domain": int,
    "download_delay": (int, float),
    "download_timeout": (int, float),
    "max_page_bytes": int,
    "retries": int,
    "autothrottle": bool,
    "ccnews_base_url": str,
    "ccnews_lead_hours": int,
    "ccnews_lag_hours": int,
}


def _settings(path: Path, raw: object) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [settings] must be a table")
    values: dict[str, object] = {}
    for key, value in raw.items():
        expected = _SETTING_TYPES.get(key)
        if expected is None:
            raise ConfigError(f"{path}: settings.{key}: unknown setting (known: {', '.join(_SETTING_TYPES)})")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{path}: settings.{key}: expected {_type_name(expected)}, got {value!r}")
        if key in _SETTING_RANGES:
            low, high, unit = _SETTING_RANGES[key]
            if not low <= value <= high:  # also refuses TOML's nan
                raise ConfigError(f"{path}: settings.{key}: must be between {low} and {high}{unit}, "
                                  f"got {value!r}")
        if key == "ccnews_base_url" and web_address(value) is None:
            raise ConfigError(f"{path}: settings.{key}: expected an http(s) URL, got {value!r}")
        values[key] = Path(value) if key in ("data_dir", "database") else value
    if "data_dir" in values and "database" not in values:
        values["database"] = Path(values["data_dir"]) / "news.duckdb"  # type: ignore[arg-type]
    return Settings(**values)  # type: ignore[arg-type]


_LAKE_FIELDS = {"backend", "catalog", "data_path", "local_path", "metadata_schema"}
_CATALOGS = ("postgres:", "sqlite:")


def _lake(path: Path, raw: object, data_dir: Path) -> DuckLake | None:
    """The `[warehouse]` table: None for the DuckDB file (the default), else the DuckLake it names."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [warehouse] must be a table")
    for key, value in raw.items():
        if key not in _LAKE_FIELDS:
            raise ConfigError(f"{path}: warehouse.{key}: unknown setting (known: {', '.join(sorted(_LAKE_FIELDS))})")
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: warehouse.{key}: expected a non-empty string, got {value!r}")
    backend = raw.get("backend", "duckdb")
    if backend not in WAREHOUSE_BACKENDS:
        raise ConfigError(f"{path}: warehouse.backend: expected one of {', '.join(WAREHOUSE_BACKENDS)}, "
                          f"got {backend!r}")
    if backend == "duckdb":
        extra = sorted(set(raw) - {"backend"})
        if extra:
            raise ConfigError(f"{path}: warehouse.{extra[0]}: only for backend = \"ducklake\"")
        return None
    for key in ("catalog", "data_path"):
        if key not in raw:
            raise ConfigError(f"{path}: warehouse.{key}: required with backend = \"ducklake\"")
    catalog = raw["catalog"]
    if not catalog.startswith(_CATALOGS):
        raise ConfigError(f"{path}: warehouse.catalog: expected postgres:… or sqlite:…, got {catalog!r}")
    if "password" in catalog.lower():
        # a config file is copied and shown; the password belongs in PGPASSWORD or a DuckDB secret
        raise ConfigError(f"{path}: warehouse.catalog: holds a password; set PGPASSWORD instead")
    return DuckLake(catalog=catalog, data_path=raw["data_path"],
                    local_path=Path(raw.get("local_path") or Path(data_dir) / "news.ducklake"),
                    metadata_schema=raw.get("metadata_schema"))


def _storage(path: Path, raw: object) -> str | None:
    """The `[storage]` table's `runs`: ``s3://bucket[/prefix]`` or a folder (made absolute, as every
    machine must name the same one), without a trailing slash; None when not set."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [storage] must be a table")
    for key, value in raw.items():
        if key != "runs":
            raise ConfigError(f"{path}: storage.{key}: unknown setting (known: runs)")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{path}: storage.runs: expected a non-empty string, got {value!r}")
    runs = raw.get("runs")
    if runs is None:
        return None
    if runs.startswith("s3://"):
        bucket = runs.removeprefix("s3://").split("/", 1)[0]
        if not bucket:
            raise ConfigError(f"{path}: storage.runs: no bucket in {runs!r}; expected s3://bucket/prefix")
        return runs.rstrip("/")
    if "://" in runs:
        raise ConfigError(f"{path}: storage.runs: expected s3://bucket/prefix or a folder, got {runs!r}")
    return str(Path(runs).expanduser().absolute())


_SOURCE_FIELDS = {"name", "domains", "language", "feeds", "sitemaps", "robots_sitemaps", "archives",
                  "extra_hosts"}


def _source(path: Path, index: int, raw: object) -> Source:
    where = f"{path}: sources[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not SOURCE_NAME.match(name):
        raise ConfigError(
            f"{where}: name: expected lowercase letters, digits, '-' or '_' (max 64), got {name!r}"
        )
    where = f"{path}: source {name!r}"
    unknown = set(raw) - _SOURCE_FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)} (known: {sorted(_SOURCE_FIELDS)})")
    domains = _hosts(where, "domains", raw.get("domains"), required=True)
    language = raw.get("language")
    if not isinstance(language, str) or not _LANG.match(language):
        raise ConfigError(f"{where}: language: expected an ISO 639-1 code like 'en', got {language!r}")
    feeds = _urls(where, "feeds", raw.get("feeds", []))
    sitemaps = _urls(where, "sitemaps", raw.get("sitemaps", []))
    archives = _urls(where, "archives", raw.get("archives", []))
    extra_hosts = _hosts(where, "extra_hosts", raw.get("extra_hosts", []))
    robots_sitemaps = raw.get("robots_sitemaps", False)
    if not isinstance(robots_sitemaps, bool):
        raise ConfigError(f"{where}: robots_sitemaps: expected true or false, got {robots_sitemaps!r}")
    for template in archives:
        try:
            rendered = template.format(date=date(2024, 1, 31))
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            raise ConfigError(
                f"{where}: archives: bad template {template!r} ({exc}); use {{date:%Y/%m/%d}}"
            ) from None
        if rendered == template:
            raise ConfigError(f"{where}: archives: template {template!r} has no {{date:...}} field")
    if not (feeds or sitemaps or archives or robots_sitemaps):
        raise ConfigError(f"{where}: needs at least one of feeds, sitemaps, archives, robots_sitemaps")
    source = Source(
        name=name,
        domains=tuple(domains),
        language=language,
        feeds=tuple(feeds),
        sitemaps=tuple(sitemaps),
        robots_sitemaps=robots_sitemaps,
        archives=tuple(archives),
        extra_hosts=tuple(extra_hosts),
    )
    for url in source.archive_urls(date(2024, 1, 31)):  # feeds and sitemaps may live elsewhere
        if not source.owns(url):
            raise ConfigError(f"{where}: {url!r} is not on the source's domains {list(domains)}")
    return source


def _strings(where: str, key: str, value: object, *, required: bool = False) -> list[str]:
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value) or (required and not value):
        need = "a non-empty list" if required else "a list"
        raise ConfigError(f"{where}: {key}: expected {need} of strings, got {value!r}")
    return value


def _hosts(where: str, key: str, value: object, *, required: bool = False) -> list[str]:
    """Host names, each optionally with a port (``example.org``, ``127.0.0.1:8781``), lowercased."""
    hosts = [host.lower() for host in _strings(where, key, value, required=required)]
    for host in hosts:
        try:
            parts = urlsplit(f"//{host}")
            valid = bool(parts.hostname) and parts.netloc == host and parts.port != 0
        except ValueError:
            valid = False
        if not valid or "@" in host or any(ch.isspace() for ch in host):
            raise ConfigError(f"{where}: {key}: {host!r} is not a host name (with an optional port), "
                              "e.g. 'cdn.example.org' or '127.0.0.1:8781'")
    return hosts


def _urls(where: str, key: str, value: object) -> list[str]:
    urls = _strings(where, key, value)
    for url in urls:
        if web_address(url) is None:
            raise ConfigError(f"{where}: {key}: {url!r} is not an http(s) URL")
    return urls


def _type_name(expected: type | tuple[type, ...]) -> str:
    if isinstance(expected, tuple):
        return " or ".join(t.__name__ for t in expected)
    return {"str": "a string", "bool": "true or false", "int": "an integer"}.get(expected.__name__, expected.__name__)
