"""Models by stable name: which are usable on this machine, loading them, fetching them.

``corpuscope models`` prints :func:`list_models`; ``corpuscope models download NAME`` calls
:func:`download_model`; every vector job starts with :func:`load_embedder`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from corpuscope.embed import hub
from corpuscope.embed.base import Embedder
from corpuscope.embed.catalog import CATALOG, DEFAULT_MODEL, ModelSpec, find_spec
from corpuscope.errors import ModelUnavailable

__all__ = ["DEFAULT_MODEL", "ModelInfo", "download_model", "list_models", "load_embedder"]


@dataclass(frozen=True)
class ModelInfo:
    """One model as ``corpuscope models`` shows it.

    ``reason`` says why an unavailable model cannot be used and ``how_to_enable`` what to do
    about it; both are empty for an available model. ``location`` is where its weights are.
    """

    name: str
    title: str
    dim: int
    has_text: bool
    available: bool
    reason: str
    how_to_enable: str
    size: str
    speed: str
    location: str
    is_default: bool


def list_models(*, models_dir: Path | None = None) -> list[ModelInfo]:
    """Every known model, default first, saying which can run here (cheap: loads nothing)."""
    return [_info(spec, models_dir) for spec in CATALOG]


def load_embedder(
    name: str | None = None, *, models_dir: Path | None = None, threads: int | None = None
) -> Embedder:
    """Load a model by name (``None``: the default, efficientnet-lite0).

    ``threads`` is the inference thread count; by default, the cores left beside the
    pipeline's decoding workers. Raises :class:`ModelUnavailable` with what to do when the
    model's weights or libraries are missing, :class:`InvalidInput` for an unknown name.
    """
    spec = find_spec(name or DEFAULT_MODEL)
    if spec.family == "bundled":
        from corpuscope.embed.efficientnet import EfficientNetLite0

        return EfficientNetLite0(threads=threads)
    _require_libraries(spec)
    folder = hub.find_folder(spec, models_dir)
    if folder is None:
        raise ModelUnavailable(hub.missing_message(spec, models_dir))
    from corpuscope.embed.clip import ClipEmbedder

    return ClipEmbedder(spec.name, folder, threads=threads)


def download_model(name: str, *, models_dir: Path | None = None) -> Path:
    """Make a model usable here and return its folder (or the bundled weights file).

    Models already on disk are not fetched again. Downloads need a network; without one the
    :class:`ModelUnavailable` message says which files to copy where.
    """
    spec = find_spec(name)
    if spec.family == "bundled":
        from corpuscope.embed.efficientnet import locate_model

        return locate_model()
    existing = hub.find_folder(spec, models_dir)
    if existing is not None:
        return existing
    return hub.download(spec, models_dir)


def _require_libraries(spec: ModelSpec) -> None:
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelUnavailable(
            f"The model {spec.name} needs {' and '.join(missing)}; "
            "run: pip install 'corpuscope[clip]'"
        )


def _info(spec: ModelSpec, models_dir: Path | None) -> ModelInfo:
    reason, how, location = "", "", ""
    if spec.family == "bundled":
        reason, how, location = _bundled_status()
    elif any(importlib.util.find_spec(m) is None for m in ("torch", "transformers")):
        reason = "the Hugging Face libraries (torch, transformers) are not installed"
        how = "pip install 'corpuscope[clip]'"
    else:
        folder = hub.find_folder(spec, models_dir)
        if folder is None:
            reason = "its weights are not on this machine"
            how = hub.missing_message(spec, models_dir)
        else:
            location = str(folder)
    return ModelInfo(
        name=spec.name,
        title=spec.title,
        dim=spec.dim,
        has_text=spec.has_text,
        available=not reason,
        reason=reason,
        how_to_enable=how,
        size=spec.size,
        speed=spec.speed,
        location=location,
        is_default=spec.name == DEFAULT_MODEL,
    )


def _bundled_status() -> tuple[str, str, str]:
    """(reason, how_to_enable, location) for the bundled model."""
    if importlib.util.find_spec("onnxruntime") is None:
        return "onnxruntime is not installed", "pip install onnxruntime", ""
    from corpuscope.embed.efficientnet import locate_model

    try:
        return "", "", str(locate_model())
    except ModelUnavailable as error:
        return "its ONNX file is missing from this installation", str(error), ""
