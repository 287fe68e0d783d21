"""A small layout fingerprint of an image, for near-duplicate detection (see docs/scores.md).

``compute_fingerprint(image)`` turns an RGB thumbnail into ``FINGERPRINT_LENGTH`` float16 values
of unit length; the cosine similarity of two fingerprints (their dot product) is the
near-duplicate similarity. Steps:

1. trim flat lines at the edges (a frame of one colour added around a copy, and the picture's
   own flat margin), at most 40 % of each side;
2. convert to YCbCr and shrink to 64 x 64 (box filter), blur (sigma 4 px), average to 16 x 16:
   what is left is the coarse layout, which resizing, JPEG re-encoding and light crops barely
   move;
3. fingerprint = [luma 16 x 16 minus its mean, mean luma - 128 (x0.5), chroma Cb and Cr - 128 at
   8 x 8], scaled to unit length. The mean-luma term keeps nearly blank images comparable.

The importer stores ``fingerprint.tobytes()`` per image; ``np.frombuffer(b, np.float16)`` reads it
back. Bump ``FINGERPRINT_VERSION`` whenever the stored bytes change for the same input, with a
migration that drops the stored ones (v3: the finer picture stored after it, migration 0009;
v4: the finer picture also untrimmed, migration 0014).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image
from scipy.ndimage import gaussian_filter

from corpuscope.errors import InvalidInput

FINGERPRINT_VERSION = "layout-ycc16-v4"
#: 256 luma cells, 1 mean-luma term, 2 x 64 chroma cells.
FINGERPRINT_LENGTH = 385
FINGERPRINT_DTYPE = np.float16

_GRID = 16
_CHROMA_GRID = 8
_WORK = 64
_BLUR = 4.0
_MEAN_WEIGHT = 0.5
_TRIM_MEAN = 10.0
_TRIM_PEAK = 30.0
_TRIM_MAX = 0.4
_MIN_SIDE = 8
_TRIM_CHUNK = 16


def compute_fingerprint(image: npt.ArrayLike) -> npt.NDArray[np.float16]:
    """``(FINGERPRINT_LENGTH,)`` float16 unit vector from an RGB uint8 image ``(h, w, 3)``."""
    arr = np.asarray(image)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise InvalidInput("the image must be an RGB uint8 array shaped (height, width, 3).")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InvalidInput("the image is empty.")
    return fingerprint_kernel(arr)


def fingerprint_kernel(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float16]:
    """Trusting kernel of ``compute_fingerprint``."""
    cells = _layout(trim_borders(image))
    luma = cells[..., 0]
    chroma = cells[..., 1:].reshape(_CHROMA_GRID, 2, _CHROMA_GRID, 2, 2).mean(axis=(1, 3)) - 128.0
    vector = np.concatenate(
        [
            (luma - luma.mean()).ravel(),
            [_MEAN_WEIGHT * (luma.mean() - 128.0)],
            chroma.transpose(2, 0, 1).ravel(),
        ]
    )
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0 else vector).astype(FINGERPRINT_DTYPE)


def _layout(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """``(16, 16, 3)`` YCbCr cells of the blurred image."""
    ycc = Image.fromarray(np.ascontiguousarray(image)).convert("YCbCr")
    small = np.asarray(ycc.resize((_WORK, _WORK), Image.Resampling.BOX), dtype=np.float64)
    blurred = gaussian_filter(small, sigma=(_BLUR, _BLUR, 0), mode="nearest")
    step = _WORK // _GRID
    cells: npt.NDArray[np.float64] = blurred.reshape(_GRID, step, _GRID, step, 3).mean(axis=(1, 3))
    return cells


def mirror_fingerprints(prints: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """``(n, FINGERPRINT_LENGTH)`` fingerprints of the mirrored (left-right) pictures, from the
    fingerprints themselves: the cells are swapped column for column (trimming, blurring and
    averaging are symmetric, so this matches fingerprinting the mirrored picture)."""
    rows = np.asarray(prints, dtype=np.float32)
    n, cells = len(rows), _GRID * _GRID
    luma = rows[:, :cells].reshape(n, _GRID, _GRID)[:, :, ::-1].reshape(n, cells)
    chroma = rows[:, cells + 1 :].reshape(n, 2, _CHROMA_GRID, _CHROMA_GRID)[..., ::-1]
    return np.ascontiguousarray(
        np.concatenate([luma, rows[:, cells : cells + 1], chroma.reshape(n, -1)], axis=1)
    )


def trim_borders(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The image without the uniform frame around it (at most 40 % of each side).

    A line counts as frame while it is flat: its pixels stay close to the line's own median
    colour (mean deviation <= 10 and at most 5 % of pixels beyond 30, out of 255). Each line is
    judged on its own, so a frame goes together with the picture's own flat margin behind it,
    and so do the blended lines between the two that resizing a framed copy leaves. Sides are
    trimmed in turn until nothing changes (trimming the top can make the left side flat).
    """
    if not _may_have_frame(image):
        return image
    pixels = image.astype(np.float32)
    height, width = pixels.shape[:2]
    cut = [0, 0, 0, 0]  # top, bottom, left, right
    for _ in range(4):
        changed = False
        for side in range(4):
            count = _frame_lines(pixels, cut, side)
            cut[side] += count
            changed = changed or count > 0
        if not changed:
            break
    top, bottom, left, right = cut
    return image[top : height - bottom, left : width - right]


def _may_have_frame(image: npt.NDArray[np.uint8]) -> bool:
    """Whether any outermost line is flat enough to start a frame (most pictures: none).

    The same test ``_frame_lines`` applies to its first line, on the four sides at once, so
    skipping the trim when this is False changes nothing.
    """
    if min(image.shape[:2]) <= _MIN_SIDE:
        return False
    for line in (image[0], image[-1], image[:, 0], image[:, -1]):
        pixels = line.astype(np.float32)
        deviation = np.abs(pixels - np.median(pixels, axis=0)).max(axis=1)
        if deviation.mean() <= _TRIM_MEAN and (deviation > _TRIM_PEAK).mean() <= 0.05:
            return True
    return False


def _frame_lines(pixels: npt.NDArray[np.float32], cut: list[int], side: int) -> int:
    """How many more lines of ``side`` (0 top, 1 bottom, 2 left, 3 right) are frame."""
    height, width = pixels.shape[:2]
    top, bottom, left, right = cut
    view = pixels[top : height - bottom, left : width - right]
    lines = view if side < 2 else view.transpose(1, 0, 2)
    if side in (1, 3):
        lines = lines[::-1]
    full = height if side < 2 else width
    limit = min(int(full * _TRIM_MAX) - cut[side], len(lines) - _MIN_SIDE)
    if limit <= 0:
        return 0
    for start in range(0, limit, _TRIM_CHUNK):  # most pictures have no frame: stop early
        chunk = lines[start : min(limit, start + _TRIM_CHUNK)]
        deviation = np.abs(chunk - np.median(chunk, axis=1, keepdims=True)).max(axis=2)
        flat = (deviation.mean(axis=1) <= _TRIM_MEAN) & (
            (deviation > _TRIM_PEAK).mean(axis=1) <= 0.05
        )
        if not flat.all():
            return start + int(np.argmin(flat))
    return limit
