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
the lower of the two directions; the better of the two framings is the pair's score. Two more
chances for a pair that stays below 0.95, each counted only when it reaches 0.98, as copies
do: the correlation with the worst-matching band of a quarter of the rows left out, on the
untrimmed pictures (a caption or a sticker covers a band of a copy, changes nothing else, and
can change the trim), and the same for the two centres unmoved in the other orientation than
the one asked (the layout proposes it, and picks the wrong one when the two trims differ).
1 = the same picture at that scale; a resized, re-encoded or lightly cropped copy stays above
0.95; two different handwritten digits of one class reach 0.9 as often as not, which is why
the decision (``duplicates``) compares a pair with the images around it rather than with a
fixed bar.
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
#: Rows of the compared centre (24) that an overlay may hide (a caption, a sticker): a quarter.
_HIDDEN_ROWS = 6
#: The rest of the picture, that band left out, matches at least this well in a copy.
_UNCOVERED = 0.98
#: Where a centre lies in its own picture (row, column).
_UNMOVED = (_MARGIN, _MARGIN)
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
    The best of the two framings (trimmed with trimmed, then untrimmed with untrimmed when the
    trim cut something: the band an overlay covers is left out there) and of the other
    orientation (the untrimmed centres unmoved, a band left out: a layout far from both
    orientations, as when the trims differ, may propose the wrong one), each tried only while
    the ones before stay below 0.95."""
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
        whole = 1 if framed[i] or framed[j] else 0
        best = _both_ways(a[0], b[0], flat[i][0], flat[j][0], uncover=not whole)
        if best < _TURN_BELOW and whole:
            best = max(best, _both_ways(a[1], b[1], flat[i][1], flat[j][1], uncover=True))
        if best < _TURN_BELOW and not (flat[i][whole] or flat[j][whole]):
            other = grids[j][whole] if flip else grids[j][whole][:, ::-1]
            unmoved = _unhidden([(a[whole], other, _UNMOVED)])[0]
            best = _copy_or(best, unmoved, bar=_UNCOVERED)
        out[p] = best
    return out


def _both_ways(
    a: npt.NDArray[np.float32],
    b: npt.NDArray[np.float32],
    a_flat: bool,
    b_flat: bool,
    *,
    uncover: bool = True,
) -> float:
    """The lower of the two directions, each picture's centre slid over the other; below
    0.95, also with one band of rows left out when ``uncover`` (``_unhidden``, counted from
    ``_UNCOVERED``), then turned. Turning only raises a
    direction's score, so once the direction with the lower straight score has been turned
    and stays no higher than the other's straight score, it is the answer and the other is not
    turned (the same result, about a third of the work on unrelated pairs)."""
    (forth, at_forth), (back, at_back) = _straight(a, b, a_flat), _straight(b, a, b_flat)
    # an overlay (a caption, a sticker) hides a band of rows and moves nothing
    wanted = [uncover and forth < _TURN_BELOW and not a_flat,
              uncover and back < _TURN_BELOW and not b_flat]  # fmt: skip
    if any(wanted):
        pairs = [(a, b, at_forth), (b, a, at_back)]
        found = iter(_unhidden([pair for pair, on in zip(pairs, wanted, strict=True) if on]))
        forth = _copy_or(forth, next(found), bar=_UNCOVERED) if wanted[0] else forth
        back = _copy_or(back, next(found), bar=_UNCOVERED) if wanted[1] else back
    if back < forth:
        a, b, a_flat, b_flat, forth, back = b, a, b_flat, a_flat, back, forth
    best = _turned(a, b, a_flat, straight=forth)
    return best if best <= back else min(best, _turned(b, a, b_flat, straight=back))


def _copy_or(score: float, alternative: float, *, bar: float = _TURN_BELOW) -> float:
    """``alternative`` when it reaches ``bar`` (matches as copies do), else ``score``: leaving
    a band out or mirroring says whether a pair is a copy, it never grades look-alikes."""
    return alternative if alternative >= bar and alternative > score else score


def _straight(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], a_flat: bool
) -> tuple[float, tuple[int, int]]:
    """Best correlation of ``a``'s centre slid over ``b`` and where (row, column) it is (a
    flat ``a``: whether they match)."""
    if a_flat:  # nothing to align
        return (1.0 if float(np.abs(a - b).mean()) < 0.02 else 0.0), (_MARGIN, _MARGIN)
    return _best_match(np.ascontiguousarray(b), _centre(a))


def _unhidden(
    pairs: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], tuple[int, int]]],
) -> npt.NDArray[np.float64]:
    """Per ``(a, b, at)``: the correlation of ``a``'s centre with the window of ``b``, leaving
    out the band of ``_HIDDEN_ROWS`` consecutive rows that matches worst (the part of the
    picture an overlay does not cover), the better of the window at ``at`` (where the straight
    comparison aligned them best) and of the window unmoved (a bright caption can pull the
    best alignment away). Every band is scored from the per-row sums of the two."""
    rows = DETAIL_SIDE - 2 * _MARGIN
    x = np.stack([_centre(a) for a, _, _ in pairs for _ in range(2)]).astype(np.float64)
    y = np.stack([b[r : r + rows, c : c + rows] for _, b, at in pairs for r, c in (at, _UNMOVED)])
    y = y.astype(np.float64)
    sums = np.stack([x.sum(axis=2), y.sum(axis=2), (x * x).sum(axis=2), (y * y).sum(axis=2),
                     (x * y).sum(axis=2)])  # fmt: skip  # (5, windows, rows)
    ahead = np.concatenate([np.zeros((*sums.shape[:2], 1)), np.cumsum(sums, axis=2)], axis=2)
    outside = ahead[..., -1:] - (ahead[..., _HIDDEN_ROWS:] - ahead[..., :-_HIDDEN_ROWS])
    sx, sy, sxx, syy, sxy = outside  # (windows, bands) each
    kept = rows * (rows - _HIDDEN_ROWS)
    spread = (kept * sxx - sx * sx) * (kept * syy - sy * sy)
    safe = spread > 1e-12 * kept**4
    score = np.where(safe, (kept * sxy - sx * sy) / np.sqrt(np.where(safe, spread, 1.0)), -1.0)
    out: npt.NDArray[np.float64] = score.reshape(len(pairs), -1).max(axis=1)
    return out


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
    return _best_match(target, centre)[0]


def _best_match(
    target: npt.NDArray[np.float32], centre: npt.NDArray[np.float32]
) -> tuple[float, tuple[int, int]]:
    """Best normalised correlation of ``centre`` slid over ``target``, and where (row, column)."""
    scores = cv2.matchTemplate(target, centre, cv2.TM_CCOEFF_NORMED)
    _, best, _, (column, row) = cv2.minMaxLoc(scores)
    return float(best), (row, column)
