"""A lower-dimensional linear view of unit vectors that keeps their cosine similarities.

The basis spans the top singular directions of the (uncentred) vectors, fitted on a sample: the
projection keeps inner products rather than variance around the mean, which on the benchmark
sets preserves neighbourhoods better than centred PCA (centring then renormalising changes the
geometry of vectors that all share a common direction).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.inputs import Vectors

_FIT_SAMPLE = 20_000


def fit_basis(X: Vectors, dim: int, *, seed: int = 0) -> Vectors:
    """``(d, p)`` orthonormal columns, ``p = min(dim, d)``, spanning X's main directions."""
    n, d = X.shape
    p = min(dim, d)
    rng = np.random.default_rng(seed)
    sample = X if n <= _FIT_SAMPLE else X[np.sort(rng.choice(n, _FIT_SAMPLE, replace=False))]
    gram = (sample.T @ sample).astype(np.float64)
    if p >= d // 2:
        _, vecs = np.linalg.eigh(gram)
        top = vecs[:, ::-1][:, :p]
    else:
        top = _top_eigenvectors(gram, p, rng)
    basis: Vectors = np.ascontiguousarray(top, dtype=np.float32)
    return basis


def _top_eigenvectors(
    gram: npt.NDArray[np.float64], p: int, rng: np.random.Generator
) -> npt.NDArray[np.float64]:
    """Top ``p`` eigenvectors of a symmetric PSD matrix by randomised subspace iteration.

    A full ``eigh`` of a 1280 x 1280 matrix takes seconds here; this takes milliseconds.
    """
    q, _ = np.linalg.qr(gram @ rng.standard_normal((len(gram), p + 16)))
    for _ in range(4):
        q, _ = np.linalg.qr(gram @ q)
    _, small = np.linalg.eigh(q.T @ gram @ q)
    top: npt.NDArray[np.float64] = (q @ small[:, ::-1])[:, :p]
    return top


def project_unit(X: Vectors, basis: Vectors) -> Vectors:
    """``(n, p)`` projections of ``X (n, d)`` on ``basis (d, p)``, scaled back to unit length."""
    Y = X @ basis
    norms = np.linalg.norm(Y, axis=1, keepdims=True)
    out: Vectors = np.ascontiguousarray(Y / np.where(norms > 0, norms, 1.0), dtype=np.float32)
    return out


def reduce_unit(X: Vectors, dim: int, *, seed: int = 0) -> Vectors:
    """``X`` itself when ``d <= dim``, else its unit-length projection on ``dim`` directions."""
    if X.shape[1] <= dim:
        return X
    return project_unit(X, fit_basis(X, dim, seed=seed))
