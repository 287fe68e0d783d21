from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD
from corpuscope.analysis.fingerprint import (
    FINGERPRINT_LENGTH,
    compute_fingerprint,
    trim_borders,
)
from corpuscope.errors import InvalidInput

from .conftest import picture


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def _copies(array: np.ndarray) -> dict[str, np.ndarray]:
    image = Image.fromarray(array)
    w, h = image.size
    half = image.resize((w // 2, h // 2), Image.Resampling.LANCZOS)
    cropped = image.crop((int(0.04 * w), int(0.02 * h), w - int(0.03 * w), h - int(0.04 * h)))
    return {
        "half": np.asarray(half),
        "q70": np.asarray(_jpeg(image, 70)),
        "half_q70": np.asarray(_jpeg(half, 70)),
        "crop": np.asarray(cropped),
        "white_border": np.asarray(ImageOps.expand(image, border=30, fill=(255, 255, 255))),
        "black_border_q70": np.asarray(_jpeg(ImageOps.expand(half, border=20, fill=(0, 0, 0)), 70)),
    }


def _sim(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        compute_fingerprint(a).astype(np.float32) @ compute_fingerprint(b).astype(np.float32)
    )


def test_shape_dtype_and_unit_length() -> None:
    fp = compute_fingerprint(picture(0))
    assert fp.dtype == np.float16 and fp.shape == (FINGERPRINT_LENGTH,)
    assert float(np.linalg.norm(fp.astype(np.float32))) == pytest.approx(1.0, abs=1e-2)
    assert np.frombuffer(fp.tobytes(), dtype=np.float16).tolist() == fp.tolist()


def test_deterministic_and_input_untouched() -> None:
    image = picture(1)
    before = image.copy()
    assert np.array_equal(compute_fingerprint(image), compute_fingerprint(image))
    assert np.array_equal(image, before)


@pytest.mark.parametrize("seed", range(6))
def test_copies_match_their_original_and_each_other(seed: int) -> None:
    original = picture(seed)
    versions = [original, *_copies(original).values()]
    prints = np.stack([compute_fingerprint(v).astype(np.float32) for v in versions])
    assert (prints @ prints.T).min() >= DEFAULT_THRESHOLD


def test_different_pictures_do_not_match() -> None:
    prints = np.stack([compute_fingerprint(picture(seed)).astype(np.float32) for seed in range(12)])
    sims = prints @ prints.T
    np.fill_diagonal(sims, 0)
    assert sims.max() < DEFAULT_THRESHOLD


def test_trim_borders_removes_a_frame_and_keeps_a_picture() -> None:
    image = picture(3)
    framed = np.asarray(
        ImageOps.expand(Image.fromarray(image), border=(10, 20, 30, 40), fill=(9, 200, 9))
    )
    assert trim_borders(framed).shape == image.shape
    assert trim_borders(image).shape == image.shape
    blank = np.full((50, 60, 3), 128, dtype=np.uint8)
    assert trim_borders(blank).shape[0] >= 8  # never trimmed to nothing


def test_a_frame_around_a_flat_margin_goes_with_the_margin_after_resizing() -> None:
    # A picture with its own flat margin (a clock on a wall), framed in white, shrunk and
    # re-encoded: the blended lines between frame and margin must not stop the trimming.
    own = ImageOps.expand(Image.fromarray(picture(3)), border=40, fill=(90, 90, 90))
    framed = ImageOps.expand(own, border=20, fill=(255, 255, 255))
    copy = _jpeg(
        framed.resize((framed.width // 3, framed.height // 3), Image.Resampling.BICUBIC), 70
    )
    reference = own.resize((own.width // 3, own.height // 3), Image.Resampling.BICUBIC)
    trimmed, expected = (
        trim_borders(np.asarray(copy)).shape,
        trim_borders(np.asarray(reference)).shape,
    )
    assert abs(trimmed[0] - expected[0]) <= 2 and abs(trimmed[1] - expected[1]) <= 2
    assert _sim(np.asarray(reference), np.asarray(copy)) >= DEFAULT_THRESHOLD


def test_blank_and_tiny_images() -> None:
    assert compute_fingerprint(np.zeros((1, 1, 3), dtype=np.uint8)).shape == (FINGERPRINT_LENGTH,)
    grey = np.full((40, 40, 3), 128, dtype=np.uint8)
    assert np.isfinite(compute_fingerprint(grey).astype(np.float32)).all()


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10), np.uint8),
        np.zeros((10, 10, 4), np.uint8),
        np.zeros((10, 10, 3), np.float32),
        np.zeros((0, 5, 3), np.uint8),
    ],
)
def test_bad_images(bad: np.ndarray) -> None:
    with pytest.raises(InvalidInput):
        compute_fingerprint(bad)


@pytest.mark.slow
def test_photographs_copies_match_and_other_photographs_do_not() -> None:
    skimage_data = pytest.importorskip("skimage.data")
    names = [
        "astronaut",
        "camera",
        "chelsea",
        "clock",
        "coffee",
        "coins",
        "immunohistochemistry",
        "moon",
        "page",
        "rocket",
        "text",
    ]
    families = []
    for name in names:
        photo = np.asarray(Image.fromarray(getattr(skimage_data, name)()).convert("RGB"))
        versions = [photo, *_copies(photo).values()]
        families.append(np.stack([compute_fingerprint(v).astype(np.float32) for v in versions]))
    for family in families:
        assert (family @ family.T).min() >= DEFAULT_THRESHOLD
    for i, a in enumerate(families):
        for b in families[i + 1 :]:
            assert (a @ b.T).max() < DEFAULT_THRESHOLD
