"""Thumbnails, named by the image's SHA-1: ``thumbnails/ab/abcdef...-512.jpg``.

Two sizes (long side): 128 px for the grid and the map, 512 px for the viewer and as the
input of the vector models. Files are written to a temporary name and renamed, and synced to
the disk before any record refers to them (:mod:`corpuscope.atomic`), so a crash never leaves a
half-written thumbnail behind a valid name; one found empty or damaged all the same (a disk
that lost data) is made again.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from corpuscope.atomic import write_atomically

SIZES = (128, 512)
LARGE = 512
SMALL = 128
QUALITY = 85


def thumbnail_path(thumbs_dir: Path, sha1: str, size: int) -> Path:
    return thumbs_dir / sha1[:2] / f"{sha1}-{size}.jpg"


def has_thumbnails(thumbs_dir: Path, sha1: str) -> bool:
    return all(thumbnail_path(thumbs_dir, sha1, size).is_file() for size in SIZES)


def load_thumbnails(thumbs_dir: Path, sha1: str) -> Image.Image | None:
    """The large thumbnail (RGB) if both sizes are on disk and decode whole, else None."""
    try:
        with Image.open(thumbnail_path(thumbs_dir, sha1, SMALL)) as small:
            small.load()
        with Image.open(thumbnail_path(thumbs_dir, sha1, LARGE)) as cached:
            return cached.convert("RGB")
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None


def write_thumbnails(
    image: Image.Image, thumbs_dir: Path, sha1: str, *, sync: bool = True
) -> Image.Image:
    """Write both sizes from an RGB image; return the large thumbnail. ``sync=False``: the
    caller flushes the file system before recording them (an import does, once a batch)."""
    large = shrink(image, LARGE)
    # 512 -> 128 is a 4 x 4 box average: as sharp as a bicubic resize here, and 7x cheaper
    small = large.reduce(LARGE // SMALL) if max(large.size) == LARGE else shrink(large, SMALL)
    _save(large, thumbnail_path(thumbs_dir, sha1, LARGE), sync)
    _save(small, thumbnail_path(thumbs_dir, sha1, SMALL), sync)
    return large


def shrink(image: Image.Image, size: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= size:
        return image
    scale = size / max(width, height)
    box = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Area averaging (Pillow's box filter widens with the scale factor, like OpenCV's
    # INTER_AREA): the usual choice for shrinking, and half the cost of bicubic here.
    return image.resize(box, Image.Resampling.BOX, reducing_gap=2.0)


def _save(image: Image.Image, path: Path, sync: bool) -> None:
    with write_atomically(path, sync=sync) as handle:
        image.save(handle, "JPEG", quality=QUALITY, optimize=False)
