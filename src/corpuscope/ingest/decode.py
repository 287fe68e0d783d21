"""Reading image files safely and fast: size guard, JPEG draft mode, EXIF orientation.

Every way a file can be bad ends as :class:`BadImage` with a reason a person understands; no
other exception leaves this module for a broken file.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

#: Images with more pixels than this are refused before decoding (a decompression-bomb guard).
#: 250 megapixels holds a 20,000 x 12,500 museum scan; raise it with ``--max-pixels``.
DEFAULT_MAX_PIXELS = 250_000_000

_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height
_EXIF_ORIENTATION = 0x0112
_heif_ready = False


class BadImage(Exception):
    """A file that is not a usable image; ``str`` is the reason."""


@dataclass(frozen=True)
class ImageHeader:
    width: int  # as displayed, after EXIF orientation
    height: int
    format: str


def register_extra_formats() -> None:
    """Let Pillow open HEIC/HEIF through pillow-heif (AVIF is built into recent Pillow)."""
    global _heif_ready
    if _heif_ready:
        return
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
    except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
        pass
    _heif_ready = True


def open_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open (not decode) an image from its bytes, refusing empty, unknown and oversized files."""
    if not data:
        raise BadImage("empty file (0 bytes)")
    register_extra_formats()
    # Pillow refuses at twice this limit and warns at once it; the exact check follows below.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise BadImage("not an image file that can be read (unknown or damaged format)") from None
    except Image.DecompressionBombError:
        raise BadImage(f"more than {max_pixels:,} pixels (decompression-bomb guard)") from None
    except (OSError, ValueError, SyntaxError) as error:
        raise BadImage(f"damaged image header ({error})") from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise BadImage("image has no pixels")
    if width * height > max_pixels:
        raise BadImage(
            f"{width} x {height} is more than {max_pixels:,} pixels "
            "(decompression-bomb guard; raise it with --max-pixels)"
        )
    return image


def read_header(image: Image.Image) -> ImageHeader:
    """Displayed size and format, without decoding the pixels."""
    width, height = image.size
    try:
        orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a damaged EXIF block must not make the image unusable
        orientation = 1
    if orientation in _ROTATED:
        width, height = height, width
    return ImageHeader(width, height, (image.format or "unknown").upper())


def decode_rgb(image: Image.Image, *, target: int) -> Image.Image:
    """Decode to an EXIF-oriented RGB image whose long side is at least ``target`` if possible.

    JPEGs use draft mode, which lets libjpeg decode at 1/2, 1/4 or 1/8 scale directly.
    """
    try:
        if image.format == "JPEG":
            image.draft("RGB", _draft_box(image.size, target))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        message = str(error)
        if "truncated" in message or isinstance(error, EOFError):
            raise BadImage("truncated image data (the file is cut short)") from None
        raise BadImage(f"damaged image data ({message or type(error).__name__})") from None


def _draft_box(size: tuple[int, int], target: int) -> tuple[int, int]:
    """The smallest size draft mode may decode to so that the long side stays >= ``target``."""
    width, height = size
    scale = target / max(width, height)
    return (max(1, int(width * scale)), max(1, int(height * scale)))


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGB")
