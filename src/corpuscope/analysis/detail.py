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
#: A centre whose values spread less than this is flat: nothing to align.
_FLAT = 1e-4
_MIDDLE = ((DETAIL_SIDE - 1) / 2, (DETAIL_SIDE - 1) / 2)
_TURNS = tuple(cv2.getRotationMatrix2D(_MIDDLE, angle, 1.0) for angle in _ANGLES[1:])


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
    centres = grids[:, :, _MARGIN:-_MARGIN, _MARGIN:-_MARGIN]
    flat = (centres.std(axis=(2, 3)) < _FLAT).tolist()  # (n, 2); a mirror keeps the spread
    out = np.empty(len(left), dtype=np.float32)
    for p, (i, j, flip) in enumerate(
        zip(left.tolist(), right.tolist(), mirrored.tolist(), strict=True)
    ):
        a, b = grids[i], grids[j][..., ::-1] if flip else grids[j]
        best = _both_ways(a[0], b[0], flat[i][0], flat[j][0])
        if best < _TURN_BELOW and (framed[i] or framed[j]):
            best = max(best, _both_ways(a[1], b[1], flat[i][1], flat[j][1]))
        out[p] = best
    return out


def _both_ways(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], a_flat: bool, b_flat: bool
) -> float:
    """The lower of the two directions, each picture's centre slid over the other. Turning
    only raises a direction's score, so once the direction with the lower straight score has
    been turned and stays no higher than the other's straight score, it is the answer and the
    other is not turned (the same result, about a third of the work on unrelated pairs)."""
    forth, back = _straight(a, b, a_flat), _straight(b, a, b_flat)
    if back < forth:
        a, b, a_flat, b_flat, forth, back = b, a, b_flat, a_flat, back, forth
    best = _turned(a, b, a_flat, straight=forth)
    return best if best <= back else min(best, _turned(b, a, b_flat, straight=back))


def _straight(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], a_flat: bool) -> float:
    """Best correlation of ``a``'s centre slid over ``b`` (a flat ``a``: whether they match)."""
    if a_flat:  # nothing to align
        return 1.0 if float(np.abs(a - b).mean()) < 0.02 else 0.0
    return _match(np.ascontiguousarray(b), _centre(a))


def _turned(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], a_flat: bool, *, straight: float
) -> float:
    """The best of ``straight`` and ``a``'s centre slid over ``b`` turned, when worth trying."""
    if a_flat or straight >= _TURN_BELOW:
        return straight
    centre, target = _centre(a), np.ascontiguousarray(b)
    best = straight
    for turn in _TURNS:
        turned = cv2.warpAffine(
            target,
            turn,
            (DETAIL_SIDE, DETAIL_SIDE),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        best = max(best, _match(np.asarray(turned, dtype=np.float32), centre))
    return best


def _centre(picture: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.ascontiguousarray(picture[_MARGIN:-_MARGIN, _MARGIN:-_MARGIN])


def _match(target: npt.NDArray[np.float32], centre: npt.NDArray[np.float32]) -> float:
    return float(cv2.matchTemplate(target, centre, cv2.TM_CCOEFF_NORMED).max())
