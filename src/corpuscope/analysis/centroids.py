"""Sums, means and directions of labelled rows: the centres every other module builds on."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from corpuscope.analysis.inputs import Vectors


def group_sums(X: Vectors, labels: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.float64]:
    """``(k, d)`` float64 sum of the rows of ``X (n, d)`` carrying each label ``0..k-1``."""
    members = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float64), (labels, np.arange(len(labels)))),
        shape=(k, len(labels)),
    )
    sums: npt.NDArray[np.float64] = np.asarray(members @ X, dtype=np.float64)
    return sums


def group_means(X: Vectors, labels: npt.NDArray[np.int64], k: int) -> Vectors:
    """``(k, d)`` float32 mean of the rows of each label (every label must have a member)."""
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    means: Vectors = (group_sums(X, labels, k) / counts[:, None]).astype(np.float32)
    return means


def directions(sums: npt.NDArray[np.float64]) -> Vectors:
    """Unit-length ``(k, d)`` directions of the rows of ``sums`` (a zero row stays zero)."""
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    out: Vectors = (sums / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return out
