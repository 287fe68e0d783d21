"""All pairs of unit rows whose cosine similarity reaches a threshold.

Up to ``EXACT_PAIRS_LIMIT`` rows every pair is compared (blocks of rows times all later rows).
Above, an inverted-file search: k-means (on a 64-d projection) splits the rows into cells of
~``_ROWS_PER_CELL``; every row is filed in its ``_HOMES`` nearest cells and compared, in full
dimension, with the rows filed in its ``_PROBES`` nearest cells. A pair at a high similarity
(near duplicates) sits in the same or neighbouring cells, so it is found, while the work drops
from n^2 / 2 to ~n x 3,000 comparisons. This is not a proof: the tests compare it with
``all_pairs`` over many seeds, and ``bench/cluster_speed.py`` at 100,000 rows (all 2,000
planted pairs found, none missed, 8 s against 88 s for the full comparison).
"""

from __future__ import annotations

from collections.abc import Sequence

import faiss
import numpy as np
import numpy.typing as npt

from corpuscope.analysis.inputs import Vectors
from corpuscope.analysis.neighbours import select_top
from corpuscope.analysis.subspace import fit_basis, project_unit, reduce_unit
from corpuscope.analysis.threads import single_threaded

EXACT_PAIRS_LIMIT = 12_000
_ROWS_PER_CELL = 512
_PROBES = 3
_HOMES = 2
_CELL_DIM = 64
_BLOCK_ELEMENTS = 1 << 24
#: Rows whose candidates from the cells' routes are merged at once.
_ROUTE_ROWS = 65_536

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]
#: ``(n, k)`` neighbour rows (-1: none), their similarities, and whether each was found mirrored.
Nearest = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.bool_]]


def similar_pairs(
    X: Vectors, threshold: float, *, exact_limit: int = EXACT_PAIRS_LIMIT, seed: int = 0
) -> Pairs:
    """``(left, right, similarity)`` of every pair ``left < right`` with similarity >= threshold,
    sorted by ``(left, right)``."""
    if len(X) <= exact_limit:
        return all_pairs(X, threshold)
    with single_threaded():
        return _cell_pairs(X, threshold, seed)


def all_pairs(X: Vectors, threshold: float) -> Pairs:
    """Exact: compares every pair (the reference that the cell search must match)."""
    n = len(X)
    block = max(1, _BLOCK_ELEMENTS // max(n, 1))
    found: list[Pairs] = []
    for start in range(0, n, block):
        block_sims = X[start : start + block] @ X[start:].T
        rows, cols = np.nonzero(block_sims >= threshold)
        keep = cols > rows
        rows, cols = rows[keep], cols[keep]
        found.append((rows + start, cols + start, block_sims[rows, cols]))
    return _sorted_unique(found)


def _cell_pairs(X: Vectors, threshold: float, seed: int) -> Pairs:
    """Pairs between each row and the rows of its ``_PROBES`` nearest cells.

    Cells come from k-means on a 64-d projection (cheap); similarities are computed in full.
    """
    n = len(X)
    Y = reduce_unit(X, _CELL_DIM, seed=seed)
    n_cells = max(2, n // _ROWS_PER_CELL)
    rng = np.random.default_rng(seed)
    train = Y[np.sort(rng.choice(n, size=min(n, 32 * n_cells), replace=False))]
    km = faiss.Kmeans(
        Y.shape[1],
        n_cells,
        niter=10,
        seed=seed,
        min_points_per_centroid=1,
        max_points_per_centroid=32,
    )
    km.train(train)
    centres = np.ascontiguousarray(km.centroids, dtype=np.float32)
    _, nearest = faiss.knn(Y, centres, min(_PROBES, n_cells), metric=faiss.METRIC_INNER_PRODUCT)
    homes = nearest[:, :_HOMES]
    members = _by_cell(homes.ravel(), n_cells, repeat=homes.shape[1])
    probers = _by_cell(nearest.ravel(), n_cells, repeat=nearest.shape[1])
    found: list[Pairs] = []
    for c in range(n_cells):
        rows, cand = probers[c], members[c]
        if len(rows) == 0 or len(cand) == 0:
            continue
        cell_sims = X[rows] @ X[cand].T
        i, j = np.nonzero(cell_sims >= threshold)
        left, right = rows[i], cand[j]
        keep = left != right
        pair_sims = cell_sims[i[keep], j[keep]]
        lo, hi = np.minimum(left[keep], right[keep]), np.maximum(left[keep], right[keep])
        found.append((lo, hi, pair_sims))
    return _sorted_unique(found)


def _by_cell(
    cells: npt.NDArray[np.int64], n_cells: int, repeat: int = 1
) -> list[npt.NDArray[np.int64]]:
    """Row numbers (``index // repeat``) listed under each cell number."""
    order = np.argsort(cells, kind="stable")
    bounds = np.searchsorted(cells[order], np.arange(n_cells + 1))
    rows = (order // repeat).astype(np.int64)
    return [rows[bounds[c] : bounds[c + 1]] for c in range(n_cells)]


def _sorted_unique(found: list[Pairs]) -> Pairs:
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32)
    left = np.concatenate([f[0] for f in found]).astype(np.int64)
    right = np.concatenate([f[1] for f in found]).astype(np.int64)
    sims = np.concatenate([f[2] for f in found]).astype(np.float32)
    order = np.lexsort((right, left))
    left, right, sims = left[order], right[order], sims[order]
    if len(left):
        first = np.concatenate(([True], (left[1:] != left[:-1]) | (right[1:] != right[:-1])))
        left, right, sims = left[first], right[first], sims[first]
    return left, right, sims


def nearest_rows(
    X: Vectors, mirrored: Vectors, k: int, *, exact_limit: int = EXACT_PAIRS_LIMIT, seed: int = 0
) -> Nearest:
    """The ``k`` rows most similar to each row of ``X``, itself excluded, where the similarity
    of rows ``i`` and ``j`` is the larger of ``X[i] . X[j]`` and ``X[i] . mirrored[j]``
    (``mirrored``: the rows of the mirrored pictures; ``X`` itself for a signal without a mirror,
    compared once). Rows with fewer than ``k`` others are padded with index -1 and similarity -1.
    Exact up to ``exact_limit`` rows; above, inverted-file cells as in ``similar_pairs``: each
    row against the rows filed in the cells nearest to it and to its mirror."""
    n = len(X)
    if n <= exact_limit:
        return _nearest_in(X, mirrored, np.arange(n), np.arange(n), k)
    with single_threaded():
        return _cell_nearest(X, mirrored, k, seed)


def _nearest_in(
    X: Vectors,
    mirrored: Vectors,
    rows: npt.NDArray[np.int64],
    candidates: npt.NDArray[np.int64],
    k: int,
) -> Nearest:
    """Exact ``k`` best of ``candidates`` for each of ``rows`` (-1 where too few)."""
    width = min(k, len(candidates))
    idx = np.full((len(rows), k), -1, dtype=np.int64)
    sims = np.full((len(rows), k), -1.0, dtype=np.float32)
    flips = np.zeros((len(rows), k), dtype=bool)
    if width <= 0:
        return idx, sims, flips
    block = max(1, _BLOCK_ELEMENTS // max(len(candidates), 1))
    cand_x, cand_m = X[candidates].T, mirrored[candidates].T
    for start in range(0, len(rows), block):
        part = rows[start : start + block]
        straight = X[part] @ cand_x
        turned = X[part] @ cand_m if mirrored is not X else straight  # no mirror: one product
        best = np.maximum(straight, turned)
        best[candidates[None, :] == part[:, None]] = -np.inf
        top, vals = select_top(best, width)
        idx[start : start + len(part), :width] = candidates[top]
        sims[start : start + len(part), :width] = vals
        flips[start : start + len(part), :width] = np.take_along_axis(
            turned > straight, top, axis=1
        )
    sims[~np.isfinite(sims)] = -1.0
    idx[sims <= -1.0] = -1
    return idx, sims, flips


def _cell_nearest(X: Vectors, mirrored: Vectors, k: int, seed: int) -> Nearest:
    """Each row against the rows filed in the nearest cells of itself (straight similarities)
    and of its mirror (turned ones: ``mirrored[i] . X[j] = X[i] . mirrored[j]``)."""
    n = len(X)
    basis = fit_basis(X, _CELL_DIM, seed=seed) if X.shape[1] > _CELL_DIM else None
    Y = project_unit(X, basis) if basis is not None else X
    n_cells = max(2, n // _ROWS_PER_CELL)
    rng = np.random.default_rng(seed)
    train = Y[np.sort(rng.choice(n, size=min(n, 32 * n_cells), replace=False))]
    km = faiss.Kmeans(
        Y.shape[1], n_cells, niter=10, seed=seed, min_points_per_centroid=1,
        max_points_per_centroid=32,
    )  # fmt: skip
    km.train(train)
    centres = np.ascontiguousarray(km.centroids, dtype=np.float32)
    probes = min(_PROBES, n_cells)
    _, home = faiss.knn(Y, centres, 1, metric=faiss.METRIC_INNER_PRODUCT)
    members = _by_cell(home.ravel(), n_cells)
    routes = [(X, Y)]
    if mirrored is not X:  # a signal without a mirror: the straight route is the only one
        routes.append((mirrored, project_unit(mirrored, basis) if basis is not None else mirrored))
    cand = np.full((n, len(routes) * probes, k), -1, dtype=np.int64)
    sims = np.full((n, len(routes) * probes, k), -np.inf, dtype=np.float32)
    for route, (queries, projected) in enumerate(routes):
        _, near = faiss.knn(projected, centres, probes, metric=faiss.METRIC_INNER_PRODUCT)
        _search_cells(X, queries, members, near, home.ravel(), cand, sims, route * probes)
    flips = np.zeros(cand.shape, dtype=bool)
    flips[:, probes:] = True
    return _best_of_routes(X, mirrored, cand.reshape(n, -1), sims.reshape(n, -1),
                           flips.reshape(n, -1), k)  # fmt: skip


def _search_cells(
    X: Vectors,
    queries: Vectors,
    members: list[npt.NDArray[np.int64]],
    near: npt.NDArray[np.int64],
    home: npt.NDArray[np.int64],
    cand: npt.NDArray[np.int64],
    sims: npt.NDArray[np.float32],
    offset: int,
) -> None:
    """For each cell, the ``k`` best of its rows for each query row that probes it, written in
    ``cand`` and ``sims`` at slot ``offset + probe number`` (the row itself excluded)."""
    probes, k = near.shape[1], cand.shape[2]
    flat = near.ravel()
    order = np.argsort(flat, kind="stable")
    bounds = np.searchsorted(flat[order], np.arange(len(members) + 1))
    for c, filed in enumerate(members):
        entries = order[bounds[c] : bounds[c + 1]]
        if len(entries) == 0 or len(filed) == 0:
            continue
        rows, slots = entries // probes, entries % probes + offset
        block = queries[rows] @ X[filed].T
        own = np.nonzero(home[rows] == c)[0]  # rows filed here meet themselves
        block[own, np.searchsorted(filed, rows[own])] = -np.inf
        top, vals = select_top(block, min(k, len(filed)))
        cand[rows[:, None], slots[:, None], np.arange(top.shape[1])] = filed[top]
        sims[rows[:, None], slots[:, None], np.arange(top.shape[1])] = vals


def _best_of_routes(
    X: Vectors,
    mirrored: Vectors,
    cand: npt.NDArray[np.int64],
    sims: npt.NDArray[np.float32],
    flips: npt.NDArray[np.bool_],
    k: int,
) -> Nearest:
    """The ``k`` best distinct candidates of each row, each with the larger of its straight
    and turned similarity (the route that did not find it is computed for the ``k`` kept), in
    blocks of rows: the sorts' temporaries stay small (a few GB for a million rows at once)."""
    n = len(cand)
    idx = np.empty((n, k), dtype=np.int64)
    top = np.empty((n, k), dtype=np.float32)
    turned = np.empty((n, k), dtype=bool)
    for start in range(0, n, _ROUTE_ROWS):
        part = slice(start, start + _ROUTE_ROWS)
        rows = np.arange(start, min(start + _ROUTE_ROWS, n))
        idx[part], top[part], turned[part] = _best_in_block(
            X, mirrored, rows, (cand[part], sims[part], flips[part]), k
        )
    return idx, top, turned


def _best_in_block(
    X: Vectors,
    mirrored: Vectors,
    rows: npt.NDArray[np.int64],
    found_by_routes: Nearest,
    k: int,
) -> Nearest:
    """``_best_of_routes`` for the query ``rows`` (their candidates, similarities, flips)."""
    cand, sims, flips = found_by_routes
    sims = np.where(cand >= 0, sims, -np.inf).astype(np.float32)
    by_cand = np.argsort(cand, axis=1, kind="stable")
    ranked = np.take_along_axis(cand, by_cand, axis=1)
    ranked_sims = np.take_along_axis(sims, by_cand, axis=1)
    # the same candidate from both routes (two entries side by side): keep the better one
    same = np.zeros(cand.shape, dtype=bool)
    same[:, 1:] = (ranked[:, 1:] == ranked[:, :-1]) & (ranked[:, 1:] >= 0)
    worse = np.zeros(cand.shape, dtype=bool)
    worse[:, 1:] = same[:, 1:] & (ranked_sims[:, 1:] <= ranked_sims[:, :-1])
    worse[:, :-1] |= same[:, 1:] & (ranked_sims[:, 1:] > ranked_sims[:, :-1])
    drop = np.empty_like(worse)
    np.put_along_axis(drop, by_cand, worse, axis=1)
    sims[drop] = -np.inf
    best = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    idx = np.take_along_axis(cand, best, axis=1)
    top = np.take_along_axis(sims, best, axis=1)
    turned = np.take_along_axis(flips, best, axis=1)
    found = np.isfinite(top) & (idx >= 0)
    if mirrored is not X:
        straight, mirror = neighbour_dots((X[rows], mirrored[rows]), X, np.where(found, idx, -1))
        top = np.where(found, np.maximum(straight, mirror), top)
        turned = mirror > straight
    out_sims: npt.NDArray[np.float32] = np.where(found, top, -1.0).astype(np.float32)
    return np.where(found, idx, -1).astype(np.int64), out_sims, turned & found


def neighbour_dots(
    queries: Sequence[Vectors], B: Vectors, idx: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    """``(len(queries), n, w)``: ``queries[q][i] . B[idx[i, c]]`` for each row ``i`` of
    ``idx (n, w)`` (0 where ``idx`` is -1), in blocks of rows (bounded memory; each row of
    ``B`` is gathered once for all the queries)."""
    n, w = idx.shape
    out = np.zeros((len(queries), n, w), dtype=np.float32)
    safe = np.maximum(idx, 0)
    step = max(1, _BLOCK_ELEMENTS // max(w * B.shape[1], 1))
    for start in range(0, n, step):
        part = slice(start, start + step)
        stacked = np.stack([q[part] for q in queries], axis=2)  # (b, d, queries)
        out[:, part] = np.matmul(B[safe[part]], stacked).transpose(2, 0, 1)
    out[:, idx < 0] = 0.0
    return out
