"""Loaded models kept for reuse: loading one takes seconds, a text query milliseconds."""

from __future__ import annotations

import threading
from pathlib import Path

from corpuscope.embed.base import Embedder
from corpuscope.embed.registry import DEFAULT_MODEL, load_embedder

_loaded: dict[tuple[str, str | None], Embedder] = {}
_lock = threading.Lock()


def get_embedder(name: str | None = None, *, models_dir: Path | None = None) -> Embedder:
    """The model ``name`` (the default one when None), loaded once per process."""
    key = (name or DEFAULT_MODEL, str(models_dir) if models_dir else None)
    with _lock:
        if key not in _loaded:
            _loaded[key] = load_embedder(key[0], models_dir=models_dir)
        return _loaded[key]
