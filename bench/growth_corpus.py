"""Synthetic articles for the growth benchmark, made from the shared corpora's ground-truth bodies.

Each article is a few stretches of one language's running text (the bodies of `../shared/corpus`
and `../shared/corpus-web`, as one token stream per language) in which a quarter of the tokens are
swapped for tokens drawn from the same stream. So word frequencies (what BM25 sees) are those of real
news text, while no two articles share much wording: few 5-word shingles survive the swaps, so the
load's near-duplicate search meets the sparse overlap it meets in real news, not the copies a naive
recombination of paragraphs would make. Lengths follow the news corpus's body lengths per language.
Everything is a function of (seed, day), so a warehouse of N articles is the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from newsmill.runfiles import ARTICLES_SCHEMA, REMOVED_SCHEMA
from transforms.fingerprint import fingerprint
from transforms.page import content_hash

SHARED = Path(__file__).resolve().parents[2] / "shared"
NEWS = SHARED / "corpus"
VOCABULARY = (SHARED / "corpus", SHARED / "corpus-web")
LAST_DAY = date(2026, 11, 20)
DAYS = 365
SWAP = 0.25
"""Share of tokens replaced: 0.75**5, about a quarter, of an article's 5-word shingles stay intact."""
SOURCES_PER_LANGUAGE = {"en": 19, "ru": 8, "el": 8, "pl": 8, "zh": 7}
"""50 sources; the news corpus's five main languages, English the largest as in the corpus."""
JOINER = {"zh": ""}  # running Chinese text has no spaces: its stream is one token per character


def _manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line.strip()]


def _tokens(text: str, language: str) -> list[str]:
    """Tokens with a paragraph mark "\n\n" kept as a token of its own, so stretches keep paragraphs."""
    out: list[str] = []
    for paragraph in text.split("\n\n"):
        words = list(paragraph.replace(" ", "")) if language == "zh" else paragraph.split()
        if words:
            out.extend(words)
            out.append("\n\n")
    return out


@dataclass(frozen=True)
class Source:
    name: str
    language: str


class Vocabulary:
    """Token streams and body lengths per language, read once from the corpora."""

    def __init__(self) -> None:
        streams: dict[str, list[str]] = {lang: [] for lang in SOURCES_PER_LANGUAGE}
        for folder in VOCABULARY:
            for row in _manifest(folder):
                if row.get("lang") in streams and row.get("body"):
                    streams[row["lang"]].extend(_tokens(row["body"], row["lang"]))
        self.streams = {lang: np.array(tokens, dtype=object) for lang, tokens in streams.items()}
        self.words = {lang: np.array([t for t in tokens if t != "\n\n"], dtype=object)
                      for lang, tokens in streams.items()}
        lengths: dict[str, list[int]] = {lang: [] for lang in SOURCES_PER_LANGUAGE}
        news = Counter()
        for row in _manifest(NEWS):
            if row.get("lang") in lengths and row.get("body"):
                lengths[row["lang"]].append(len(_tokens(row["body"], row["lang"])))
                news[row["lang"]] += 1
        self.lengths = {lang: np.array(v) for lang, v in lengths.items()}
        self.sources = [Source(f"{lang}-news{i:02d}", lang)
                        for lang, n in SOURCES_PER_LANGUAGE.items() for i in range(n)]
        share = np.array([news[s.language] / SOURCES_PER_LANGUAGE[s.language] for s in self.sources], float)
        self.source_weights = share / share.sum()

    def passage(self, rng: np.random.Generator, language: str, length: int) -> str:
        """`length` tokens of the language: stretches of its stream at random places, a share swapped."""
        stream, words = self.streams[language], self.words[language]
        pieces = max(1, math.ceil(length / 150))
        starts = rng.integers(0, len(stream) - 160, pieces)
        ids = np.concatenate([np.arange(s, s + math.ceil(length / pieces)) for s in starts])[:length]
        tokens = stream[ids]
        swap = (rng.random(len(tokens)) < SWAP) & (tokens != "\n\n")
        tokens[swap] = words[rng.integers(0, len(words), int(swap.sum()))]
        joiner = JOINER.get(language, " ")
        paragraphs = joiner.join(tokens).split("\n\n")
        return "\n\n".join(p.strip() for p in paragraphs if p.strip())


def day_of(index: int) -> date:
    """Day `index` of the benchmark's year (0 = the oldest)."""
    return LAST_DAY - timedelta(days=DAYS - 1 - index)


def articles_of_day(vocab: Vocabulary, seed: int, day: date, count: int, *, tag: str = "") -> pa.Table:
    """`count` articles published on `day`, in `ARTICLES_SCHEMA`; a function of (seed, day, tag)."""
    rng = np.random.default_rng([seed, day.toordinal(), len(tag)])
    sources = rng.choice(len(vocab.sources), size=count, p=vocab.source_weights)
    rows = []
    for i, s in enumerate(sources):
        source = vocab.sources[s]
        lang = source.language
        length = int(max(40, vocab.lengths[lang][rng.integers(0, len(vocab.lengths[lang]))]))
        text = vocab.passage(rng, lang, length)
        title = vocab.passage(rng, lang, int(rng.integers(6, 14))).replace("\n\n", " ")
        slug = hashlib.sha1(title.encode()).hexdigest()[:8]
        url = f"https://{source.name}.example/{day:%Y/%m/%d}/{tag}{i:05d}-{slug}"
        fetched = datetime(day.year, day.month, day.day, 6, tzinfo=UTC) + timedelta(seconds=int(i))
        rows.append({
            "url": url, "source": source.name, "pub_date": day, "listed_date": day, "date_source": "page",
            "title": title, "authors": [f"Reporter {int(rng.integers(0, 400))}"],
            "description": text[:160], "site_name": source.name.title(), "language": lang,
            "tags": [str(t) for t in rng.choice(vocab.words[lang], size=int(rng.integers(0, 4)))],
            "text": text, "word_count": len(text.split()), "content_hash": content_hash(text),
            "fetched_at": fetched, "warc_file": f"/data/warc/{source.name}/{day}.warc.gz",
            "warc_offset": int(i) * 40_000, "duplicate_of": None, "fingerprint": fingerprint(text),
        })
    return pa.Table.from_pylist(rows, schema=ARTICLES_SCHEMA)


def removed_of(articles: pa.Table) -> pa.Table:
    """One or two removed paragraphs per article (a teaser, a share line), as cleaning leaves them."""
    rows = []
    for url, title in zip(articles["url"].to_pylist(), articles["title"].to_pylist(), strict=True):
        rows.append({"url": url, "position": 3, "text": f"Read more: {title[:60]}", "reason": "teaser",
                     "score": 1.0})
        if int(hashlib.sha1(url.encode()).hexdigest()[:2], 16) % 2:
            rows.append({"url": url, "position": 9, "text": "Share this article", "reason": "share",
                         "score": 1.0})
    return pa.Table.from_pylist(rows, schema=REMOVED_SCHEMA)


def per_day(total: int) -> list[int]:
    """How many of `total` articles each of the DAYS days gets (even, the remainder on the last)."""
    base = total // DAYS
    counts = [base] * DAYS
    counts[-1] += total - base * DAYS
    return counts
