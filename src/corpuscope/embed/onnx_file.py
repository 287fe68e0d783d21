"""ONNX image encoders from a file: checking one, and running it like any other model.

A usable encoder takes one float32 input of rank 4, a batch of RGB pictures (channels first,
``(n, 3, H, W)``, or last, ``(n, H, W, 3)``), and gives a float output of shape ``(n, d)``
(a feature map ``(n, d, h, w)`` is averaged over space). Anything else, and an encoder that
gives NaN, infinite or all-zero values on ordinary pictures, is refused with a sentence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from corpuscope.embed.base import Embedder, WorkerModel, WorkerRecipe, normalize_rows
from corpuscope.embed.cores import count_cores
from corpuscope.embed.custom import CustomModel
from corpuscope.embed.hub import file_fingerprint
from corpuscope.embed.onnx_cache import open_session
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.errors import InvalidInput, ModelUnavailable

REVISION = 1  # bump when the way features are taken from the output changes
WORKER_COPY_LIMIT = 200 * 1024 * 1024  # smaller files run in every pipeline worker
FLOATS = ("tensor(float)", "tensor(float16)", "tensor(double)")
Layout = Literal["nchw", "nhwc"]


@dataclass(frozen=True)
class Signature:
    """What the network takes and gives: ``side`` and ``batch`` are None when not fixed."""

    input: str
    layout: Layout
    side: int | None
    batch: int | None
    output: str
    metadata: tuple[tuple[str, str], ...] = ()


def open_checked(path: Path, *, threads: int = 1) -> Any:
    """An ONNX Runtime session for ``path``, or :class:`InvalidInput` saying why there is none."""
    if not path.is_file():
        raise InvalidInput(f"There is no file {path}.")
    try:
        return open_session(path, threads=threads)
    except ImportError:
        raise ModelUnavailable(
            "ONNX models need onnxruntime; run: pip install onnxruntime"
        ) from None
    except Exception as error:  # InvalidProtobuf, Fail, NoSuchFile ... : not a usable model
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise InvalidInput(
            f"{path.name} is not an ONNX model that ONNX Runtime can open"
            f"{f' ({reason})' if reason else ''}."
        ) from None


def read_signature(session: Any, *, output: str | None = None) -> Signature:
    """The input and output to use, refusing networks that are not image encoders."""
    inputs = session.get_inputs()
    if len(inputs) != 1:
        names = ", ".join(item.name for item in inputs)
        raise InvalidInput(
            f"The network takes {len(inputs)} inputs ({names}); an image encoder takes one, "
            "a batch of pictures."
        )
    first = inputs[0]
    shape = list(first.shape)
    if len(shape) != 4:
        raise InvalidInput(
            f"The network's input {first.name} has rank {len(shape)} (shape {_shape(shape)}); "
            "an image encoder takes a batch of pictures, (n, 3, height, width)."
        )
    if first.type != "tensor(float)":
        raise InvalidInput(
            f"The network's input {first.name} is {first.type}; corpuscope feeds float32 pictures."
        )
    if shape[1] == 3:
        layout: Layout = "nchw"
        height, width = shape[2], shape[3]
    elif shape[3] == 3:
        layout, height, width = "nhwc", shape[1], shape[2]
    else:
        raise InvalidInput(
            f"The network's input {first.name} has shape {_shape(shape)}: no axis of 3 colour "
            "channels, first (n, 3, height, width) or last (n, height, width, 3)."
        )
    side = _fixed_side(height, width, first.name)
    batch = shape[0] if isinstance(shape[0], int) and shape[0] > 0 else None
    metadata = tuple(sorted(session.get_modelmeta().custom_metadata_map.items()))
    return Signature(first.name, layout, side, batch, _output(session, output), metadata)


def _fixed_side(height: Any, width: Any, name: str) -> int | None:
    fixed = [dim for dim in (height, width) if isinstance(dim, int) and dim > 0]
    if len(fixed) == 2 and height != width:
        raise InvalidInput(
            f"The network's input {name} is {height} x {width} pixels; corpuscope feeds square "
            "pictures."
        )
    return fixed[0] if fixed else None


def _output(session: Any, wanted: str | None) -> str:
    outputs = session.get_outputs()
    if wanted is not None:
        for item in outputs:
            if item.name == wanted:
                if item.type not in FLOATS:
                    raise InvalidInput(f"The output {wanted} is {item.type}, not float vectors.")
                return wanted
        names = ", ".join(item.name for item in outputs)
        raise InvalidInput(f"The network has no output named {wanted!r}; its outputs are {names}.")
    floats = [item.name for item in outputs if item.type in FLOATS]
    if not floats:
        kinds = ", ".join(f"{item.name} ({item.type})" for item in outputs)
        raise InvalidInput(f"The network has no float output ({kinds}); it cannot give vectors.")
    if len(floats) > 1:
        raise InvalidInput(
            f"The network has several float outputs ({', '.join(floats)}); "
            "choose the one with the image vectors (--output NAME)."
        )
    return str(floats[0])


def _shape(shape: list[Any]) -> str:
    return "(" + ", ".join(str(dim) if dim is not None else "?" for dim in shape) + ")"


class OnnxFileRunner:
    """Runs a checked encoder: ``(n, 3, S, S)`` float32 pictures → ``(n, d)`` raw features."""

    def __init__(self, session: Any, signature: Signature) -> None:
        self._session = session
        self.signature = signature

    def run(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        step = self.signature.batch or len(batch)
        parts = [self._run(batch[start : start + step]) for start in range(0, len(batch), step)]
        return np.concatenate(parts) if parts else np.empty((0, 0), np.float32)

    def _run(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        count = len(batch)
        fixed = self.signature.batch
        if fixed is not None and count < fixed:  # a fixed batch size: pad with the last picture
            batch = np.concatenate([batch, np.repeat(batch[-1:], fixed - count, axis=0)])
        if self.signature.layout == "nhwc":
            batch = batch.transpose(0, 2, 3, 1)
        feed = {self.signature.input: np.ascontiguousarray(batch, dtype=np.float32)}
        raw = np.asarray(self._session.run([self.signature.output], feed)[0])
        return _features(raw, self.signature)[:count]


def _features(raw: npt.NDArray[Any], signature: Signature) -> npt.NDArray[np.float32]:
    if raw.ndim == 4:  # a feature map: averaged over space
        axes = (1, 2) if signature.layout == "nhwc" else (2, 3)
        raw = raw.mean(axis=axes)
    elif raw.ndim == 3 and raw.shape[1] == 1:
        raw = raw[:, 0]
    if raw.ndim != 2:
        raise InvalidInput(
            f"The output {signature.output} has shape {tuple(raw.shape)}; corpuscope needs one "
            "vector per picture, (n, d), or a feature map (n, d, h, w)."
        )
    return np.asarray(raw, dtype=np.float32)


def probe_batch(preprocessing: ImagePreprocessing) -> npt.NDArray[np.float32]:
    """Two ordinary, different pictures, preprocessed: ``(2, 3, S, S)`` float32."""
    side = preprocessing.size
    y, x = np.mgrid[0:side, 0:side].astype(np.float32) / side
    first = np.stack([x, y, 1 - x], axis=-1)
    second = np.stack([0.5 + 0.5 * np.sin(9 * x * y + k) for k in range(3)], axis=-1)
    pictures = (np.stack([first, second]) * 255).astype(np.uint8)
    return np.stack([preprocessing.normalize(picture) for picture in pictures])


def check_probe(runner: OnnxFileRunner, preprocessing: ImagePreprocessing) -> int:
    """Run the probe; the vector length, or :class:`InvalidInput` for an unusable encoder."""
    try:
        features = runner.run(probe_batch(preprocessing))
    except InvalidInput:
        raise
    except Exception as error:  # onnxruntime's errors on a wrong size or a broken graph
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise InvalidInput(
            f"The network fails on {preprocessing.size} x {preprocessing.size} pictures "
            f"({type(error).__name__}{': ' + first if first else ''}); check --input-size."
        ) from None
    if not np.all(np.isfinite(features)):
        raise InvalidInput(
            "The network gives NaN or infinite values for ordinary pictures; it is not a "
            "usable image encoder (check how it was exported)."
        )
    if features.shape[1] == 0 or not np.any(features):
        raise InvalidInput("The network gives only zeros for ordinary pictures; it is not usable.")
    return int(features.shape[1])


@dataclass(frozen=True)
class OnnxFileRecipe:
    """Lets each pipeline worker open its own single-threaded session on the file."""

    path: str
    signature: Signature

    def load(self, threads: int) -> WorkerModel:
        return _WorkerModel(
            OnnxFileRunner(open_session(Path(self.path), threads=threads), self.signature)
        )


class _WorkerModel:
    def __init__(self, runner: OnnxFileRunner) -> None:
        self._runner = runner

    def embed_batch(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return normalize_rows(self._runner.run(batch))


class OnnxFileEmbedder(Embedder):
    """A model added from an ONNX file (image only), run by ONNX Runtime."""

    has_text = False
    batch_size = 16

    def __init__(self, model: CustomModel, *, threads: int | None = None) -> None:
        self.name = model.name
        self.threads = threads if threads is not None else count_cores()
        self.path = model.path
        self.preprocessing = model.preprocessing()
        session = open_checked(model.path, threads=self.threads)
        try:
            signature = read_signature(session, output=model.output)
            check_size(signature, model.input_size)
            self._runner = OnnxFileRunner(session, signature)
            self.dim = check_probe(self._runner, self.preprocessing)
        except InvalidInput as error:
            raise ModelUnavailable(f"The model {model.name} cannot be used: {error}") from None
        described = self.preprocessing.describe() + f"|output {signature.output}"
        digest = hashlib.sha1(described.encode()).hexdigest()[:8]
        self.version = f"{REVISION}-w{file_fingerprint(model.path)}-p{digest}"
        self.runtime = f"onnxruntime ({self.threads} thread{'s' if self.threads > 1 else ''})"

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return self._runner.run(batch)

    def worker_recipe(self) -> WorkerRecipe | None:
        """Files small enough run in every pipeline worker, as the bundled model does."""
        if self.path.stat().st_size > WORKER_COPY_LIMIT:
            return None
        return OnnxFileRecipe(str(self.path), self._runner.signature)


def check_size(signature: Signature, input_size: int) -> None:
    """Refuse an input size the network does not take."""
    if signature.side is not None and signature.side != input_size:
        raise InvalidInput(
            f"The network takes {signature.side} x {signature.side} pictures, "
            f"not {input_size} x {input_size}."
        )
