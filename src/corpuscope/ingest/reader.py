"""Reading one file into a record: hash, header, thumbnails, fingerprint.

:func:`read_file` runs in worker processes; it never raises for a bad file, it returns a
record with the reason instead. Only regular files are opened, and only up to a size cap:
a pipe, a socket or a device (or a symbolic link to one, like ``x.jpg -> /dev/zero``) is
recorded with its kind and never read, and a file larger than the cap (a 100 GB sparse file
named like an image) is recorded without being read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from corpuscope.analysis.detail import compute_detail
from corpuscope.analysis.fingerprint import compute_fingerprint
from corpuscope.ingest.decode import BadImage, decode_rgb, open_image, read_header
from corpuscope.ingest.metadata import read_metadata
from corpuscope.ingest.model_picture import write_model_picture
from corpuscope.ingest.records import FileRecord, ImageRecord
from corpuscope.ingest.scan import ScannedFile, describe_kind
from corpuscope.ingest.thumbnails import (
    LARGE,
    load_thumbnails,
    thumbnail_path,
    write_thumbnails,
)

#: Files larger than this are not read (each is read whole into memory to be hashed and
#: decoded). 2 GiB holds an uncompressed 16-bit 250-megapixel TIFF; ``--max-bytes`` changes it.
DEFAULT_MAX_BYTES = 2 * 1024**3
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class FileRefused(Exception):
    """A file that is not read at all; ``str`` is the reason."""


@dataclass(frozen=True)
class ReadSettings:
    thumbs_dir: Path
    max_pixels: int
    max_bytes: int = DEFAULT_MAX_BYTES


def load_bytes(path: Path, *, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` bytes, or :class:`FileRefused`.

    The kind is checked before the file is opened (opening a device can have effects of its
    own), and again on the open file (in case the path changed in between); the open never
    waits for a pipe's writer, and at most ``max_bytes`` bytes are read even if the file grows.
    """
    _check(os.stat(path), max_bytes)
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        _check(os.fstat(descriptor), max_bytes)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0 and (chunk := os.read(descriptor, min(left, 1 << 24))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(descriptor)
    if left <= 0:
        raise FileRefused(_too_large(max_bytes))
    return b"".join(chunks)


def _check(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(describe_kind(info.st_mode))
    if info.st_size > max_bytes:
        raise FileRefused(_too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes:,} bytes, the size cap (not read; raise it with --max-bytes)"


def read_file(root: Path, scanned: ScannedFile, settings: ReadSettings) -> FileRecord:
    """Hash and read one file under ``root``; a bad file gives a record with ``error`` set."""
    try:
        data = load_bytes(root / scanned.rel_path, max_bytes=settings.max_bytes)
    except FileRefused as refused:
        return _failed(scanned, str(refused))
    except FileNotFoundError:
        return _failed(scanned, "the file disappeared during the import")
    except OSError as error:
        return _failed(scanned, f"cannot read the file: {(error.strerror or str(error)).lower()}")
    sha1 = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    try:
        image = _read_image(data, sha1, settings)
    except BadImage as error:
        reason = str(error)
    except OSError as error:  # the thumbnails could not be written (a full disk)
        reason = f"cannot write its thumbnails: {(error.strerror or str(error)).lower()}"
    except Exception as error:  # a decoder's own bug on a strange file never stops an import
        reason = f"the image decoder failed on this file ({type(error).__name__}: {error})"
    else:
        return FileRecord(scanned.rel_path, len(data), scanned.mtime_ns, sha1=sha1, image=image)
    return FileRecord(scanned.rel_path, len(data), scanned.mtime_ns, sha1=sha1, error=reason)


def _read_image(data: bytes, sha1: str, settings: ReadSettings) -> ImageRecord:
    with open_image(data, max_pixels=settings.max_pixels) as opened:
        header = read_header(opened)
        metadata = read_metadata(opened)  # before decoding: that drops the EXIF orientation
        large = load_thumbnails(settings.thumbs_dir, sha1)
        if large is None:  # none yet, or damaged (an empty file after a power loss): make them
            picture = decode_rgb(opened, target=LARGE)  # synced by the importer, per batch
            large = write_thumbnails(picture, settings.thumbs_dir, sha1, sync=False)
            write_model_picture(settings.thumbs_dir, sha1)  # a new image: for its vectors
    return ImageRecord(
        sha1, header.width, header.height, header.format, fingerprint_of(large), metadata
    )


def remake_thumbnails(path: Path, sha1: str, settings: ReadSettings) -> bool:
    """Write an image's thumbnails again from its file (found empty after a power loss, say);
    False when the file is unusable or its bytes are not the image's any more."""
    try:
        data = load_bytes(path, max_bytes=settings.max_bytes)
    except (FileRefused, OSError):
        return False
    if hashlib.sha1(data, usedforsecurity=False).hexdigest() != sha1:
        return False
    try:
        with open_image(data, max_pixels=settings.max_pixels) as opened:
            write_thumbnails(decode_rgb(opened, target=LARGE), settings.thumbs_dir, sha1)
    except (BadImage, OSError):
        return False
    return True


#: Long side of the picture the near-duplicate fingerprint is taken from. Measured with
#: bench/fingerprint_calibration.py: copies and different photographs split as they do from
#: the 512-px thumbnail (from 128 px, three times more copies are missed), at 40 % of the cost.
FINGERPRINT_SIDE = 256


def fingerprint_of(large: Image.Image) -> bytes:
    """The near-duplicate fingerprint of an image, from its large thumbnail: the layout
    fingerprint, then the finer picture (``analysis.detail``), float16."""
    factor = max(large.size) // FINGERPRINT_SIDE
    pixels = np.asarray(large.reduce(factor) if factor >= 2 else large)
    return compute_fingerprint(pixels).tobytes() + compute_detail(pixels).tobytes()


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
