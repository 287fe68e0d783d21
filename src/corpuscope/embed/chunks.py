"""Chunks of image files, prepared (model inputs) or embedded (vectors); bad files as reasons.

The preparing functions run in the pipeline's worker processes, so this module imports
neither torch nor a model: only Pillow, numpy and the picklable :class:`ImagePreprocessing`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.ingest.decode import DEFAULT_MAX_PIXELS, BadImage, decode_rgb, open_image


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


def prepare_file(path: Path, preprocessing: ImagePreprocessing) -> npt.NDArray[np.float32]:
    """``(3, H, W)`` model input from an image file; raises :class:`BadImage` with a reason."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise BadImage("the file does not exist") from None
    except IsADirectoryError:
        raise BadImage("the path is a folder, not an image file") from None
    except PermissionError:
        raise BadImage("the file cannot be read (permission denied)") from None
    except OSError as error:
        raise BadImage(f"the file cannot be read ({error.strerror or error})") from None
    return prepare_bytes(data, preprocessing)


def prepare_bytes(
    data: bytes, preprocessing: ImagePreprocessing, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> npt.NDArray[np.float32]:
    """``(3, H, W)`` model input from an image file's bytes; raises :class:`BadImage`."""
    image = open_image(data, max_pixels=max_pixels)
    rgb = decode_rgb(image, target=_long_side_target(image.size, preprocessing.resize))
    try:
        return preprocessing.apply(rgb)
    except Exception as error:  # a decoder error surfacing late, when pixels are used
        raise BadImage(f"the image could not be decoded ({type(error).__name__})") from None


def _long_side_target(size: tuple[int, int], short_side: int) -> int:
    """The long side at which the short side is still ``short_side`` (``decode_rgb`` lets
    JPEG draft mode shrink a picture as long as its long side stays at least the target)."""
    width, height = size
    return math.ceil(short_side * max(width, height) / max(1, min(width, height)))


def prepare_chunk(
    items: Sequence[tuple[int, str]], preprocessing: ImagePreprocessing
) -> PreparedChunk:
    """Prepare each ``(id, path)``; a file that cannot be used is a failure, never an exception."""
    ids: list[int] = []
    arrays: list[npt.NDArray[np.float32]] = []
    failures: list[tuple[int, str]] = []
    for item_id, path in items:
        try:
            arrays.append(prepare_file(Path(path), preprocessing))
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
