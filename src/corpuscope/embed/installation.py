"""Adding an ONNX image encoder from a file to the models folder, and removing it.

The file is checked before anything is written (:mod:`.onnx_file`), copied with its external
data files into a temporary folder beside the others, described by its sidecar
(:mod:`.custom`), and only then renamed into place: a failed or interrupted add leaves nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, get_args

from corpuscope.embed.custom import (
    IMAGENET_MEAN,
    IMAGENET_STD,
    SIDECAR,
    CustomModel,
    Resize,
    Triple,
    check_name,
    parse_triple,
    write_sidecar,
)
from corpuscope.embed.locations import models_root
from corpuscope.embed.onnx_file import (
    OnnxFileRunner,
    Signature,
    check_probe,
    check_size,
    open_checked,
    read_signature,
)
from corpuscope.embed.preprocessing import Resample
from corpuscope.errors import InvalidInput, NotFound

MODEL_FILE = "model.onnx"
# Metadata keys read for defaults (the file's own, then common names), lower-cased.
_KEYS = {
    "input_size": ("corpuscope.input_size", "input_size", "image_size"),
    "mean": ("corpuscope.mean", "mean", "image_mean"),
    "std": ("corpuscope.std", "std", "image_std"),
    "resize": ("corpuscope.resize", "resize"),
    "output": ("corpuscope.output",),
    "title": ("corpuscope.title", "title"),
}


@dataclass(frozen=True)
class AddOptions:
    """What the network expects; None: read from the file, else the usual default."""

    input_size: int | None = None
    mean: Triple | None = None
    std: Triple | None = None
    resize: Resize | None = None
    interpolation: Resample = "bicubic"
    output: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Added:
    """The model as added, and sentences on the defaults it was given."""

    model: CustomModel
    notes: tuple[str, ...]


def add_onnx_model(
    name: str,
    source: Path,
    options: AddOptions | None = None,
    *,
    models_dir: Path | None = None,
    taken: frozenset[str] = frozenset(),
) -> Added:
    """Check ``source`` and add it as model ``name``; ``taken``: names already in use."""
    options = options or AddOptions()
    check_name(name)
    root = models_root(models_dir)
    target = root / name
    if name in taken or target.exists():
        raise InvalidInput(
            f"A model named {name} already exists; choose another name "
            f"(or remove it first with `corpuscope models remove {name}`)."
        )
    session = open_checked(Path(source))
    metadata = {k.lower(): v for k, v in session.get_modelmeta().custom_metadata_map.items()}
    output = options.output or _meta(metadata, "output") or None
    signature = read_signature(session, output=output)
    model, notes = _describe(name, target, signature, metadata, options)
    check_size(signature, model.input_size)
    dim = check_probe(OnnxFileRunner(session, signature), model.preprocessing())
    model = replace(model, dim=dim, output=output)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        shutil.copyfile(source, staging / MODEL_FILE)
        for extra in _external_files(Path(source)):
            destination = staging / extra
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(source).parent / extra, destination)
        write_sidecar(replace(model, folder=staging))
        staging.chmod(0o755)
        os.replace(staging, target)
    except OSError as error:
        raise InvalidInput(f"The model could not be copied into {root} ({error}).") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Added(model, tuple(notes))


def remove_model(name: str, *, models_dir: Path | None = None) -> Path:
    """Delete a model added from a file (its folder); the vectors it made stay in projects."""
    folder = models_root(models_dir) / name
    if not check_name(name) or not (folder / SIDECAR).is_file():
        raise NotFound(f"No model named {name} was added from a file in {folder.parent}.")
    shutil.rmtree(folder)
    return folder


def _describe(
    name: str, target: Path, signature: Signature, metadata: dict[str, str], options: AddOptions
) -> tuple[CustomModel, list[str]]:
    notes: list[str] = []
    size = options.input_size or signature.side or _number(_meta(metadata, "input_size"))
    if not size:
        raise InvalidInput(
            "The network does not say which picture size it takes; give it with --input-size."
        )
    mean = options.mean or _triple(_meta(metadata, "mean"), "mean")
    std = options.std or _triple(_meta(metadata, "std"), "std")
    if mean is None or std is None:
        notes.append(
            "The file gives no mean and std: ImageNet's are used "
            "(--mean 0.485,0.456,0.406 --std 0.229,0.224,0.225)."
        )
    resize = options.resize or _meta(metadata, "resize") or "shorter"
    if resize not in get_args(Resize):
        raise InvalidInput(f"The file's resize is {resize!r}; give --resize shorter or squash.")
    model = CustomModel(
        name=name,
        folder=target,
        file=MODEL_FILE,
        input_size=int(size),
        resize=resize,  # type: ignore[arg-type]  # checked against Resize above
        mean=mean or IMAGENET_MEAN,
        std=std or IMAGENET_STD,
        interpolation=options.interpolation,
        title=options.title or _meta(metadata, "title") or f"{name} (ONNX file)",
    )
    return model, notes


def _meta(metadata: dict[str, str], key: str) -> str:
    for name in _KEYS[key]:
        if metadata.get(name, "").strip():
            return metadata[name].strip()
    return ""


def _number(text: str) -> int | None:
    try:
        return int(float(text)) if text else None
    except ValueError:
        return None


def _triple(text: str, what: str) -> Triple | None:
    if not text:
        return None
    try:
        parsed: Any = json.loads(text)
        if isinstance(parsed, list):
            text = ",".join(str(value) for value in parsed)
    except ValueError:
        pass
    try:
        return parse_triple(text, what)
    except InvalidInput:
        return None


def _external_files(path: Path) -> list[str]:
    """Relative names of the external data files a model's tensors live in (large models)."""
    try:
        import onnx
        from onnx import external_data_helper
    except ImportError:
        return []
    proto: Any = onnx.load(str(path), load_external_data=False)
    names: set[str] = set()
    for tensor in proto.graph.initializer:
        if external_data_helper.uses_external_data(tensor):
            for entry in tensor.external_data:
                if entry.key == "location":
                    names.add(entry.value)
    unsafe = [name for name in names if Path(name).is_absolute() or ".." in Path(name).parts]
    if unsafe:
        raise InvalidInput(f"The model's data file {unsafe[0]} is outside its folder.")
    return sorted(names)
