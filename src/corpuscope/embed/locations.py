"""Where corpuscope keeps derived model files and looks for model weights.

- cache (ONNX exports): ``$CORPUSCOPE_CACHE``, else ``$XDG_CACHE_HOME/corpuscope``, else
  ``~/.cache/corpuscope``;
- model folders, one per model name: ``models_dir/<name>/`` when the caller names a folder,
  else ``$CORPUSCOPE_MODELS/<name>/``, else ``$XDG_DATA_HOME/corpuscope/models/<name>/``
  (``~/.local/share/corpuscope/models/<name>/``). The Hugging Face cache is searched after.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "CORPUSCOPE_CACHE"
MODELS_ENV = "CORPUSCOPE_MODELS"


def cache_dir() -> Path:
    """The folder for derived files such as ONNX exports (not created here)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "corpuscope"


def models_root(models_dir: Path | None = None) -> Path:
    """The folder holding one sub-folder per model (not created here)."""
    if models_dir is not None:
        return Path(models_dir).expanduser()
    explicit = os.environ.get(MODELS_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "corpuscope" / "models"
