"""Small generated data sets shared by the analysis tests."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest


def unit_rows(a: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    out = np.asarray(a, dtype=np.float64)
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def blobs(
    n: int, k: int, d: int = 32, *, spread: float = 0.3, seed: int = 0
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """``n`` unit vectors around ``k`` random centres (well separated for spread <= 0.5)."""
    rng = np.random.default_rng(seed)
    centres = unit_rows(rng.standard_normal((k, d)))
    labels = np.arange(n) % k
    rng.shuffle(labels)
    noise = rng.standard_normal((n, d)) * spread / np.sqrt(d)
    return unit_rows(centres[labels] + noise), labels.astype(np.int64)


@pytest.fixture
def clustered() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """300 unit vectors in 32-d around 5 well-separated centres."""
    return blobs(300, 5)


def picture(seed: int, size: tuple[int, int] = (480, 360)) -> npt.NDArray[np.uint8]:
    """An RGB uint8 picture with structure at several scales (gradient, discs, stripes)."""
    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    image = rng.uniform(40, 200, 3) + rng.uniform(-80, 80, (3, 1, 1)).T[0] * (xx[..., None] / width)
    for _ in range(6):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(20, 90)
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 < r**2
        image[disc] = rng.uniform(0, 255, 3)
    stripes = np.sin(xx * rng.uniform(0.02, 0.1) + yy * rng.uniform(0.02, 0.1)) > 0.6
    image[stripes] *= 0.6
    return np.clip(image, 0, 255).astype(np.uint8)
