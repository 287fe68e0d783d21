"""The finer picture of near-duplicates: stored in two framings (trimmed, untrimmed) and a pair
scored by the better one, on real image files written and read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from corpuscope.analysis.detail import DETAIL_LENGTH, compare_details, compute_detail
from corpuscope.calibration import compute_edit

HALF = DETAIL_LENGTH // 2


def _read(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _score(details: list[np.ndarray]) -> float:
    rows = np.stack(details).astype(np.float32)
    one = np.array([0], dtype=np.int64)
    return float(compare_details(rows, one, one + 1, np.array([False]))[0])


@pytest.fixture(scope="module")
def cell(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """A low-contrast micrograph with quiet margins, a rotated copy, a framed JPEG-q70 copy."""
    from skimage import data

    folder = tmp_path_factory.mktemp("detail")
    photo = Image.fromarray(data.cell()).convert("RGB").resize((256, 256))
    photo.save(folder / "cell.png")
    compute_edit(photo, "rotation", seed=0).save(folder / "rotated.jpg", quality=92)
    ImageOps.expand(photo.resize((128, 128)), border=12, fill=(0, 0, 0)).save(
        folder / "framed.jpg", quality=70
    )
    return {name: compute_detail(_read(folder / name)) for name in
            ("cell.png", "rotated.jpg", "framed.jpg")}  # fmt: skip


def test_both_framings_are_stored_and_equal_when_nothing_is_trimmed(
    cell: dict[str, np.ndarray],
) -> None:
    original = cell["cell.png"]
    assert original.shape == (DETAIL_LENGTH,) and original.dtype == np.float16
    assert not np.array_equal(original[:HALF], original[HALF:])  # its quiet margin is trimmed
    noise = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    plain = compute_detail(noise)  # no flat edge: nothing trimmed
    assert np.array_equal(plain[:HALF], plain[HALF:])


def test_a_rotated_copy_matches_through_the_untrimmed_pictures(
    cell: dict[str, np.ndarray],
) -> None:
    original, rotated = cell["cell.png"], cell["rotated.jpg"]
    trimmed_only = [np.concatenate([d[:HALF], d[:HALF]]) for d in (original, rotated)]
    assert _score(trimmed_only) < 0.6  # the trim framed the original and its copy differently
    assert _score([original, rotated]) >= 0.9


def test_a_framed_jpeg_copy_still_matches_trimmed(cell: dict[str, np.ndarray]) -> None:
    original, framed = cell["cell.png"], cell["framed.jpg"]
    assert _score([original, framed]) >= 0.9
    untrimmed_only = [np.concatenate([d[HALF:], d[HALF:]]) for d in (original, framed)]
    assert _score(untrimmed_only) < _score([original, framed])


@pytest.fixture(scope="module")
def moon(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """A low-contrast photograph and two overlaid copies written as JPEG files: a sticker (an
    emoji-like face, calibration seed 0) and a caption (seed 2), each covering a band of it."""
    from skimage import data

    folder = tmp_path_factory.mktemp("overlay")
    photo = Image.fromarray(data.moon()).convert("RGB").resize((256, 256))
    photo.save(folder / "moon.png")
    for name, seed in (("sticker", 0), ("caption", 2)):
        compute_edit(photo, "overlay", seed=seed).save(folder / f"{name}.jpg", quality=92)
    return {name: compute_detail(_read(folder / name)) for name in
            ("moon.png", "sticker.jpg", "caption.jpg")}  # fmt: skip


@pytest.mark.parametrize("copy", ["sticker.jpg", "caption.jpg"])
def test_an_overlaid_copy_matches_where_the_overlay_does_not_cover_it(
    moon: dict[str, np.ndarray], copy: str
) -> None:
    original, overlaid = moon["moon.png"], moon[copy]
    grids = [d[:HALF].astype(np.float32).reshape(32, 32) for d in (original, overlaid)]
    assert _whole(*grids) < 0.93  # the overlay moves the whole picture's correlation
    assert _score([original, overlaid]) >= 0.98  # the rest of the picture is the same


def _whole(a: np.ndarray, b: np.ndarray) -> float:
    """The correlation of the centres, nothing left out."""
    return float(np.corrcoef(a[4:-4, 4:-4].ravel(), b[4:-4, 4:-4].ravel())[0, 1])


def test_a_copy_matches_in_the_orientation_the_layout_did_not_propose(
    moon: dict[str, np.ndarray],
) -> None:
    """The layout of a captioned low-contrast picture can prefer the mirror (both far): the
    finer check then tries the orientation asked and the other one."""
    rows = np.stack([moon["moon.png"], moon["caption.jpg"]]).astype(np.float32)
    one = np.array([0], dtype=np.int64)
    for mirrored in (False, True):
        assert compare_details(rows, one, one + 1, np.array([mirrored]))[0] >= 0.98
    assert compare_details(rows, one, one, np.array([True]))[0] >= 0.99  # itself, mirrored


def _uncovered(centre: np.ndarray, window: np.ndarray) -> float:
    """The best correlation of two 24 x 24 windows with one band of 6 rows left out."""
    best = -1.0
    for band in range(24 - 6 + 1):
        kept = np.r_[0:band, band + 6 : 24]
        if window[kept].std() > 1e-6 and centre[kept].std() > 1e-6:
            r = np.corrcoef(centre[kept].ravel(), window[kept].ravel())[0, 1]
            best = max(best, float(r))
    return best


def _reference(a: np.ndarray, b: np.ndarray) -> float:
    """The finer check spelled out: each direction straight; below 0.95, the best correlation
    with one band of 6 rows left out (at the best alignment and unmoved) instead when it
    reaches 0.98; still below 0.95, turned (every angle); a flat centre matches only a picture
    alike; the lower direction. Below 0.95, the centres unmoved in the other orientation with
    one band left out instead when that reaches 0.98."""
    import cv2

    def direction(x: np.ndarray, y: np.ndarray) -> float:
        centre = np.ascontiguousarray(x[4:-4, 4:-4])
        if float(centre.std()) < 1e-4:
            return 1.0 if float(np.abs(x - y).mean()) < 0.02 else 0.0
        target = np.ascontiguousarray(y)
        _, best, _, (col, row) = cv2.minMaxLoc(
            cv2.matchTemplate(target, centre, cv2.TM_CCOEFF_NORMED)
        )
        if best >= 0.95:
            return float(best)
        at_best = _uncovered(centre, target[row : row + 24, col : col + 24])
        uncovered = max(at_best, _uncovered(centre, target[4:28, 4:28]))
        best = uncovered if uncovered >= 0.98 else best
        if best >= 0.95:
            return float(best)
        for angle in (-4.0, 4.0, -8.0, 8.0):
            rotation = cv2.getRotationMatrix2D((15.5, 15.5), angle, 1.0)
            turned = cv2.warpAffine(target, rotation, (32, 32), borderMode=cv2.BORDER_REPLICATE)
            best = max(best, float(cv2.matchTemplate(turned, centre, cv2.TM_CCOEFF_NORMED).max()))
        return float(best)

    found = min(direction(a, b), direction(b, a))
    if found >= 0.95 or a[4:-4, 4:-4].std() < 1e-4 or b[4:-4, 4:-4].std() < 1e-4:
        return found
    other = _uncovered(a[4:-4, 4:-4], b[4:-4, ::-1][:, 4:-4])
    return other if other >= 0.98 else found


def test_pairs_are_scored_as_the_check_spelled_out() -> None:
    """The shortcuts (a direction left unturned when it cannot lower the result, flat centres
    found at once, every band scored from row sums) change no score: smooth random pictures,
    near-copies, copies with a band painted over, mirrors, flat ones."""
    import cv2

    rng = np.random.default_rng(3)
    pictures = np.stack(
        [cv2.GaussianBlur(rng.random((32, 32), dtype=np.float32), (0, 0), 2.0) for _ in range(40)]
    )
    pictures[10:20] = pictures[:10] + rng.normal(0, 0.003, (10, 32, 32)).astype(np.float32)
    pictures[20:25] = pictures[:5]
    pictures[20:25, 14:19] = 0.9  # a band painted over
    pictures[30] = pictures[31] = 0.5  # flat
    rows = np.concatenate([pictures, pictures], axis=1).reshape(40, -1)  # framings alike
    left, right = rng.integers(0, 40, 300), rng.integers(0, 40, 300)
    left[:15], right[:15] = np.r_[0:10, 0:5], np.r_[10:20, 20:25]
    mirrored = rng.random(300) < 0.3
    mirrored[:15] = False
    found = compare_details(rows.astype(np.float16), left, right, mirrored)
    grids = rows.astype(np.float16).astype(np.float32).reshape(40, 2, 32, 32)[:, 0]
    expected = [
        _reference(grids[i], grids[j][:, ::-1] if flip else grids[j])
        for i, j, flip in zip(left, right, mirrored, strict=True)
    ]
    np.testing.assert_allclose(found, np.asarray(expected, dtype=np.float32), atol=1e-5)
    assert found[:15].min() > 0.9  # the near-copies, the painted ones included
