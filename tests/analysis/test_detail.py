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
