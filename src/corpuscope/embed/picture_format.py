"""The model picture's file format: raw RGB pixels in a binary PPM (P6) file.

A model picture holds the pixels a model takes, already resized and cropped (see
:mod:`corpuscope.ingest.model_picture`). Raw pixels read back in about 0.05 ms, where lossless
WebP or PNG take 1 to 1.7 ms, which would give back most of what the picture saves; the price
is 147 KB a picture (224 x 224), which is why the vectors step deletes each picture once its
image has a vector. Any image viewer opens PPM files.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def _header(side: int) -> bytes:
    return f"P6\n{side} {side}\n255\n".encode("ascii")


def encode_picture(pixels: npt.NDArray[np.uint8]) -> bytes:
    """The file's bytes for ``(side, side, 3)`` uint8 pixels."""
    side = pixels.shape[0]
    if pixels.shape != (side, side, 3) or pixels.dtype != np.uint8:
        raise ValueError(f"A model picture is (side, side, 3) uint8, not {pixels.shape}.")
    return _header(side) + np.ascontiguousarray(pixels).tobytes()


def decode_picture(data: bytes, side: int) -> npt.NDArray[np.uint8] | None:
    """``(side, side, 3)`` uint8 pixels (read-only), or ``None`` if ``data`` is not a model
    picture of that side."""
    header = _header(side)
    if len(data) != len(header) + side * side * 3 or not data.startswith(header):
        return None
    return np.frombuffer(data, dtype=np.uint8, offset=len(header)).reshape(side, side, 3)
