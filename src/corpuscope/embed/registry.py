"""Models by stable name: which are usable on this machine, loading them, adding them.

Three sources, listed in this order: the catalogue (the bundled model and the Hugging Face
families, :mod:`.catalog`), models added from an ONNX file (:mod:`.custom`), and models that
installed packages declare (:mod:`.plugins`). ``corpuscope models`` prints :func:`list_models`;
every vector job starts with :func:`load_embedder`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from corpuscope.embed import hub, plugins
from corpuscope.embed.base import Embedder
from corpuscope.embed.catalog import CATALOG, DEFAULT_MODEL, ModelSpec
from corpuscope.embed.custom import BrokenSidecar, CustomModel, list_custom_models
from corpuscope.embed.installation import Added, AddOptions, add_onnx_model, remove_model
from corpuscope.embed.locations import models_root
from corpuscope.errors import InvalidInput, ModelUnavailable

__all__ = [
    "DEFAULT_MODEL",
    "AddOptions",
    "Added",
    "ModelInfo",
    "add_model",
    "download_model",
    "find_model",
    "list_models",
    "load_embedder",
    "remove_model",
]

Source = Literal["bundled", "hugging-face", "file", "plugin"]
BUILT_IN = frozenset(spec.name for spec in CATALOG)


@dataclass(frozen=True)
class ModelInfo:
    """One model as ``corpuscope models`` shows it.

    ``reason`` says why an unavailable model cannot be used and ``how_to_enable`` what to do
    about it; both are empty for an available model. ``location`` is where its weights are;
    ``looks_in`` where corpuscope looks for them, in order; ``needs`` the files it needs there.
    ``dim`` is 0 when only loading the model tells it.
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
    source: Source = "bundled"
    looks_in: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


def list_models(*, models_dir: Path | None = None) -> list[ModelInfo]:
    """Every known model, default first, saying which can run here (cheap: loads no weights)."""
    infos = [_catalog_info(spec, models_dir) for spec in CATALOG]
    infos += [_custom_info(found) for found in list_custom_models(models_dir)]
    taken = {info.name for info in infos}
    infos += [
        _plugin_info(plugin, models_dir)
        for plugin in plugins.list_plugins(reserved=BUILT_IN)
        if plugin.name not in taken
    ]
    return infos


def find_model(name: str, *, models_dir: Path | None = None) -> ModelInfo:
    """The model ``name`` as listed; an unknown name lists the known ones."""
    found = list_models(models_dir=models_dir)
    for info in found:
        if info.name == name:
            return info
    known = ", ".join(info.name for info in found)
    raise InvalidInput(f"Unknown model {name!r}; the models are: {known}.")


def load_embedder(
    name: str | None = None, *, models_dir: Path | None = None, threads: int | None = None
) -> Embedder:
    """Load a model by name (``None``: the default, efficientnet-lite0).

    ``threads`` is the inference thread count; by default, the cores left beside the
    pipeline's decoding workers. Raises :class:`ModelUnavailable` with what to do when the
    model's weights or libraries are missing, :class:`InvalidInput` for an unknown name.
    """
    name = name or DEFAULT_MODEL
    spec = next((spec for spec in CATALOG if spec.name == name), None)
    if spec is not None:
        return _load_catalog(spec, models_dir, threads)
    info = find_model(name, models_dir=models_dir)
    if info.source == "file":
        return _load_custom(name, models_dir, threads)
    plugin = plugins.find_plugin(name, reserved=BUILT_IN)
    assert plugin is not None  # find_model listed it
    return plugins.load_plugin(plugin, models_dir=models_dir, threads=threads)


def _load_catalog(spec: ModelSpec, models_dir: Path | None, threads: int | None) -> Embedder:
    if spec.family == "bundled":
        from corpuscope.embed.efficientnet import EfficientNetLite0

        return EfficientNetLite0(threads=threads)
    _require_libraries(spec)
    folder = hub.find_folder(spec, models_dir)
    if folder is None:
        raise ModelUnavailable(hub.missing_message(spec, models_dir))
    if spec.family == "hf-dinov2":
        from corpuscope.embed.dinov2 import Dinov2Embedder

        return Dinov2Embedder(spec.name, folder, threads=threads)
    from corpuscope.embed.clip import ClipEmbedder

    return ClipEmbedder(spec.name, folder, threads=threads)


def _load_custom(name: str, models_dir: Path | None, threads: int | None) -> Embedder:
    from corpuscope.embed.custom import find_custom_model
    from corpuscope.embed.onnx_file import OnnxFileEmbedder

    try:
        model = find_custom_model(name, models_dir)
    except InvalidInput as error:
        raise ModelUnavailable(str(error)) from None
    assert model is not None  # find_model listed it
    return OnnxFileEmbedder(model, threads=threads)


def download_model(name: str, *, models_dir: Path | None = None) -> Path:
    """Make a model usable here and return its folder (or the bundled weights file).

    Models already on disk are not fetched again. Downloads need a network; without one the
    :class:`ModelUnavailable` message says which files to copy where.
    """
    spec = next((spec for spec in CATALOG if spec.name == name), None)
    if spec is None:
        info = find_model(name, models_dir=models_dir)
        origin = "was added from a file" if info.source == "file" else "comes from a package"
        raise InvalidInput(f"The model {name} {origin}: there is nothing to download.")
    if spec.family == "bundled":
        from corpuscope.embed.efficientnet import locate_model

        return locate_model()
    existing = hub.find_folder(spec, models_dir)
    if existing is not None:
        return existing
    return hub.download(spec, models_dir)


def add_model(
    name: str, source: Path, options: AddOptions | None = None, *, models_dir: Path | None = None
) -> Added:
    """Add an ONNX image encoder from a file as model ``name`` (checked first)."""
    taken = BUILT_IN | {plugin.name for plugin in plugins.list_plugins(reserved=BUILT_IN)}
    return add_onnx_model(name, source, options, models_dir=models_dir, taken=frozenset(taken))


def _require_libraries(spec: ModelSpec) -> None:
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        raise ModelUnavailable(
            f"The model {spec.name} needs {' and '.join(missing)}; "
            "run: pip install 'corpuscope[clip]'"
        )


def _catalog_info(spec: ModelSpec, models_dir: Path | None) -> ModelInfo:
    reason, how, location = "", "", ""
    looks_in: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    if spec.family == "bundled":
        reason, how, location = _bundled_status()
    else:
        looks_in = tuple(hub.search_places(spec, models_dir))
        needs = tuple(hub.needed_files(spec))
        if any(importlib.util.find_spec(m) is None for m in ("torch", "transformers")):
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
        source="bundled" if spec.family == "bundled" else "hugging-face",
        looks_in=looks_in,
        needs=needs,
    )


def _custom_info(found: CustomModel | BrokenSidecar) -> ModelInfo:
    folder = str(found.folder)
    if isinstance(found, BrokenSidecar):
        return ModelInfo(
            name=found.name,
            title=f"{found.name} (ONNX file)",
            dim=0,
            has_text=False,
            available=False,
            reason=found.reason,
            how_to_enable=f"correct the file {found.folder}/corpuscope-model.toml",
            size="",
            speed="",
            location="",
            is_default=False,
            source="file",
            looks_in=(folder,),
            needs=("corpuscope-model.toml", "model.onnx"),
        )
    onnx_ready = importlib.util.find_spec("onnxruntime") is not None
    size = found.path.stat().st_size
    return ModelInfo(
        name=found.name,
        title=found.title or f"{found.name} (ONNX file)",
        dim=found.dim,
        has_text=False,
        available=onnx_ready,
        reason="" if onnx_ready else "onnxruntime is not installed",
        how_to_enable="" if onnx_ready else "pip install onnxruntime",
        size=f"{size / 1e6:.0f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB",
        speed="measured when its vectors are computed",
        location=str(found.path),
        is_default=False,
        source="file",
        looks_in=(folder,),
        needs=("corpuscope-model.toml", found.file),
    )


def _plugin_info(plugin: plugins.Plugin, models_dir: Path | None) -> ModelInfo:
    reason = plugin.unavailable_reason(models_dir)
    return ModelInfo(
        name=plugin.name,
        title=str(plugin.attribute("title", plugin.name)),
        dim=int(plugin.attribute("dim", 0) or 0),
        has_text=bool(plugin.attribute("has_text", False)),
        available=not reason,
        reason=reason,
        how_to_enable=f"see the documentation of the package {plugin.package}" if reason else "",
        size=str(plugin.attribute("size", "")),
        speed=str(plugin.attribute("speed", "")),
        location=plugin.target,
        is_default=False,
        source="plugin",
        looks_in=(str(models_root(models_dir) / plugin.name),),
        needs=(),
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
