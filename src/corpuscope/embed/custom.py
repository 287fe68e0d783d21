"""Models added from a file: an ONNX image encoder and a small TOML sidecar beside it.

``corpuscope models add NAME FILE.onnx`` copies the file into ``<models root>/NAME/model.onnx``
and writes ``<models root>/NAME/corpuscope-model.toml``, which a user can also write by hand::

    format = "onnx"
    file = "model.onnx"
    title = "Our fine-tuned ResNet"
    input_size = 224
    resize = "shorter"              # short side to input_size, then centre crop; or "squash"
    mean = [0.485, 0.456, 0.406]    # per channel, on pixel values from 0 to 1
    std = [0.229, 0.224, 0.225]
    interpolation = "bicubic"       # or bilinear, lanczos, nearest, box, hamming
    output = "embedding"            # optional: which output, when the network has several
    dim = 512                       # written by `models add`; measured again on load

Reading sidecars needs neither onnxruntime nor the model: listing models stays cheap.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from corpuscope.embed.locations import models_root
from corpuscope.embed.preprocessing import ImagePreprocessing, Resample
from corpuscope.errors import InvalidInput

SIDECAR = "corpuscope-model.toml"
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
Resize = Literal["shorter", "squash"]
Triple = tuple[float, float, float]


@dataclass(frozen=True)
class CustomModel:
    """A model described by a sidecar: what the network expects and where its file is.

    ``mean`` and ``std`` are per channel on pixel values from 0 to 1 (the usual way networks
    document them); ``dim`` is 0 when the sidecar does not say (it is measured on load).
    """

    name: str
    folder: Path
    file: str
    input_size: int
    resize: Resize = "shorter"
    mean: Triple = IMAGENET_MEAN
    std: Triple = IMAGENET_STD
    interpolation: Resample = "bicubic"
    output: str | None = None
    title: str = ""
    dim: int = 0

    @property
    def path(self) -> Path:
        return self.folder / self.file

    def preprocessing(self) -> ImagePreprocessing:
        """The corpuscope preprocessing this sidecar describes (mean and std in 0-255 units)."""
        return ImagePreprocessing(
            resize=self.input_size,
            crop=self.input_size if self.resize == "shorter" else None,
            mean=_triple_255(self.mean),
            std=_triple_255(self.std),
            mode="short_side" if self.resize == "shorter" else "square",
            resample=self.interpolation,
        )


@dataclass(frozen=True)
class BrokenSidecar:
    """A model folder whose sidecar cannot be used; ``reason`` says why, in one sentence."""

    name: str
    folder: Path
    reason: str


def check_name(name: str) -> str:
    """``name`` if it can name a model (it becomes a folder and is stored with the vectors)."""
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            f"A model name is 1 to 64 lower-case letters, digits, '.', '-' or '_', "
            f"starting with a letter or digit; {name!r} is not."
        )
    return name


def list_custom_models(models_dir: Path | None = None) -> list[CustomModel | BrokenSidecar]:
    """Every folder of the models root that holds a sidecar, by name."""
    root = models_root(models_dir)
    if not root.is_dir():
        return []
    found: list[CustomModel | BrokenSidecar] = []
    for sidecar in sorted(root.glob(f"*/{SIDECAR}")):
        try:
            found.append(read_sidecar(sidecar.parent))
        except InvalidInput as error:
            found.append(BrokenSidecar(sidecar.parent.name, sidecar.parent, str(error)))
    return found


def find_custom_model(name: str, models_dir: Path | None = None) -> CustomModel | None:
    """The model ``name`` added from a file, or None when there is no such sidecar.

    Raises :class:`InvalidInput` when the sidecar exists but cannot be used.
    """
    if not NAME_PATTERN.fullmatch(name):
        return None
    folder = models_root(models_dir) / name
    if not (folder / SIDECAR).is_file():
        return None
    return read_sidecar(folder)


def read_sidecar(folder: Path) -> CustomModel:
    """Parse ``folder/corpuscope-model.toml``; every mistake is a one-sentence InvalidInput."""
    path = folder / SIDECAR
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"The model description {path} cannot be read ({error}).") from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"The model description {path} is not valid TOML ({error}).") from None
    fields = _Fields(data, path)
    if fields.text("format", "onnx") != "onnx":
        raise InvalidInput(f'{path}: format must be "onnx" (the only kind a file can add).')
    return CustomModel(
        name=folder.name,
        folder=folder,
        file=fields.file_name(),
        input_size=fields.size(),
        resize=fields.choice("resize", "shorter", get_args(Resize)),
        mean=fields.triple("mean", IMAGENET_MEAN),
        std=fields.triple("std", IMAGENET_STD, positive=True),
        interpolation=fields.choice("interpolation", "bicubic", get_args(Resample)),
        output=fields.text("output", "") or None,
        title=fields.text("title", ""),
        dim=fields.integer("dim", 0),
    )


def write_sidecar(model: CustomModel) -> Path:
    """Write ``model``'s sidecar (through a temporary file, so it is never half-written)."""
    lines = [
        "# A model for corpuscope (`corpuscope models` lists it); edit with care: vectors made",
        "# with other values are kept apart and computed again.",
        'format = "onnx"',
        f"file = {json.dumps(model.file)}",
        f"title = {json.dumps(model.title)}",
        f"input_size = {model.input_size}",
        f"resize = {json.dumps(model.resize)}",
        f"mean = [{', '.join(repr(float(v)) for v in model.mean)}]",
        f"std = [{', '.join(repr(float(v)) for v in model.std)}]",
        f"interpolation = {json.dumps(model.interpolation)}",
    ]
    if model.output:
        lines.append(f"output = {json.dumps(model.output)}")
    if model.dim:
        lines.append(f"dim = {model.dim}")
    path = model.folder / SIDECAR
    temporary = path.with_name(f".{SIDECAR}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def parse_triple(text: str, what: str) -> Triple:
    """``"0.485,0.456,0.406"`` → three floats (for the command line's --mean and --std)."""
    parts = [part.strip() for part in text.split(",")]
    try:
        values = [float(part) for part in parts]
    except ValueError:
        values = []
    if len(values) != 3 or not all(v == v and abs(v) != float("inf") for v in values):
        raise InvalidInput(f"Give {what} as three numbers separated by commas, like 0.5,0.5,0.5.")
    return (values[0], values[1], values[2])


def _triple_255(values: Triple) -> Triple:
    return (values[0] * 255.0, values[1] * 255.0, values[2] * 255.0)


class _Fields:
    """Typed access to a sidecar's keys, each mistake named with the file."""

    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.data = data
        self.path = path

    def _fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"{self.path}: {message}")

    def text(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._fail(f"{key} must be a text in quotes.")
        return value

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self._fail(f"{key} must be a whole number of 0 or more.")
        return value

    def size(self) -> int:
        if "input_size" not in self.data:
            raise self._fail("input_size is missing (the side of the square picture it takes).")
        value = self.integer("input_size", 0)
        if not 8 <= value <= 4096:
            raise self._fail("input_size must be between 8 and 4096 pixels.")
        return value

    def file_name(self) -> str:
        name = self.text("file", "model.onnx")
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise self._fail("file must be the name of a file in the same folder.")
        if not (self.path.parent / name).is_file():
            raise self._fail(f"the model file {name} is not in this folder.")
        return name

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> Any:
        value = self.text(key, default)
        if value not in allowed:
            raise self._fail(f"{key} must be one of {', '.join(allowed)}, not {value!r}.")
        return value

    def triple(self, key: str, default: Triple, *, positive: bool = False) -> Triple:
        value = self.data.get(key, list(default))
        numbers = isinstance(value, list) and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        )
        if not numbers or len(value) != 3:
            raise self._fail(f"{key} must be three numbers, like [0.5, 0.5, 0.5].")
        if positive and not all(v > 0 for v in value):
            raise self._fail(f"{key} must be three numbers above 0.")
        return (float(value[0]), float(value[1]), float(value[2]))
