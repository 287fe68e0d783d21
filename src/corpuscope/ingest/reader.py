"""Reading one file into a record: hash, header, thumbnails, fingerprint.

:func:`read_file` runs in worker processes; it never raises for a bad file, it returns a
record with the reason instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from corpuscope.analysis.fingerprint import compute_fingerprint
from corpuscope.ingest.decode import BadImage, decode_rgb, open_image, read_header
from corpuscope.ingest.model_picture import write_model_picture
from corpuscope.ingest.records import FileRecord, ImageRecord
from corpuscope.ingest.scan import ScannedFile
from corpuscope.ingest.thumbnails import LARGE, has_thumbnails, thumbnail_path, write_thumbnails


@dataclass(frozen=True)
class ReadSettings:
    thumbs_dir: Path
    max_pixels: int


def read_file(root: Path, scanned: ScannedFile, settings: ReadSettings) -> FileRecord:
    """Hash and read one file under ``root``; a bad file gives a record with ``error`` set."""
    try:
        data = (root / scanned.rel_path).read_bytes()
    except FileNotFoundError:
        return _failed(scanned, "the file disappeared during the import")
    except IsADirectoryError:
        return _failed(scanned, "not a regular file")
    except OSError as error:
        return _failed(scanned, f"cannot read the file: {(error.strerror or str(error)).lower()}")
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    try:
        image = _read_image(data, sha1, settings)
    except BadImage as error:
        return FileRecord(
            scanned.rel_path, len(data), scanned.mtime_ns, sha1=sha1, error=str(error)
        )
    return FileRecord(scanned.rel_path, len(data), scanned.mtime_ns, sha1=sha1, image=image)


def _read_image(data: bytes, sha1: str, settings: ReadSettings) -> ImageRecord:
    with open_image(data, max_pixels=settings.max_pixels) as opened:
        header = read_header(opened)
        if has_thumbnails(settings.thumbs_dir, sha1):
            with Image.open(thumbnail_path(settings.thumbs_dir, sha1, LARGE)) as cached:
                large = cached.convert("RGB")
        else:
            large = write_thumbnails(decode_rgb(opened, target=LARGE), settings.thumbs_dir, sha1)
            write_model_picture(settings.thumbs_dir, sha1)  # a new image: for its vectors
    return ImageRecord(sha1, header.width, header.height, header.format, fingerprint_of(large))


#: Long side of the picture the near-duplicate fingerprint is taken from. Measured with
#: bench/fingerprint_calibration.py: copies and different photographs split as they do from
#: the 512-px thumbnail (from 128 px, three times more copies are missed), at 40 % of the cost.
FINGERPRINT_SIDE = 256


def fingerprint_of(large: Image.Image) -> bytes:
    """The near-duplicate fingerprint of an image, from its large thumbnail."""
    factor = max(large.size) // FINGERPRINT_SIDE
    picture = large.reduce(factor) if factor >= 2 else large
    return compute_fingerprint(np.asarray(picture)).tobytes()


def thumbnail_fingerprint(thumbs_dir: Path, sha1: str) -> bytes | None:
    """The fingerprint of an imported image from its large thumbnail; None if that is unusable."""
    try:
        with Image.open(thumbnail_path(thumbs_dir, sha1, LARGE)) as cached:
            large = cached.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return fingerprint_of(large)


def _failed(scanned: ScannedFile, reason: str) -> FileRecord:
    return FileRecord(scanned.rel_path, scanned.size, scanned.mtime_ns, error=reason)
