"""The finer check of near-duplicates: two pictures compared at 32 x 32 after alignment.

``compute_detail(image)`` keeps the luma of the picture at 32 x 32, lightly blurred, in two
framings: its flat frame trimmed (as the layout fingerprint does), then the whole picture
untrimmed: 2 x 1,024 float16 values in [0, 1], stored after the layout fingerprint. Two framings
because the trim cannot tell an added frame from a picture's own quiet margin: a low-contrast
original (a micrograph, the moon) loses its dark margins to it while its rotated copy (black
corners) or captioned copy is trimmed less or not at all, so only the untrimmed pictures of such
a pair are framed alike, while a framed copy matches its original only trimmed.
``compare_details`` aligns two pictures before comparing: the central 24 x 24 of one is slid
over the other (up to 4 cells each way) and turned (0, +-4 and +-8 degrees), and the best
normalised cross-correlation (OpenCV's ``matchTemplate``, ``TM_CCOEFF_NORMED``) is the score,
the lower of the two directions; the better of the two framings is the pair's score. 1 = the same picture at that scale; a resized, re-encoded
or lightly cropped copy stays above 0.95; two different handwritten digits of one class reach
0.9 as often as not, which is why the decision (``duplicates``) compares a pair with the images
around it rather than with a fixed bar.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from corpuscope.analysis.fingerprint import trim_borders

DETAIL_SIDE = 32
_CELLS = DETAIL_SIDE * DETAIL_SIDE
#: The trimmed picture, then the untrimmed one.
DETAIL_LENGTH = 2 * _CELLS
_MARGIN = 4
_BLUR = 0.7
_ANGLES = (0.0, -4.0, 4.0, -8.0, 8.0)
#: Turning is only tried when the straight comparison stays below this.
_TURN_BELOW = 0.95


def compute_detail(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float16]:
    """``(DETAIL_LENGTH,)`` float16 luma cells in [0, 1] of an RGB uint8 image ``(h, w, 3)``:
    the trimmed picture, then the untrimmed one."""
    trimmed = trim_borders(image)
    whole = _cells(image)
    inner = whole if trimmed.shape == image.shape else _cells(trimmed)
    out: npt.NDArray[np.float16] = np.concatenate([inner, whole]).astype(np.float16)
    return out


def _cells(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """``(_CELLS,)`` blurred luma cells in [0, 1] of an RGB uint8 image."""
    luma = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY).astype(np.float32)
    cells = cv2.resize(luma / 255.0, (DETAIL_SIDE, DETAIL_SIDE), interpolation=cv2.INTER_AREA)
    out: npt.NDArray[np.float32] = cv2.GaussianBlur(cells, (0, 0), _BLUR).ravel().astype(np.float32)
    return out


def compare_details(
    details: npt.NDArray[np.floating],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    mirrored: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float32]:
    """``(p,)`` aligned similarity in [-1, 1] of the pairs ``(left[i], right[i])`` of rows of
    ``details (n, DETAIL_LENGTH)``; ``mirrored[i]``: compare ``left`` with ``right`` mirrored.
    The better of the two framings (trimmed with trimmed, untrimmed with untrimmed); the
    untrimmed pictures are compared only when the trimmed ones differ and stay below 0.95."""
    rows = np.asarray(details, dtype=np.float32)
    grids = rows.reshape(-1, 2, DETAIL_SIDE, DETAIL_SIDE)
    framed = (rows[:, :_CELLS] != rows[:, _CELLS:]).any(axis=1)  # the trim cut something
    out = np.empty(len(left), dtype=np.float32)
    for p, (i, j, flip) in enumerate(
        zip(left.tolist(), right.tolist(), mirrored.tolist(), strict=True)
    ):
        a, b = grids[i], grids[j][..., ::-1] if flip else grids[j]
        best = _both_ways(a[0], b[0])
        if best < _TURN_BELOW and (framed[i] or framed[j]):
            best = max(best, _both_ways(a[1], b[1]))
        out[p] = best
    return out


def _both_ways(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """The lower of the two directions: each picture's centre slid over the other."""
    return min(_aligned(a, b), _aligned(b, a))


def _aligned(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    """Best correlation of ``a``'s centre slid over ``b``, straight, then turned if needed."""
    centre = np.ascontiguousarray(a[_MARGIN:-_MARGIN, _MARGIN:-_MARGIN])
    if float(centre.std()) < 1e-4:  # a flat picture: nothing to align
        return 1.0 if float(np.abs(a - b).mean()) < 0.02 else 0.0
    target = np.ascontiguousarray(b)
    best = float(cv2.matchTemplate(target, centre, cv2.TM_CCOEFF_NORMED).max())
    if best >= _TURN_BELOW:
        return best
    middle = ((DETAIL_SIDE - 1) / 2, (DETAIL_SIDE - 1) / 2)
    for angle in _ANGLES[1:]:
        turn = cv2.getRotationMatrix2D(middle, angle, 1.0)
        turned = cv2.warpAffine(
            target,
            turn,
            (DETAIL_SIDE, DETAIL_SIDE),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        best = max(best, float(cv2.matchTemplate(turned, centre, cv2.TM_CCOEFF_NORMED).max()))
    return best
