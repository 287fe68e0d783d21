"""The model picture: the bundled model's input pixels, written at import beside the thumbnails.

Embedding from the 512-px thumbnail spends about 2.3 ms per image decoding the JPEG and
resampling it (bicubic) on the cores the model needs, against 8.8 ms for the forward pass, which
caps the vectors step under 80 % of the model's own speed (docs/models.md). The importer, which
has just written the thumbnail, also writes the 224 x 224 pixels the bundled model takes:
``thumbnails/ab/<sha1>-m256-224.ppm``, raw pixels (147 KB; see
:mod:`corpuscope.embed.picture_format`), made in about 2 ms at import. The vectors step then
only reads and normalises them (about 0.2 ms), and deletes each picture once its image has a
vector, so that the pictures take disk space only between an import and its vectors.

The pixels are made from the thumbnail file exactly as the vectors step makes them (same
decoding, same resampling) and stored as they are: vectors are the same with or without a
picture, so the model's version does not change, an image imported before pictures existed (or
whose picture was deleted) is embedded from its thumbnail with the same result, and a missing or
damaged picture only costs time.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpuscope.embed.chunks import decode_for, read_bytes
from corpuscope.embed.efficientnet import PREPROCESSING
from corpuscope.embed.picture_format import encode_picture
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.ingest.thumbnails import LARGE, thumbnail_path

log = logging.getLogger(__name__)

#: The geometry the pictures are cut to: the bundled model's (short side 256, bicubic, centre
#: crop 224). A change here must change :data:`SUFFIX`, so that old pictures are not used.
GEOMETRY = PREPROCESSING
SUFFIX = "m256-224.ppm"


def model_picture_path(thumbs_dir: Path, sha1: str) -> Path:
    return thumbs_dir / sha1[:2] / f"{sha1}-{SUFFIX}"


def fits(preprocessing: ImagePreprocessing) -> bool:
    """Whether a model with this preprocessing can take the pictures (only normalising them)."""
    geometry = ("resize", "crop", "mode", "resample")
    return all(getattr(preprocessing, key) == getattr(GEOMETRY, key) for key in geometry)


def compute_model_picture(data: bytes) -> npt.NDArray[np.uint8]:
    """``(224, 224, 3)`` uint8: the model's input pixels from an image file's bytes, decoded and
    resampled by the same code as the vectors step. Raises ``BadImage`` for a bad file."""
    return GEOMETRY.resize_and_crop(decode_for(data, GEOMETRY))


def write_model_picture(thumbs_dir: Path, sha1: str) -> bool:
    """Write the picture of an image from its large thumbnail, unless it exists; whether one is
    there afterwards. Never raises: without a picture, vectors are computed from the thumbnail."""
    thumbnail = thumbnail_path(thumbs_dir, sha1, LARGE)
    return save_model_picture(thumbnail, model_picture_path(thumbs_dir, sha1))


def save_model_picture(thumbnail: Path, path: Path) -> bool:
    """Write to ``path`` the picture made from a large thumbnail file, unless it exists (written
    to a temporary name, then renamed); whether a picture is there afterwards."""
    if path.is_file():
        return True
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(encode_picture(compute_model_picture(read_bytes(thumbnail))))
        os.replace(temporary, path)
    except Exception as error:  # a thumbnail gone bad, a full disk: the picture is optional
        log.debug("No model picture from %s: %s", thumbnail, error)
        temporary.unlink(missing_ok=True)
        return False
    return True
