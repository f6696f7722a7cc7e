"""A compact fingerprint of an article's wording, for finding near-duplicates across sources.

The fingerprint is a sample of the article's word 5-gram shingle hashes (those divisible by
`SAMPLE`), so two texts sharing most of their wording share most of their sample, whatever their
length; the warehouse compares samples in SQL. CRC32 is stable across processes, unlike `hash()`.
"""

from __future__ import annotations

import re
import zlib

SHINGLE = 5
SAMPLE = 8
_WORD = re.compile(r"\w+")


def fingerprint(text: str) -> list[int]:
    """Sorted distinct sampled shingle hashes of `text` (empty for texts shorter than a shingle)."""
    words = _WORD.findall(text.lower())
    hashes = {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    }
    return sorted(h for h in hashes if h % SAMPLE == 0)
