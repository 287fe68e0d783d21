"""Checks shared by the public functions of ``corpuscope.analysis``.

Each check takes what a caller passed and returns it in the one form the private kernels trust
(C-contiguous float32 vectors, int64 indices, ...) or raises ``InvalidInput`` with a sentence a
person understands. Nothing here modifies its input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.errors import InvalidInput

#: How far a row's norm may be from 1 and still count as L2-normalised.
NORM_TOLERANCE = 1e-2
_CHECKED_ROWS = 4096

Vectors = npt.NDArray[np.float32]
Indices = npt.NDArray[np.int64]


def check_vectors(X: Any, *, name: str = "X", allow_empty: bool = False) -> Vectors:
    """Return ``X`` as a C-contiguous (n, d) float32 array of unit rows, or raise.

    The returned array may share memory with ``X``; callers must not write into it. Above
    ``_CHECKED_ROWS`` rows, finiteness and unit length are checked on evenly spaced rows only:
    a per-query check of 100,000 x 512 vectors would cost more than the query.
    """
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{name} must be a 2-D array of numbers.") from error
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise InvalidInput(f"{name} must be a 2-D array of real numbers, shaped (n, d).")
    if arr.shape[1] == 0:
        raise InvalidInput(f"{name} has vectors of length 0.")
    if arr.shape[0] == 0 and not allow_empty:
        raise InvalidInput(f"{name} holds no vectors; at least one is needed.")
    out = np.ascontiguousarray(arr, dtype=np.float32)
    rows = out if len(out) <= _CHECKED_ROWS else out[:: len(out) // _CHECKED_ROWS]
    if not np.isfinite(rows).all():
        raise InvalidInput(f"{name} contains NaN or infinite values.")
    norms = np.einsum("ij,ij->i", rows, rows, dtype=np.float64)
    if rows.shape[0] and np.abs(norms - 1.0).max() > 2 * NORM_TOLERANCE:
        raise InvalidInput(f"{name} must hold L2-normalised rows (each of length 1).")
    return out


def check_query(vector: Any, *, d: int, name: str = "query") -> Vectors:
    """Return one (d,) vector or several (q, d) vectors as a (q, d) float32 array."""
    arr = np.asarray(vector)
    if arr.ndim == 1:
        arr = arr[None, :]
    queries = check_vectors(arr, name=name)
    if queries.shape[1] != d:
        raise InvalidInput(
            f"{name} has length {queries.shape[1]} but the vectors have length {d}; "
            "they must come from the same model."
        )
    return queries


def check_indices(
    indices: Any, *, n: int, name: str = "indices", allow_empty: bool = True
) -> Indices:
    """Return distinct row indices into an array of ``n`` rows as a sorted int64 array."""
    arr = np.asarray(indices)
    if arr.ndim == 1 and arr.size == 0:
        arr = np.empty(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise InvalidInput(f"{name} must be a 1-D list of integer row indices.")
    if arr.size == 0 and not allow_empty:
        raise InvalidInput(f"{name} is empty; at least one image is needed.")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise InvalidInput(f"{name} contains an index outside 0..{n - 1}.")
    out = np.unique(arr.astype(np.int64))
    if out.size != arr.size:
        raise InvalidInput(f"{name} contains the same index twice.")
    return out


def check_count(value: Any, *, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int at least ``minimum``, or raise."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidInput(f"{name} must be a whole number.")
    if value < minimum:
        raise InvalidInput(f"{name} must be at least {minimum}, not {value}.")
    return int(value)


def check_fraction(value: Any, *, name: str, low: float = -1.0, high: float = 1.0) -> float:
    """Return ``value`` as a float within [low, high], or raise."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise InvalidInput(f"{name} must be a number.")
    out = float(value)
    if not low <= out <= high:
        raise InvalidInput(f"{name} must be between {low:g} and {high:g}, not {out:g}.")
    return out


def check_seed(seed: Any) -> int:
    """Return a seed in [0, 2**31), the range faiss accepts, or raise."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InvalidInput("seed must be a whole number.")
    if not 0 <= seed < 2**31:
        raise InvalidInput(f"seed must be between 0 and {2**31 - 1}, not {seed}.")
    return int(seed)
