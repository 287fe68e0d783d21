"""Near-duplicate groups: pairs far closer than the images around them, exact copies always.

The decision adapts to the corpus. Two pictures count as copies when they are much closer to
each other than to the rest of their neighbourhood, which is what tells a resized photograph
(its copy at distance 0.01, other photographs at 0.5) from two different handwritten 3s (at
0.05, with a hundred other 3s at 0.06). Steps (docs/scores.md has the measurements):

1. images with the same content id or an identical layout fingerprint become one node;
2. each node's ``NEIGHBOURS`` nearest nodes by layout similarity, the larger of the straight and
   the mirrored comparison (``pairs.nearest_rows``), so that a flipped copy is found;
3. the finer check (``detail.compare_details``: 32 x 32 luma, aligned) for the neighbours that
   stand out from the rest already on the layout and the vectors together, or on the vectors
   alone (a faint picture and its copy can be trimmed to framings whose layouts disagree), the
   rest counting every image that no list proposed (see 4); distance of a pair =
   ``sqrt((1 - layout similarity) x (1 - detail similarity))`` (the layout distance alone when
   the finer check is not run or not available);
4. the **duplicate score** of a node and a neighbour: sort the node's neighbours by distance
   ``d_1 <= d_2 <= ...``; a neighbour at rank ``r`` scores ``max over m >= r of
   (1 - d_m / d_(m+1))``: 1 minus how much closer the set of its ``m`` nearest is than the next
   image. 1 = identical while the rest is far; 0 = no closer than the next image. The next image
   may be one that neither list proposed: it is no closer than the lists' last entries, so
   ``d_(m+1)`` is at most the distance of an image at their similarities (``_beyond``): with
   two lists, their union's tail (a vector neighbour whose layout differs, a layout neighbour
   whose vector differs) is no evidence that a crowd stands out. A pair whose
   score reaches ``threshold`` from either side, and whose fused similarity ``1 - d`` reaches
   ``_FLOOR``, is a pair of copies;
5. groups are the connected components of those pairs (every image is linked to the group by a
   chain of copies), ordered by their first row.

The result does not depend on the order of the input (up to exact ties between similarities).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from corpuscope.analysis.detail import DETAIL_LENGTH, compare_details
from corpuscope.analysis.fingerprint import FINGERPRINT_LENGTH, mirror_fingerprints
from corpuscope.analysis.inputs import Vectors, check_fraction
from corpuscope.analysis.pairs import nearest_rows, neighbour_dots
from corpuscope.errors import InvalidInput

#: Default duplicate score (the one place it is written; the web API's schema carries it to the
#: front-end). Measured with bench/duplicates_quality.py: docs/scores.md.
DEFAULT_THRESHOLD = 0.7
#: Neighbours each image is compared with: the largest family of copies found whole.
NEIGHBOURS = 12
#: Layout score from which the finer check is run.
_CHECK_FROM = 0.3
#: Score on the vectors alone from which the finer check is run too.
_VECTOR_CHECK_FROM = 0.3
#: In a crowd (layout similarity from ``_CROWD_FROM``), the nearest neighbours checked anyway.
_CROWD_CHECKS = 4
_CROWD_FROM = 0.9
#: Least fused similarity of a pair of copies (unrelated pictures never count).
_FLOOR = 0.5
#: In a corpus smaller than ``NEIGHBOURS`` + 1 nodes, the fused similarity that suffices.
_SURE = 0.98
#: Pairs given to the finer check at once (bounded memory: their rows' pictures as float32).
_CHECK_BATCH = 32_768
#: Rows checked at once for finite values and unit length (bounded temporaries).
_ROW_BATCH = 65_536
#: Distances below this count as this (re-encoding noise: no pair is closer than that).
_EPS = 0.002
#: Weights of the layout, the vectors and the finer check in the fused distance (a weighted
#: geometric mean of ``1 - similarity``).
_WEIGHTS = (1.0, 1.0, 1.0)

Report = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Duplicates:
    """``groups``: each an ``(m,)`` int64 array of row indices (m >= 2), ascending; groups are
    ordered by their first index. ``scores``: per group, the lowest duplicate score of the pairs
    that link it (1.0 for identical content). Images in no group have no near-duplicate."""

    groups: tuple[npt.NDArray[np.int64], ...]
    scores: tuple[float, ...]
    threshold: float


def compute_duplicates(
    fingerprints: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    content_ids: npt.ArrayLike | None = None,
    details: npt.ArrayLike | None = None,
    vectors: npt.ArrayLike | None = None,
    report: Report | None = None,
) -> Duplicates:
    """Near-duplicate groups of the rows of ``fingerprints (n, m)`` (any float dtype; rows are
    rescaled to unit length): layout fingerprints (``m = FINGERPRINT_LENGTH``: mirrored copies
    are found too) or any other unit signal (compared as it is).

    ``content_ids (n,)``: optional ids (ints or SHA-1 strings); equal ids are always grouped.
    ``details (n, DETAIL_LENGTH)``: optional finer pictures (``detail.compute_detail``); without
    them the decision rests on the layout alone. ``vectors (n, d)``: optional image vectors of
    a model (rescaled to unit length): their nearest neighbours by cosine join the layout's as
    candidates (a rotated, overlaid or cropped copy moves the layout, not the vector), and their
    distance joins the fused one. ``report(done, total, message)`` hears of the stages.
    """
    unit = _unit_rows(fingerprints)
    t = check_fraction(threshold, name="threshold", low=0.0, high=1.0)
    ids = _content_groups(content_ids, len(unit))
    fine: npt.NDArray[np.floating] | None = None
    if details is not None:
        fine = np.asarray(details)  # converted batch by batch: 8 GB as float32 at a million
        if (
            fine.shape != (len(unit), DETAIL_LENGTH)
            or not np.issubdtype(fine.dtype, np.floating)
            or not _all_finite(fine)
        ):
            raise InvalidInput("details must be finite, one row of the finer picture per image.")
    semantic = None
    if vectors is not None:  # read (checked, rescaled) after the layouts: 5.1 GB at a million
        semantic = np.asarray(vectors)
        if semantic.ndim != 2 or len(semantic) != len(unit):
            raise InvalidInput("vectors must hold one row per fingerprint.")
    groups, scores = duplicates_kernel(unit, t, ids, fine, report or _silent, semantic)
    return Duplicates(groups=groups, scores=scores, threshold=t)


def _silent(done: int, total: int, message: str) -> None:
    return None


def _unit_rows(rows: npt.ArrayLike, name: str = "fingerprints") -> Vectors:
    """Rows rescaled to unit length as float32, in batches: rows already float32, contiguous
    and of unit length (a model's vectors, memory-mapped) are used as they are, not copied."""
    arr = np.asarray(rows)
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.number) or arr.shape[1] == 0:
        raise InvalidInput(f"{name} must be a 2-D array of numbers, one row per image.")
    if not _all_finite(arr):
        raise InvalidInput(f"{name} contain NaN or infinite values.")
    ready = arr.dtype == np.float32 and arr.flags.c_contiguous
    out: Vectors = arr if ready else np.empty(arr.shape, dtype=np.float32)
    for start in range(0, len(arr), _ROW_BATCH):
        part = np.asarray(arr[start : start + _ROW_BATCH], dtype=np.float32)
        norms = np.linalg.norm(part, axis=1, keepdims=True)
        if ready and np.all(np.abs(norms - 1.0) <= 1e-5):
            continue
        if ready:  # not unit after all: a copy from here on, the rows before copied as they are
            ready, out = False, np.empty(arr.shape, dtype=np.float32)
            out[:start] = arr[:start]
        out[start : start + _ROW_BATCH] = part / np.where(norms > 0, norms, 1.0)
    return out


def _all_finite(rows: npt.NDArray[np.generic]) -> bool:
    """Whether every value is finite (checked in batches of rows: no full-size temporary)."""
    return all(
        bool(np.isfinite(rows[start : start + _ROW_BATCH]).all())
        for start in range(0, len(rows), _ROW_BATCH)
    )


def _content_groups(content_ids: npt.ArrayLike | None, n: int) -> npt.NDArray[np.int64]:
    """``(n,)`` group number of each row's content id (each row alone when none given)."""
    if content_ids is None:
        return np.arange(n, dtype=np.int64)
    ids = np.asarray(content_ids)
    if ids.shape != (n,):
        raise InvalidInput("content_ids must hold one id per fingerprint.")
    _, inverse = np.unique(ids, return_inverse=True)
    return inverse.astype(np.int64).ravel()


def duplicates_kernel(
    unit: Vectors,
    threshold: float,
    content: npt.NDArray[np.int64],
    details: npt.NDArray[np.floating] | None,
    report: Report,
    vectors: npt.NDArray[np.number] | None = None,
) -> tuple[tuple[npt.NDArray[np.int64], ...], tuple[float, ...]]:
    """Trusting kernel of ``compute_duplicates``: (groups, lowest score of each). ``vectors``
    are checked and rescaled only once the layouts are compared (``InvalidInput`` then, when
    they are not finite), so that their pages are not resident during the layouts' search."""
    node = _nodes(unit, content)
    n_nodes = int(node.max()) + 1 if len(node) else 0
    first = np.full(n_nodes, len(node), dtype=np.int64)
    np.minimum.at(first, node, np.arange(len(node)))
    every = n_nodes == len(node)  # each row its own node: no copy of the rows (1M x 1280 d)
    report(0, 3, "Comparing layouts")
    X = unit if every else unit[first]
    mirrored = mirror_fingerprints(X) if X.shape[1] == FINGERPRINT_LENGTH else X
    near, sims, flips = nearest_rows(X, mirrored, NEIGHBOURS)
    distance = np.where(near >= 0, np.maximum(1.0 - sims, _EPS), np.inf).astype(np.float32)
    beyond = _beyond(((sims, _WEIGHTS[0]),))
    weight = _WEIGHTS[0]
    vector_standing = None
    if vectors is not None and n_nodes > 1:
        V = _unit_rows(vectors if every else vectors[first], "vectors")
        near, flips, distance, beyond, vector_standing = _with_vectors(X, mirrored, V, near, sims)
        weight += _WEIGHTS[1]
    if details is not None and near.shape[1]:
        report(1, 3, "Checking details")
        check = _to_check(distance, near, beyond, vector_standing)
        distance = _fuse_details(distance, near, flips, (details, first), weight, check)
    report(2, 3, "Grouping")
    left, right, scores = _copy_pairs(near, distance, threshold, beyond)
    node_group, link = _components(n_nodes, left, right, scores)
    groups = _expand(node_group[node])
    lowest = tuple(
        float(link[node_group[node[g[0]]]]) if np.isfinite(link[node_group[node[g[0]]]]) else 1.0
        for g in groups
    )
    return groups, lowest


def _with_vectors(
    X: Vectors,
    mirrored: Vectors,
    V: Vectors,
    near: npt.NDArray[np.int64],
    layout_sims: npt.NDArray[np.float32],
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
    npt.NDArray[np.float32],
]:
    """Candidates united from the layout and the vectors' nearest, with the distance
    ``sqrt((1 - layout similarity) x (1 - vector cosine))`` of each (``inf`` where none), the
    least distance of an image that neither list proposed (``_beyond``), and how each candidate
    stands out on the vectors alone (``_scores`` of the cosine distances)."""
    by_vector, vector_sims, _ = nearest_rows(V, V, NEIGHBOURS)
    found = np.sort(np.concatenate([near, by_vector], axis=1), axis=1)
    repeated = np.zeros(found.shape, dtype=bool)
    repeated[:, 1:] = found[:, 1:] == found[:, :-1]
    candidates = np.where(repeated, -1, found)
    straight, turned = neighbour_dots((X, mirrored), X, candidates)
    (cosine,) = neighbour_dots((V,), V, candidates)
    layout = np.maximum(straight, turned)
    distance = np.where(
        candidates >= 0,
        _mean_distance(
            (np.maximum(1.0 - layout, _EPS), _WEIGHTS[0]),
            (np.maximum(1.0 - cosine, _EPS), _WEIGHTS[1]),
        ),
        np.inf,
    ).astype(np.float32)
    beyond = _beyond(((layout_sims, _WEIGHTS[0]), (vector_sims, _WEIGHTS[1])))
    alone = np.where(candidates >= 0, np.maximum(1.0 - cosine, _EPS), np.inf).astype(np.float32)
    standing = _scores(alone, _beyond(((vector_sims, 1.0),)))
    return candidates, (turned > straight) & (candidates >= 0), distance, beyond, standing


def _beyond(lists: tuple[tuple[npt.NDArray[np.float32], float], ...]) -> npt.NDArray[np.float32]:
    """``(n,)`` least distance of an image that none of the nearest lists ``(similarities (n,
    k), weight)`` proposed: on each signal it is no more similar than the list's last entry
    (``inf`` where a list is not full: every other image is in it)."""
    parts = []
    for sims, weight in lists:
        last = sims.min(axis=1) if sims.shape[1] else np.full(len(sims), -1.0, np.float32)
        full = (sims > -1.0).all(axis=1) & (sims.shape[1] > 0)
        parts.append((np.where(full, np.maximum(1.0 - last, _EPS), np.inf), weight))
    return _mean_distance(*parts)


def _mean_distance(*parts: tuple[npt.NDArray[np.float32], float]) -> npt.NDArray[np.float32]:
    """Weighted geometric mean of distances given as ``(distances, weight)``."""
    total = sum(weight for _, weight in parts)
    logs = sum(weight * np.log(values) for values, weight in parts)
    out: npt.NDArray[np.float32] = np.exp(logs / total).astype(np.float32)
    return out


def _scores(
    distance: npt.NDArray[np.float32], beyond: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """``(n, k)`` duplicate score of each neighbour (columns in any order; ``inf``: no
    neighbour there, in a corpus smaller than ``NEIGHBOURS``), the next image being no farther
    than ``beyond (n,)`` (an image no list proposed): see the module."""
    order = np.argsort(distance, axis=1, kind="stable")
    ranked = np.take_along_axis(distance, order, axis=1)
    following = np.full_like(ranked, np.inf)
    following[:, :-1] = ranked[:, 1:]
    following = np.minimum(following, beyond[:, None])
    known = np.isfinite(following) & np.isfinite(ranked)
    ratio = ranked / np.maximum(np.where(known, following, 1.0), _EPS)
    gap = np.where(known, np.maximum(1.0 - ratio, 0.0), 0.0).astype(np.float32)
    # past the end of a small corpus nothing tells what is ordinary: only the nearly identical
    sure = np.where(~np.isfinite(ranked).all(axis=1, keepdims=True) & (ranked <= 1 - _SURE),
                    1.0 - ranked, 0.0)  # fmt: skip
    gap = np.maximum(gap, sure)
    best_after = np.maximum.accumulate(gap[:, ::-1], axis=1)[:, ::-1]
    out = np.empty_like(best_after)
    np.put_along_axis(out, order, best_after, axis=1)
    return out


def _to_check(
    distance: npt.NDArray[np.float32],
    near: npt.NDArray[np.int64],
    beyond: npt.NDArray[np.float32],
    vector_standing: npt.NDArray[np.float32] | None,
) -> npt.NDArray[np.bool_]:
    """``(n, k)`` which neighbours go to the finer check: those that stand out on the signals
    so far, those that stand out on the vectors alone (a faint picture whose trim differs from
    its copy's has layouts that disagree), and in a crowd (layouts alike) the nearest few."""
    ranks = np.argsort(np.argsort(distance, axis=1, kind="stable"), axis=1)
    crowded = (ranks < _CROWD_CHECKS) & (distance <= 1.0 - _CROWD_FROM)
    check = (_scores(distance, beyond) >= _CHECK_FROM) | crowded
    if vector_standing is not None:
        check |= vector_standing >= _VECTOR_CHECK_FROM
    out: npt.NDArray[np.bool_] = check & (near >= 0)
    return out


def _fuse_details(
    distance: npt.NDArray[np.float32],
    near: npt.NDArray[np.int64],
    flips: npt.NDArray[np.bool_],
    details: tuple[npt.NDArray[np.floating], npt.NDArray[np.int64]],
    weight: float,
    check: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float32]:
    """Distances (a weighted geometric mean of signals of total ``weight``) with the finer
    check folded in, for the neighbours marked in ``check``. ``details``: the finer pictures
    of the rows and the row of each node."""
    rows, cols = np.nonzero(check)
    if len(rows) == 0:
        return distance
    left, right = np.minimum(rows, near[rows, cols]), np.maximum(rows, near[rows, cols])
    pairs, inverse = np.unique(np.stack([left, right, flips[rows, cols]], axis=1), axis=0,
                               return_inverse=True)  # fmt: skip
    similar = _compare_in_batches(details, pairs)
    fine = np.maximum(1.0 - similar, _EPS)[inverse.ravel()]
    out = distance.copy()
    out[rows, cols] = _mean_distance((distance[rows, cols], weight), (fine, _WEIGHTS[2]))
    return out


def _compare_in_batches(
    details: tuple[npt.NDArray[np.floating], npt.NDArray[np.int64]],
    pairs: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    """``compare_details`` of the node pairs ``(left, right, mirrored) (p, 3)``, a batch at a
    time over the pictures of that batch's rows only (float32 copies of ``_CHECK_BATCH`` pairs'
    rows at most, never of every row)."""
    pictures, row_of = details
    out = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), _CHECK_BATCH):
        batch = pairs[start : start + _CHECK_BATCH]
        used, local = np.unique(batch[:, :2], return_inverse=True)
        local = local.reshape(-1, 2)
        own = np.asarray(pictures[row_of[used]], dtype=np.float32)
        out[start : start + len(batch)] = compare_details(
            own, local[:, 0], local[:, 1], batch[:, 2].astype(bool)
        )
    return out


def _copy_pairs(
    near: npt.NDArray[np.int64],
    distance: npt.NDArray[np.float32],
    threshold: float,
    beyond: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Pairs of nodes that are copies (score and fused similarity high enough) and scores."""
    scores = _scores(distance, beyond)
    accept = (scores >= threshold) & (1.0 - distance >= _FLOOR) & (near >= 0)
    rows, cols = np.nonzero(accept)
    return rows.astype(np.int64), near[rows, cols], scores[rows, cols]


def _components(
    n_nodes: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    scores: npt.NDArray[np.float32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Group of each node, and the lowest score of the pairs inside each group (inf: none)."""
    graph = sparse.coo_matrix((np.ones(len(left)), (left, right)), shape=(n_nodes, n_nodes))
    _, labels = connected_components(graph, directed=False)
    group = np.asarray(labels, dtype=np.int64)
    link = np.full(n_nodes, np.inf)
    np.minimum.at(link, group[left], scores.astype(np.float64))
    return group, link


def _nodes(unit: Vectors, content: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Rows sharing a content id or an identical fingerprint, as one node number each."""
    n = len(unit)
    same_print = _same_rows(unit)
    first_content = np.full(int(content.max()) + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first_content, content, np.arange(n))
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([same_print, first_content[content]])
    graph = sparse.coo_matrix((np.ones(2 * n), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    out: npt.NDArray[np.int64] = np.asarray(labels, dtype=np.int64)
    return out


def _same_rows(unit: Vectors) -> npt.NDArray[np.int64]:
    """``(n,)`` first row identical to each row (itself when none before it): rows of equal
    hash of their bytes are compared (8 bytes a row instead of a dict of every row's bytes)."""
    n = len(unit)
    hashes = np.fromiter((hash(row.tobytes()) for row in unit), dtype=np.int64, count=n)
    same = np.arange(n, dtype=np.int64)
    _, inverse, counts = np.unique(hashes, return_inverse=True, return_counts=True)
    shared = np.flatnonzero(counts[inverse.ravel()] > 1)  # ascending rows
    earlier: dict[int, list[int]] = {}
    for row, key in zip(shared.tolist(), hashes[shared].tolist(), strict=True):
        rows = earlier.setdefault(key, [])
        same[row] = next((r for r in rows if np.array_equal(unit[r], unit[row])), row)
        if same[row] == row:
            rows.append(row)
    return same


def _expand(group: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
    """Rows grouped by group number; only groups of two or more, ordered by first row."""
    order = np.argsort(group, kind="stable")
    _, starts, counts = np.unique(group[order], return_index=True, return_counts=True)
    groups = [order[s : s + c] for s, c in zip(starts, counts, strict=True) if c >= 2]
    groups.sort(key=lambda g: int(g[0]))
    return tuple(g.astype(np.int64) for g in groups)
