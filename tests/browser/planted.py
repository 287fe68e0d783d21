"""A corpus with a planted structure: visually distinct families and one near-duplicate pair.

Each family lives in its own folder, so tests know the right answer for every image: a good
clustering puts each family in its own cluster, and the duplicate finder pairs the two planted
copies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 224
FAMILIES = ("red", "gradient", "stripes", "checker")
PER_FAMILY = 8
DUPLICATES = ("original.png", "copy.jpg")


def _grid() -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    return yy, xx


def family_picture(family: str, index: int) -> Image.Image:
    """Picture ``index`` of ``family``: same look within a family, clearly different across."""
    rng = np.random.default_rng(1000 * FAMILIES.index(family) + index)
    yy, xx = _grid()
    if family == "red":
        base = np.array([rng.uniform(190, 240), rng.uniform(20, 60), rng.uniform(20, 50)])
        rgb = np.broadcast_to(base, (SIZE, SIZE, 3)).copy()
        cx, cy = (float(v) for v in rng.uniform(60, 160, 2))
        r = float(rng.uniform(20, 50))
        rgb[(xx - cx) ** 2 + (yy - cy) ** 2 < r**2] *= 0.6
    elif family == "gradient":
        angle = rng.uniform(0, np.pi)
        t = (np.cos(angle) * xx + np.sin(angle) * yy) / (SIZE * 1.5) + 0.3
        rgb = np.stack([20 + 40 * t, 60 + 90 * t, 140 + 110 * t], axis=-1)
    elif family == "stripes":
        angle = rng.uniform(-0.3, 0.3)
        period = rng.uniform(10, 22)
        wave = np.sin((np.cos(angle) * xx + np.sin(angle) * yy) * 2 * np.pi / period) > 0
        rgb = np.repeat((wave * 230 + 15)[..., None], 3, axis=-1)
    else:  # checker
        cell = int(rng.integers(18, 40))
        board = ((xx // cell + yy // cell) % 2).astype(np.float32)
        rgb = np.stack([40 + 200 * board, 150 + 90 * board, 40 + 200 * board], axis=-1)
    rgb = rgb + rng.normal(0, 8, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def duplicate_picture() -> Image.Image:
    """A busy picture unlike every family: blobs of colour over a diagonal ramp."""
    rng = np.random.default_rng(424242)
    yy, xx = _grid()
    rgb = np.stack([xx, yy, (xx + yy) / 2], axis=-1) * 255 / SIZE
    for _ in range(7):
        cx, cy = rng.uniform(0, SIZE, 2)
        r = rng.uniform(15, 45)
        rgb[(xx - cx) ** 2 + (yy - cy) ** 2 < r**2] = rng.uniform(0, 255, 3)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def write_corpus(root: Path) -> dict[str, list[Path]]:
    """Write every family and the duplicate pair under ``root``; paths by family (and "planted")."""
    written: dict[str, list[Path]] = {}
    for family in FAMILIES:
        folder = root / family
        folder.mkdir(parents=True, exist_ok=True)
        written[family] = []
        for index in range(PER_FAMILY):
            path = folder / f"{family}_{index:02d}.png"
            family_picture(family, index).save(path)
            written[family].append(path)
    planted = root / "planted"
    planted.mkdir(parents=True, exist_ok=True)
    original = duplicate_picture()
    original.save(planted / DUPLICATES[0])
    # the copy: resized, slightly brighter, re-encoded as JPEG (different bytes, same picture)
    copy = original.resize((200, 200), Image.Resampling.LANCZOS).point(lambda v: min(255, v + 6))
    copy.save(planted / DUPLICATES[1], quality=88)
    written["planted"] = [planted / name for name in DUPLICATES]
    return written
