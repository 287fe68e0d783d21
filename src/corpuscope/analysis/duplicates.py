"""Near-duplicate groups: pairs far closer than the images around them, exact copies always.

The decision adapts to the corpus. Two pictures count as copies when they are much closer to
each other than to the rest of their neighbourhood, which is what tells a resized photograph
(its copy at distance 0.01, other photographs at 0.5) from two different handwritten 3s (at
0.05, with a hundred other 3s at 0.06). Steps (docs/scores.md has the measurements):

1. images with the same content id or an identical layout fingerprint become one node;
2. each node's ``NEIGHBOURS`` nearest nodes by layout similarity, the larger of the straight and
   the mirrored comparison (``pairs.nearest_rows``), so that a flipped copy is found;
3. the finer check (``detail.compare_details``: 32 x 32 luma, aligned) for the neighbours that
   stand out from the rest already on the layout; distance of a pair =
   ``sqrt((1 - layout similarity) x (1 - detail similarity))`` (the layout distance alone when
   the finer check is not run or not available);
4. the **duplicate score** of a node and a neighbour: sort the node's neighbours by distance
   ``d_1 <= d_2 <= ...``; a neighbour at rank ``r`` scores ``max over m >= r of
   (1 - d_m / d_(m+1))``: 1 minus how much closer the set of its ``m`` nearest is than the next
   image. 1 = identical while the rest is far; 0 = no closer than the next image. A pair whose
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
#: In a crowd (layout similarity from ``_CROWD_FROM``), the nearest neighbours checked anyway.
_CROWD_CHECKS = 4
_CROWD_FROM = 0.9
#: Least fused similarity of a pair of copies (unrelated pictures never count).
_FLOOR = 0.5
#: In a corpus smaller than ``NEIGHBOURS`` + 1 nodes, the fused similarity that suffices.
_SURE = 0.98
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
    fine = None
    if details is not None:
        fine = np.asarray(details, dtype=np.float32)
        if fine.shape != (len(unit), DETAIL_LENGTH) or not np.isfinite(fine).all():
            raise InvalidInput("details must be finite, one row of the finer picture per image.")
    semantic = None
    if vectors is not None:
        semantic = _unit_rows(vectors, "vectors")
        if len(semantic) != len(unit):
            raise InvalidInput("vectors must hold one row per fingerprint.")
    groups, scores = duplicates_kernel(unit, t, ids, fine, report or _silent, semantic)
    return Duplicates(groups=groups, scores=scores, threshold=t)


def _silent(done: int, total: int, message: str) -> None:
    return None


def _unit_rows(rows: npt.ArrayLike, name: str = "fingerprints") -> Vectors:
    arr = np.asarray(rows)
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.number) or arr.shape[1] == 0:
        raise InvalidInput(f"{name} must be a 2-D array of numbers, one row per image.")
    unit = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(unit).all():
        raise InvalidInput(f"{name} contain NaN or infinite values.")
    norms = np.linalg.norm(unit, axis=1, keepdims=True)
    out: Vectors = (unit / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    return out


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
    details: npt.NDArray[np.float32] | None,
    report: Report,
    vectors: Vectors | None = None,
) -> tuple[tuple[npt.NDArray[np.int64], ...], tuple[float, ...]]:
    """Trusting kernel of ``compute_duplicates``: (groups, lowest score of each)."""
    node = _nodes(unit, content)
    n_nodes = int(node.max()) + 1 if len(node) else 0
    first = np.full(n_nodes, len(node), dtype=np.int64)
    np.minimum.at(first, node, np.arange(len(node)))
    report(0, 3, "Comparing layouts")
    X = unit[first]
    mirrored = mirror_fingerprints(X) if X.shape[1] == FINGERPRINT_LENGTH else X
    near, sims, flips = nearest_rows(X, mirrored, NEIGHBOURS)
    distance = np.where(near >= 0, np.maximum(1.0 - sims, _EPS), np.inf).astype(np.float32)
    weight = _WEIGHTS[0]
    if vectors is not None and n_nodes > 1:
        near, flips, distance = _with_vectors(X, mirrored, vectors[first], near)
        weight += _WEIGHTS[1]
    if details is not None and near.shape[1]:
        report(1, 3, "Checking details")
        distance = _fuse_details(distance, near, flips, details[first], weight)
    report(2, 3, "Grouping")
    left, right, scores = _copy_pairs(near, distance, threshold)
    node_group, link = _components(n_nodes, left, right, scores)
    groups = _expand(node_group[node])
    lowest = tuple(
        float(link[node_group[node[g[0]]]]) if np.isfinite(link[node_group[node[g[0]]]]) else 1.0
        for g in groups
    )
    return groups, lowest


def _with_vectors(
    X: Vectors, mirrored: Vectors, V: Vectors, near: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.float32]]:
    """Candidates united from the layout and the vectors' nearest, with the distance
    ``sqrt((1 - layout similarity) x (1 - vector cosine))`` of each (``inf`` where none)."""
    by_vector, _, _ = nearest_rows(V, V, NEIGHBOURS)
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
    return candidates, (turned > straight) & (candidates >= 0), distance


def _mean_distance(*parts: tuple[npt.NDArray[np.float32], float]) -> npt.NDArray[np.float32]:
    """Weighted geometric mean of distances given as ``(distances, weight)``."""
    total = sum(weight for _, weight in parts)
    logs = sum(weight * np.log(values) for values, weight in parts)
    out: npt.NDArray[np.float32] = np.exp(logs / total).astype(np.float32)
    return out


def _scores(distance: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``(n, k)`` duplicate score of each neighbour (columns in any order; ``inf``: no
    neighbour there, in a corpus smaller than ``NEIGHBOURS``): see the module."""
    order = np.argsort(distance, axis=1, kind="stable")
    ranked = np.take_along_axis(distance, order, axis=1)
    k = ranked.shape[1]
    gap = np.zeros_like(ranked)
    if k > 1:
        after = ranked[:, 1:]
        ratio = ranked[:, :-1] / np.maximum(np.where(np.isfinite(after), after, 1.0), _EPS)
        gap[:, :-1] = np.where(np.isfinite(after), 1.0 - ratio, 0.0)
    # past the end of a small corpus nothing tells what is ordinary: only the nearly identical
    sure = np.where(~np.isfinite(ranked).all(axis=1, keepdims=True) & (ranked <= 1 - _SURE),
                    1.0 - ranked, 0.0)  # fmt: skip
    gap = np.maximum(gap, sure)
    best_after = np.maximum.accumulate(gap[:, ::-1], axis=1)[:, ::-1]
    out = np.empty_like(best_after)
    np.put_along_axis(out, order, best_after, axis=1)
    return out


def _fuse_details(
    distance: npt.NDArray[np.float32],
    near: npt.NDArray[np.int64],
    flips: npt.NDArray[np.bool_],
    details: npt.NDArray[np.float32],
    weight: float,
) -> npt.NDArray[np.float32]:
    """Distances (a weighted geometric mean of signals of total ``weight``) with the finer
    check folded in, for the neighbours that stand out."""
    # the neighbours that stand out, and in a crowd (layouts alike) the nearest few
    ranks = np.argsort(np.argsort(distance, axis=1, kind="stable"), axis=1)
    crowded = (ranks < _CROWD_CHECKS) & (distance <= 1.0 - _CROWD_FROM)
    check = ((_scores(distance) >= _CHECK_FROM) | crowded) & (near >= 0)
    rows, cols = np.nonzero(check)
    if len(rows) == 0:
        return distance
    left, right = np.minimum(rows, near[rows, cols]), np.maximum(rows, near[rows, cols])
    pairs, inverse = np.unique(np.stack([left, right, flips[rows, cols]], axis=1), axis=0,
                               return_inverse=True)  # fmt: skip
    similar = compare_details(details, pairs[:, 0], pairs[:, 1], pairs[:, 2].astype(bool))
    fine = np.maximum(1.0 - similar, _EPS)[inverse.ravel()]
    out = distance.copy()
    out[rows, cols] = _mean_distance((distance[rows, cols], weight), (fine, _WEIGHTS[2]))
    return out


def _copy_pairs(
    near: npt.NDArray[np.int64], distance: npt.NDArray[np.float32], threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Pairs of nodes that are copies (score and fused similarity high enough) and scores."""
    scores = _scores(distance)
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
    seen: dict[bytes, int] = {}
    same_print = np.array(
        [seen.setdefault(row.tobytes(), i) for i, row in enumerate(unit)], dtype=np.int64
    )
    first_content = np.full(int(content.max()) + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first_content, content, np.arange(n))
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([same_print, first_content[content]])
    graph = sparse.coo_matrix((np.ones(2 * n), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    out: npt.NDArray[np.int64] = np.asarray(labels, dtype=np.int64)
    return out


def _expand(group: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
    """Rows grouped by group number; only groups of two or more, ordered by first row."""
    order = np.argsort(group, kind="stable")
    _, starts, counts = np.unique(group[order], return_index=True, return_counts=True)
    groups = [order[s : s + c] for s, c in zip(starts, counts, strict=True) if c >= 2]
    groups.sort(key=lambda g: int(g[0]))
    return tuple(g.astype(np.int64) for g in groups)
