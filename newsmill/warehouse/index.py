"""The search index folder beside the DuckDB file (`news.duckdb.search/`): a Tantivy index of each
article's title and text, with its url, day, source and language for deletes and filters.

The folder is derived data: every document is made from one `articles` row, and `sync.py` decides
when it is current, catches it up or rebuilds it. This module knows the folder only: the one
definition of its documents and their analyzer (fingerprinted as `VERSION`), writing documents read
from DuckDB by key, the record of what the folder holds, the lock of its writers, and answering a
query inside the engine. A document stores what a hit shows (title, text, day, source, language), so
an answer needs nothing from DuckDB.

Layout: `tantivy/` holds the engine's files; `state.json`, written after each commit of the engine,
says which definitions, warehouse and generation of changes they hold, and the size and CRC-32 of
each segment file, so a file deleted, cut short or altered afterwards is noticed (Tantivy's own
`meta.json` and `.managed.json`, rewritten by every commit, it checks itself); `checked.json` says
that this state was found current with the DuckDB file as the file system saw it then (`file_stamp`),
so a search can trust the folder without opening DuckDB while the file is unchanged; `lock` is held
by whoever writes.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import tantivy

from newsmill import layout
from newsmill.config import LOCK_TIMEOUT
from newsmill.processes import hold_flock
from newsmill.warehouse.errors import WarehouseError

if TYPE_CHECKING:
    import duckdb

FORMAT = 1
"""Bump when what goes into a document changes in a way the definitions below do not show."""

LETTERS = r"[\p{L}\p{M}]+"
"""A token is a run of letters: digits, punctuation and Tantivy's query syntax only separate words."""

STOPWORDS = tuple("""
    a able about above according accordingly across actually after afterwards again against all
    allow allows almost alone along already also although always am among amongst an and another
    any anybody anyhow anyone anything anyway anyways anywhere apart appear appreciate
    appropriate are around as aside ask asking associated at available away awfully b be became
    because become becomes becoming been before beforehand behind being believe below beside
    besides best better between beyond both brief but by c came can cannot cant cause causes
    certain certainly changes clearly co com come comes concerning consequently consider
    considering contain containing contains corresponding could course currently d definitely
    described despite did different do does doing done down downwards during e each edu eg eight
    either else elsewhere enough entirely especially et etc even ever every everybody everyone
    everything everywhere ex exactly example except f far few fifth first five followed
    following follows for former formerly forth four from further furthermore g get gets getting
    given gives go goes going gone got gotten greetings h had happens hardly has have having he
    hello help hence her here hereafter hereby herein hereupon hers herself hi him himself his
    hither hopefully how howbeit however i ie if ignored immediate in inasmuch inc indeed
    indicate indicated indicates inner insofar instead into inward is it its itself j just k
    keep keeps kept know known knows l last lately later latter latterly least less lest let
    like liked likely little look looking looks ltd m mainly many may maybe me mean meanwhile
    merely might more moreover most mostly much must my myself n name namely nd near nearly
    necessary need needs neither never nevertheless new next nine no nobody non none noone nor
    normally not nothing novel now nowhere o obviously of off often oh ok okay old on once one
    ones only onto or other others otherwise ought our ours ourselves out outside over overall
    own p particular particularly per perhaps placed please plus possible presumably probably
    provides q que quite qv r rather rd re really reasonably regarding regardless regards
    relatively respectively right s said same saw say saying says second secondly see seeing
    seem seemed seeming seems seen self selves sensible sent serious seriously seven several
    shall she should since six so some somebody somehow someone something sometime sometimes
    somewhat somewhere soon sorry specified specify specifying still sub such sup sure t take
    taken tell tends th than thank thanks thanx that thats the their theirs them themselves then
    thence there thereafter thereby therefore therein theres thereupon these they think third
    this thorough thoroughly those though three through throughout thru thus to together too
    took toward towards tried tries truly try trying twice two u un under unfortunately unless
    unlikely until unto up upon us use used useful uses using usually uucp v value various very
    via viz vs w want wants was way we welcome well went were what whatever when whence whenever
    where whereafter whereas whereby wherein whereupon wherever whether which while whither who
    whoever whole whom whose why will willing wish with within without wonder would x y yes yet
    you your yours yourself yourselves z zero
""".split())
"""English words kept out of the index and out of queries: the `english` list of DuckDB's fts
extension, which newsmill searched with before, less its words with an apostrophe (never a token)."""

_TOKENIZER = "newsmill"
_FILTERS: tuple[tuple[str, ...] | tuple[str, list[str]], ...] = (
    ("lowercase",), ("ascii_fold",), ("custom_stopword", list(STOPWORDS)), ("stemmer", "english"),
)
_FIELDS: tuple[tuple[str, str, dict[str, object]], ...] = (
    # the key: a load deletes an article's document by this term before adding the new one
    ("url", "text", {"stored": True, "tokenizer_name": "raw", "index_option": "basic"}),
    # title and text as one field, ranked by BM25 (term frequencies, no positions)
    ("body", "text", {"tokenizer_name": _TOKENIZER, "index_option": "freq"}),
    # what a hit shows: the title, and the text for its snippet, zlib-compressed (Tantivy's own LZ4
    # store kept 75 % of a text's bytes, zlib keeps 48 %: the folder stays smaller than the texts)
    ("title", "bytes", {"stored": True}),
    ("text", "bytes", {"stored": True}),
    # the filters of `newsmill search`, evaluated inside the engine
    ("day", "integer", {"stored": True, "indexed": True, "fast": True}),  # pub_date as days since 1970-01-01
    ("source", "text", {"stored": True, "tokenizer_name": "raw", "index_option": "basic", "fast": True}),
    ("language", "text", {"stored": True, "tokenizer_name": "raw", "index_option": "basic", "fast": True}),
)
VERSION = f"{zlib.crc32(json.dumps([FORMAT, LETTERS, _FILTERS, _FIELDS, tantivy.__version__]).encode()):08x}"
"""The fingerprint of the documents' definition and the engine: a folder recording another one is rebuilt."""

COLUMNS = ("url", "title", "text", "pub_date", "source", "language")
"""The `articles` columns a document is made from."""
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM articles"
_EPOCH = date(1970, 1, 1)
_KEYS_PER_QUERY = 500  # urls read from DuckDB per statement: by key, never a scan of the texts
_ROWS_PER_BATCH = 1_000  # rows of a full rebuild held in Python at once
_SCAN_SETTINGS = {"threads": "1", "memory_limit": "64MB"}
"""DuckDB's settings while a rebuild scans `articles`: one thread reads row groups in order and hands
them on, and the buffer cache stays small, so the scan's memory does not grow with the warehouse."""
_WRITER_HEAP = 64_000_000  # bytes Tantivy buffers before it writes a segment
_ENGINE_OWN = ("meta.json", ".managed.json", ".tantivy-meta.lock", ".tantivy-writer.lock")
SETTLED_SECONDS = 2.0
"""How long the DuckDB file must have been unchanged before its stamp is trusted: a later write within
the file system's timestamp granularity could leave size and times as they were ("racy" stamps)."""


class SearchIndexError(WarehouseError):
    """The search index folder cannot be written or stays locked; the message says which and what to do."""


class IndexDamaged(Exception):  # noqa: N818 - a finding, handled by rebuilding
    """Tantivy refused the folder's files: they are damaged or of another format."""


@dataclass(frozen=True)
class Hit:
    """A document that answered a query, as its stored fields give it."""

    score: float
    url: str
    title: str | None
    pub_date: date
    source: str
    language: str | None
    snippet: str


@dataclass(frozen=True)
class State:
    """What the folder holds, as recorded after the engine's last commit."""

    version: str
    warehouse: str | None  # the warehouse's id (`newsmill_meta`), None for a warehouse without one
    generation: int  # the warehouse's last change generation the documents include
    files: dict[str, list[int]]  # segment file → [size, CRC-32]


@cache
def _analyzer() -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(LETTERS))
    for name, *args in _FILTERS:
        builder = builder.filter(getattr(tantivy.Filter, name)(*args))
    return builder.build()


@cache
def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name, kind, options in _FIELDS:
        getattr(builder, f"add_{kind}_field")(name, **options)
    return builder.build()


def words(terms: str) -> list[str]:
    """The index terms of a query, as the documents' text is analysed; each once, in order."""
    return list(dict.fromkeys(_analyzer().analyze(terms)))


def _document(url: str, title: str | None, text: str | None, day: date, source: str,
              language: str | None) -> tantivy.Document:
    doc = tantivy.Document(url=url, body=f"{title or ''}\n\n{text or ''}", day=(day - _EPOCH).days,
                           source=source)
    if title is not None:
        doc.add_bytes("title", title.encode())
    if text:
        doc.add_bytes("text", zlib.compress(text.encode()))
    if language:
        doc.add_text("language", language)
    return doc


def _hit(score: float, doc: tantivy.Document, terms: str) -> Hit:
    title = doc["title"][0].decode() if doc["title"] else None
    text = zlib.decompress(doc["text"][0]).decode() if doc["text"] else ""
    language = doc["language"][0] if doc["language"] else None
    return Hit(score, doc["url"][0], title, _EPOCH + timedelta(days=doc["day"][0]), doc["source"][0], language,
               snippet(text, terms))


def snippet(text: str, terms: str, width: int = 200) -> str:
    """The stretch of `text` around the first query term found, for showing a hit in context."""
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms.lower().split() if t and lowered.find(t) >= 0]
    start = max(0, min(positions) - width // 4) if positions else 0
    piece = " ".join(text[start:start + width].split())
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def file_stamp(database: Path) -> list[list[int] | None] | None:
    """The DuckDB file and its WAL as the file system sees them (device, inode, size, modification
    and change times), or None when either changed in the last `SETTLED_SECONDS` or the file is
    not there. Equal stamps taken while no writer could hold the file mean the same warehouse."""
    stamps = []
    for path in (database, database.with_name(database.name + ".wal")):
        try:
            found = path.stat()
        except FileNotFoundError:
            if path == database:
                return None
            stamps.append(None)
            continue
        if time.time_ns() - max(found.st_mtime_ns, found.st_ctime_ns) < SETTLED_SECONDS * 1e9:
            return None
        stamps.append([found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns])
    return stamps


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


class SearchIndex:
    """The search index folder of one DuckDB file."""

    def __init__(self, database: Path) -> None:
        self.folder = layout.search_index_dir(database)
        self._engine_dir = self.folder / "tantivy"
        self._state_path = self.folder / "state.json"
        self._checked_path = self.folder / "checked.json"
        self._lock_path = self.folder / "lock"
        self._database = Path(database)

    # ------------------------------------------------------------------ what the folder holds

    def state(self) -> State | None:
        """The recorded state, or None when there is none (no folder, never committed, a rebuild
        cut short) or it cannot be read."""
        try:
            state = State(**json.loads(self._state_path.read_bytes()))
        except (OSError, ValueError, TypeError):
            return None
        return state if isinstance(state.generation, int) and isinstance(state.files, dict) else None

    def trusted(self) -> tantivy.Index | None:
        """The index, when its state was found current with the DuckDB file (`mark_checked`), the
        file is unchanged since, and the cheap checks of the folder pass; else None, and the caller
        checks it against the warehouse (`sync.sync_index`). Reads no DuckDB."""
        state = self.state()
        try:
            checked = json.loads(self._checked_path.read_bytes())
        except (OSError, ValueError):
            return None
        stamp = file_stamp(self._database)
        if state is None or stamp is None or not isinstance(checked, dict) or \
                checked.get("file") != stamp or checked.get("state") != asdict(state):
            return None
        if state.version != VERSION or self.damage(state) is not None:
            return None
        try:
            return self.open()
        except IndexDamaged:
            return None

    def mark_checked(self) -> None:
        """Record that the folder's state is current with the DuckDB file as it is now. Only for a
        caller holding the file open read-only (no writer can change it meanwhile) that found the
        folder current; skipped while the file is not settled, or when the folder cannot be written
        (the next search checks against the warehouse again)."""
        stamp, state = file_stamp(self._database), self.state()
        if stamp is None or state is None:
            return
        try:
            layout.write_atomic(self._checked_path, json.dumps({"state": asdict(state), "file": stamp}))
        except OSError:
            pass

    def built(self) -> bool:
        """Whether the engine's folder exists (a build began, whether or not it finished)."""
        return self._engine_dir.is_dir()

    def damage(self, state: State, *, checksums: bool = False) -> str | None:
        """Why the engine's files differ from what `state` recorded, or None. Sizes cost a `stat`
        per file; `checksums` reads every byte (`newsmill index check`)."""
        for name, (size, crc) in sorted(state.files.items()):
            path = self._engine_dir / name
            try:
                found = path.stat().st_size
            except OSError:
                return f"its file {name} is missing"
            if found != size:
                return f"its file {name} has {found} bytes where {size} were written"
            if checksums and _crc(path) != crc:
                return f"its file {name} does not match the checksum written with it"
        return None

    def open(self) -> tantivy.Index:
        """The index for searching. Raises IndexDamaged when Tantivy refuses its files."""
        try:
            return tantivy.Index.open(str(self._engine_dir))
        except ValueError as exc:
            raise IndexDamaged(_first_line(exc)) from None

    def record(self, warehouse: str | None, generation: int) -> None:
        """Write the state after the engine committed: sizes and checksums of its segment files
        (only new ones are read: Tantivy never rewrites a segment file)."""
        before = self.state()
        known = before.files if before else {}
        files = {}
        for path in sorted(self._engine_dir.iterdir()):
            if path.name in _ENGINE_OWN or not path.is_file():
                continue
            size = path.stat().st_size
            same = known.get(path.name)
            files[path.name] = same if same and same[0] == size else [size, _crc(path)]
        state = State(VERSION, warehouse, generation, files)
        self._write(lambda: layout.write_atomic(self._state_path, json.dumps(asdict(state), indent=1)))

    # ------------------------------------------------------------------ writing

    @contextmanager
    def writing(self, say: Callable[[str], None]) -> Iterator[None]:
        """Hold the folder's lock (a `flock`, released by the kernel however its holder exits) for
        the `with` body; wait for another writer with a message, as for the warehouse's lock."""
        self._write(lambda: self.folder.mkdir(parents=True, exist_ok=True))
        fd = self._write(lambda: os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644))
        try:
            timeout = LOCK_TIMEOUT.value()
            hold_flock(
                fd, self._lock_path, timeout=timeout, say=say,
                waiting=lambda holder: f"search index {self.folder} is being written by {holder}; "
                                       f"waiting up to {timeout:.0f} s for it to finish",
                busy=lambda holder: SearchIndexError(
                    f"search index {self.folder}: still written by {holder} after {timeout:.0f} s; let "
                    f"it finish, or raise {LOCK_TIMEOUT.name}"),
            )
            yield
        finally:
            os.close(fd)

    def update(self, con: duckdb.DuckDBPyConnection, urls: Sequence[str]) -> None:
        """Replace the documents of `urls` by their current `articles` rows (none for an article no
        longer there), read by key; applying the same urls twice gives the same index."""
        writer = self._writer(fresh=False)
        for start in range(0, len(urls), _KEYS_PER_QUERY):
            keys = list(urls[start:start + _KEYS_PER_QUERY])
            for url in keys:
                writer.delete_documents_by_term("url", url)
            placeholders = ", ".join("?" * len(keys))
            for row in con.execute(f"{_SELECT} WHERE url IN ({placeholders})", keys).fetchall():
                writer.add_document(_document(*row))
        self._commit(writer)

    def rebuild(self, con: duckdb.DuckDBPyConnection, *, progress: bool = True) -> int:
        """Make the index anew from every `articles` row, streamed in batches; its documents.

        The state is removed first, so a rebuild cut short is found missing, not taken as current.
        """
        from newsmill.progress import Progress  # rich's progress bars: only a rebuild shows one

        self._write(lambda: self._state_path.unlink(missing_ok=True))
        self._write(lambda: shutil.rmtree(self._engine_dir, ignore_errors=True))
        writer = self._writer(fresh=True)
        total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        done = 0
        with Progress(progress, f"search index {self.folder.name}", unit="articles") as bar:
            bar.update(0, total)
            with _settings(con, _SCAN_SETTINGS):
                for batch in con.execute(_SELECT).to_arrow_reader(_ROWS_PER_BATCH):
                    columns = [batch.column(name).to_pylist() for name in COLUMNS]
                    for row in zip(*columns, strict=True):
                        writer.add_document(_document(*row))
                    done += batch.num_rows
                    bar.update(done, total)
        self._commit(writer)
        return done

    def _writer(self, *, fresh: bool) -> tantivy.IndexWriter:
        def make() -> tantivy.IndexWriter:
            self._engine_dir.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(_schema(), path=str(self._engine_dir), reuse=not fresh)
            index.register_tokenizer(_TOKENIZER, _analyzer())
            return index.writer(_WRITER_HEAP, 1)

        return self._write(make)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        def commit() -> None:
            writer.commit()
            writer.wait_merging_threads()  # merged segments on disk before the state lists the files

        self._write(commit)

    def _write(self, action: Callable[[], object]):  # noqa: ANN202 - the action's own result
        """Run a write to the folder: a refusal of the file system becomes SearchIndexError, one
        of Tantivy (its files unreadable) IndexDamaged."""
        try:
            return action()
        except ValueError as exc:
            raise IndexDamaged(_first_line(exc)) from None
        except OSError as exc:
            raise SearchIndexError(f"search index {self.folder}: cannot write it ({_first_line(exc)}); "
                                   "check the folder's permissions and free space, then run "
                                   "`newsmill index rebuild`") from None

    # ------------------------------------------------------------------ searching

    def search(self, index: tantivy.Index, terms: str, *, first: date | None = None,
               last: date | None = None, sources: Sequence[str] | None = None,
               language: str | None = None, limit: int = 10) -> list[Hit]:
        """The best `limit` documents holding any word of `terms`, best BM25 score first (ties by
        url); the filters are evaluated by the engine. Raises IndexDamaged when a file cannot be read."""
        found = words(terms)
        if not found:
            return []
        schema = _schema()
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", w, "freq")) for w in found])
        filters = []
        if first is not None or last is not None:
            filters.append(tantivy.Query.range_query(
                schema, "day", tantivy.FieldType.Integer,
                None if first is None else (first - _EPOCH).days, None if last is None else (last - _EPOCH).days))
        if sources:
            filters.append(tantivy.Query.term_set_query(schema, "source", list(sources)))
        if language is not None:
            filters.append(tantivy.Query.term_query(schema, "language", language))
        if filters:  # filters select, they do not score
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query)]
                + [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters])
        try:
            searcher = index.searcher()
            hits = [_hit(score, searcher.doc(address), terms)
                    for score, address in searcher.search(query, limit, count=False).hits]
        except ValueError as exc:
            raise IndexDamaged(_first_line(exc)) from None
        return sorted(hits, key=lambda hit: (-hit.score, hit.url))

    def documents(self, index: tantivy.Index) -> int:
        """How many documents the index holds (deleted ones not counted)."""
        try:
            return index.searcher().num_docs
        except ValueError as exc:
            raise IndexDamaged(_first_line(exc)) from None


@contextmanager
def _settings(con: duckdb.DuckDBPyConnection, settings: dict[str, str]) -> Iterator[None]:
    """DuckDB `settings` for the `with` body, the connection's own restored after (they are the
    database instance's, shared by its other cursors). A connection whose configuration is locked
    (`forbid_external_access`) keeps its own: sync the index before locking it to bound a rebuild."""
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        yield
        return
    before = {name: con.execute("SELECT current_setting(?)", [name]).fetchone()[0] for name in settings}
    try:
        for name, value in settings.items():
            con.execute(f"SET {name} = '{value}'")
        yield
    finally:
        for name, value in before.items():
            con.execute(f"SET {name} = '{value}'")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
