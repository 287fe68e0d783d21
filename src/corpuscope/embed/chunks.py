"""Chunks of image files, prepared (model inputs) or embedded (vectors); bad files as reasons.

The preparing functions run in the pipeline's worker processes, so this module imports
neither torch nor a model: only Pillow, numpy and the picklable :class:`ImagePreprocessing`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image

from corpuscope.embed.picture_format import decode_picture
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.ingest.decode import DEFAULT_MAX_PIXELS, BadImage, decode_rgb, open_image

T = TypeVar("T")


@dataclass(frozen=True)
class EmbeddedBatch:
    """Vectors for the next ``batch_size`` input items.

    ``ids`` ``(m,)`` int64 and ``vectors`` ``(m, d)`` float32 (unit rows) follow input order,
    as do ``failures``: ``(id, reason)`` for the items that could not be used.
    """

    ids: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]
    failures: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class PreparedChunk:
    """Model inputs for the readable files of one chunk, in input order.

    ``pixels`` is ``(m, 3, H, W)`` float32 for the ``m`` files listed in ``ids``; ``failures``
    holds ``(id, reason)`` for the others.
    """

    ids: npt.NDArray[np.int64]
    pixels: npt.NDArray[np.float32]
    failures: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class ModelPicture:
    """A picture already resized and cropped to the model's input side (written at import):
    only normalised. ``fallback`` is the file to prepare instead if the picture is unusable."""

    path: str
    fallback: str


Source = str | ModelPicture


def read_bytes(path: Path) -> bytes:
    """The file's bytes; raises :class:`BadImage` with a reason a person understands."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise BadImage("the file does not exist") from None
    except IsADirectoryError:
        raise BadImage("the path is a folder, not an image file") from None
    except PermissionError:
        raise BadImage("the file cannot be read (permission denied)") from None
    except OSError as error:
        raise BadImage(f"the file cannot be read ({error.strerror or error})") from None


def prepare_file(path: Path, preprocessing: ImagePreprocessing) -> npt.NDArray[np.float32]:
    """``(3, H, W)`` model input from an image file; raises :class:`BadImage` with a reason."""
    return prepare_bytes(read_bytes(path), preprocessing)


def prepare_bytes(
    data: bytes, preprocessing: ImagePreprocessing, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> npt.NDArray[np.float32]:
    """``(3, H, W)`` model input from an image file's bytes; raises :class:`BadImage`."""
    rgb = decode_for(data, preprocessing, max_pixels=max_pixels)
    try:
        return preprocessing.apply(rgb)
    except Exception as error:  # a decoder error surfacing late, when pixels are used
        raise BadImage(f"the image could not be decoded ({type(error).__name__})") from None


def decode_for(
    data: bytes, preprocessing: ImagePreprocessing, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """The EXIF-oriented RGB picture in an image file's bytes, decoded (JPEG draft mode) no
    smaller than ``preprocessing`` needs."""
    image = open_image(data, max_pixels=max_pixels)
    return decode_rgb(image, target=_long_side_target(image.size, preprocessing.resize))


def _long_side_target(size: tuple[int, int], short_side: int) -> int:
    """The long side at which the short side is still ``short_side`` (``decode_rgb`` lets
    JPEG draft mode shrink a picture as long as its long side stays at least the target)."""
    width, height = size
    return math.ceil(short_side * max(width, height) / max(1, min(width, height)))


def prepare_picture(data: bytes, preprocessing: ImagePreprocessing) -> npt.NDArray[np.float32]:
    """``(3, H, W)`` model input from a model picture's bytes (pixels already at the model's
    input side): only normalised. Raises :class:`BadImage` if it is not such a picture."""
    size = preprocessing.size
    pixels = decode_picture(data, size)
    if pixels is None:
        raise BadImage(f"the model picture is not a {size} x {size} RGB picture")
    return preprocessing.normalize(pixels)


def prepare_source(source: Source, preprocessing: ImagePreprocessing) -> npt.NDArray[np.float32]:
    """``(3, H, W)`` model input from an image file or a model picture (its fallback file if
    the picture cannot be used); raises :class:`BadImage` with a reason."""
    if isinstance(source, str):
        return prepare_file(Path(source), preprocessing)
    try:
        return prepare_picture(read_bytes(Path(source.path)), preprocessing)
    except BadImage:
        return prepare_file(Path(source.fallback), preprocessing)


def prepare_chunk(
    items: Sequence[tuple[int, Source]], preprocessing: ImagePreprocessing
) -> PreparedChunk:
    """Prepare each ``(id, source)``; a file that cannot be used is a failure, never an
    exception."""
    return prepare_each(items, lambda source: prepare_source(source, preprocessing), preprocessing)


def prepare_each(
    items: Iterable[tuple[int, T]],
    prepare: Callable[[T], npt.NDArray[np.float32]],
    preprocessing: ImagePreprocessing,
) -> PreparedChunk:
    """``prepare`` each ``(id, item)``; what raises becomes a failure with one sentence."""
    ids: list[int] = []
    arrays: list[npt.NDArray[np.float32]] = []
    failures: list[tuple[int, str]] = []
    for item_id, item in items:
        try:
            arrays.append(prepare(item))
            ids.append(item_id)
        except BadImage as error:
            failures.append((item_id, _sentence(str(error))))
        except Exception as error:  # anything else a strange file provokes in a decoder
            failures.append((item_id, _sentence(f"the image could not be decoded ({error})")))
    size = preprocessing.size
    pixels = np.stack(arrays) if arrays else np.empty((0, 3, size, size), dtype=np.float32)
    return PreparedChunk(np.asarray(ids, dtype=np.int64), pixels, tuple(failures))


def merge_batches(parts: Sequence[EmbeddedBatch], dim: int) -> EmbeddedBatch:
    """One batch from consecutive parts, keeping their order."""
    vectors = [part.vectors for part in parts if len(part.ids)]
    return EmbeddedBatch(
        ids=np.concatenate([np.empty(0, np.int64), *(part.ids for part in parts)]),
        vectors=np.concatenate(vectors) if vectors else np.empty((0, dim), np.float32),
        failures=tuple(failure for part in parts for failure in part.failures),
    )


def _sentence(reason: str) -> str:
    """One sentence: a capital first letter and a full stop."""
    reason = reason.strip() or "the image could not be decoded"
    reason = reason[0].upper() + reason[1:]
    return reason if reason.endswith((".", "!", "?")) else reason + "."
