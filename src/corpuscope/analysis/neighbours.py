"""Nearest neighbours by cosine similarity (inner product of unit rows).

Two exact searches, chosen by shape: a few queries multiply with numpy's BLAS and select with
``argpartition``; many queries at low dimension go to ``faiss.knn``, whose heap selection costs
~2.5 ns per pair here against ~25 ns for ``argpartition`` (the BLAS bundled with faiss-cpu is
slow at high dimension, numpy's is not). The k-nearest-neighbour graph of many rows searches, for
each cell of a coarse k-means partition, only the rows of its ``_NEAR_CELLS`` nearest cells:
approximate above ``EXACT_GRAPH_LIMIT`` rows, with a recall of ~0.99 on clustered data.
"""

from __future__ import annotations

import faiss
import numpy as np
import numpy.typing as npt

from corpuscope.analysis.inputs import Vectors
from corpuscope.analysis.threads import single_threaded

#: Up to this many rows, ``knn_graph`` is exact; above, it searches nearby cells only.
EXACT_GRAPH_LIMIT = 16_000
_BLOCK_ELEMENTS = 1 << 24
_FAISS_MAX_DIM = 128
_ROWS_PER_CELL = 256
_NEAR_CELLS = 10

Neighbours = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]


def top_k(queries: Vectors, X: Vectors, k: int) -> Neighbours:
    """Exact ``(q, k)`` indices into ``X (n, d)`` and their similarities, best first.

    ``k`` is capped at ``n``. Among equal similarities the order is unspecified.
    """
    k = min(k, len(X))
    if k == 0:
        return np.empty((len(queries), 0), np.int64), np.empty((len(queries), 0), np.float32)
    if len(queries) > 64 and X.shape[1] <= _FAISS_MAX_DIM:
        sims, indices = faiss.knn(queries, X, k, metric=faiss.METRIC_INNER_PRODUCT)
        return indices.astype(np.int64), sims
    indices = np.empty((len(queries), k), dtype=np.int64)
    sims = np.empty((len(queries), k), dtype=np.float32)
    block = max(1, _BLOCK_ELEMENTS // len(X))
    for start in range(0, len(queries), block):
        S = queries[start : start + block] @ X.T
        idx, val = select_top(S, k)
        indices[start : start + len(S)] = idx
        sims[start : start + len(S)] = val
    return indices, sims


def select_top(S: npt.NDArray[np.float32], k: int) -> Neighbours:
    """Columns of the ``k`` largest values of each row of ``S (q, n)``, largest first."""
    if k < S.shape[1]:
        part = np.argpartition(S, S.shape[1] - k, axis=1)[:, -k:]
    else:
        part = np.broadcast_to(np.arange(S.shape[1]), S.shape).copy()
    vals = np.take_along_axis(S, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1).astype(np.int64), np.take_along_axis(
        vals, order, axis=1
    )


def knn_graph(
    X: Vectors, k: int, *, seed: int = 0, exact_limit: int = EXACT_GRAPH_LIMIT
) -> Neighbours:
    """``(n, k)`` neighbours of every row of ``X`` (itself excluded) and their similarities.

    ``k`` must be below ``n``. Exact up to ``exact_limit`` rows, approximate above.
    """
    if len(X) <= exact_limit:
        indices, sims = top_k(X, X, k + 1)
        return drop_self(indices, sims, np.arange(len(X)))
    with single_threaded():
        return _cell_graph(X, k, seed)


def _cell_graph(X: Vectors, k: int, seed: int) -> Neighbours:
    """kNN graph searching, for the rows of each cell, the rows of the nearest cells."""
    n, d = X.shape
    n_cells = max(2, n // _ROWS_PER_CELL)
    rng = np.random.default_rng(seed)
    train = X[np.sort(rng.choice(n, size=min(n, 40 * n_cells), replace=False))]
    km = faiss.Kmeans(
        d, n_cells, niter=10, seed=seed, min_points_per_centroid=1, max_points_per_centroid=40
    )
    km.train(train)
    centres = np.asarray(km.centroids, dtype=np.float32)
    cell = top_k(X, centres, 1)[0].ravel()
    order = np.argsort(cell, kind="stable")
    bounds = np.searchsorted(cell[order], np.arange(n_cells + 1))
    near = top_k(centres, centres, min(_NEAR_CELLS, n_cells))[0]
    indices = np.empty((n, k), dtype=np.int64)
    sims = np.empty((n, k), dtype=np.float32)
    for c in range(n_cells):
        rows = order[bounds[c] : bounds[c + 1]]
        if len(rows) == 0:
            continue
        candidates = np.concatenate([order[bounds[j] : bounds[j + 1]] for j in near[c]])
        found_sims, found = faiss.knn(
            X[rows], X[candidates], min(k + 1, len(candidates)), metric=faiss.METRIC_INNER_PRODUCT
        )
        idx, val = drop_self(candidates[found], found_sims, rows)
        indices[rows], sims[rows] = _pad(idx, val, k)
    return indices, sims


def drop_self(
    indices: npt.NDArray[np.int64], sims: npt.NDArray[np.float32], rows: npt.NDArray[np.int64]
) -> Neighbours:
    """Remove ``rows[i]`` from row ``i`` of the results (or its last entry when absent)."""
    own = indices == rows[:, None]
    own[~own.any(axis=1), -1] = True
    width = indices.shape[1] - 1
    return indices[~own].reshape(len(rows), width), sims[~own].reshape(len(rows), width)


def _pad(indices: npt.NDArray[np.int64], sims: npt.NDArray[np.float32], k: int) -> Neighbours:
    """Pad rows with fewer than ``k`` neighbours with index -1 and similarity 0."""
    missing = k - indices.shape[1]
    if missing <= 0:
        return indices, sims
    return (
        np.pad(indices, ((0, 0), (0, missing)), constant_values=-1),
        np.pad(sims, ((0, 0), (0, missing)), constant_values=0.0),
    )
