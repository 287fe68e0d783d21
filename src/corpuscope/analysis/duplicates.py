"""Near-duplicate groups: complete linkage above a similarity threshold, exact copies always.

Guarantee (complete linkage): within a group, every pair of images has a similarity of at least
``threshold`` (and, when ``vectors`` are given, a vector similarity of at least
``min_vector_similarity``), except that images with the same content id (same bytes) are always
in the same group. There is no neighbour cap, and the groups do not depend on the order of the
input (up to exact ties between different similarities).

Steps: images with the same content id or an identical fingerprint become one node; all node
pairs at or above the threshold are found (``similar_pairs``); the pairs fall into connected
components, each split by complete-linkage agglomeration so that only fully linked sets remain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from corpuscope.analysis.inputs import Vectors, check_fraction, check_vectors
from corpuscope.analysis.pairs import similar_pairs
from corpuscope.errors import InvalidInput

#: Default fingerprint similarity: through the importer's path, every resized, re-encoded,
#: lightly cropped or framed copy of the benchmark photographs scores >= 0.858 with its
#: original and its other copies; different photographs score <= 0.75 (docs/scores.md,
#: bench/fingerprint_calibration.py).
DEFAULT_THRESHOLD = 0.85
DEFAULT_MIN_VECTOR_SIMILARITY = 0.5
_LINKAGE_LIMIT = 6_000

Pairs = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class Duplicates:
    """``groups``: each an ``(m,)`` int64 array of row indices (m >= 2), ascending; groups are
    ordered by their first index. Images in no group have no near-duplicate."""

    groups: tuple[npt.NDArray[np.int64], ...]
    threshold: float


def compute_duplicates(
    fingerprints: npt.ArrayLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    content_ids: npt.ArrayLike | None = None,
    vectors: npt.ArrayLike | None = None,
    min_vector_similarity: float = DEFAULT_MIN_VECTOR_SIMILARITY,
) -> Duplicates:
    """Near-duplicate groups of the rows of ``fingerprints (n, m)`` (any float dtype, e.g. the
    float16 fingerprints of ``fingerprint``; rows are rescaled to unit length).

    ``content_ids (n,)``: optional ids (ints or SHA-1 strings); equal ids are always grouped.
    ``vectors (n, d)``: optional unit image vectors; a pair also needs a vector similarity of
    ``min_vector_similarity`` (a veto against different pictures with the same layout).
    """
    unit = _unit_rows(fingerprints)
    t = check_fraction(threshold, name="threshold", low=0.0, high=1.0)
    ids = _content_groups(content_ids, len(unit))
    vecs = None
    if vectors is not None:
        vecs = check_vectors(vectors, name="vectors")
        if len(vecs) != len(unit):
            raise InvalidInput("vectors must have one row per fingerprint.")
    veto = check_fraction(min_vector_similarity, name="min_vector_similarity")
    return Duplicates(groups=duplicates_kernel(unit, t, ids, vecs, veto), threshold=t)


def _unit_rows(fingerprints: npt.ArrayLike) -> Vectors:
    arr = np.asarray(fingerprints)
    if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.number) or arr.shape[1] == 0:
        raise InvalidInput("fingerprints must be a 2-D array of numbers, one row per image.")
    unit = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(unit).all():
        raise InvalidInput("fingerprints contain NaN or infinite values.")
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
    vectors: Vectors | None,
    min_vector_similarity: float,
) -> tuple[npt.NDArray[np.int64], ...]:
    """Trusting kernel of ``compute_duplicates``."""
    node = _nodes(unit, content)
    n_nodes = int(node.max()) + 1 if len(node) else 0
    first = np.full(n_nodes, len(node), dtype=np.int64)
    np.minimum.at(first, node, np.arange(len(node)))
    left, right, sims = similar_pairs(unit[first], threshold)
    if vectors is not None and len(left):
        agree = (
            np.einsum("ij,ij->i", vectors[first[left]], vectors[first[right]])
            >= min_vector_similarity
        )
        left, right, sims = left[agree], right[agree], sims[agree]
    node_group = _complete_groups(n_nodes, left, right, sims)
    return _expand(node_group[node])


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


def _complete_groups(
    n_nodes: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    sims: npt.NDArray[np.float32],
) -> npt.NDArray[np.int64]:
    """``(n_nodes,)`` group of each node: fully linked subsets of each connected component."""
    # Stored as 2 - similarity (in [1, 2]) so that no linked pair is an implicit zero.
    weight = 2.0 - sims.astype(np.float64)
    graph = sparse.coo_matrix((weight, (left, right)), shape=(n_nodes, n_nodes)).tocsr()
    n_comp, comp = connected_components(graph, directed=False)
    out: npt.NDArray[np.int64] = np.asarray(comp, dtype=np.int64) * n_nodes  # room for sub-groups
    sizes = np.bincount(comp, minlength=n_comp)
    order = np.argsort(comp, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    for c in np.flatnonzero(sizes > 2):
        members = order[bounds[c] : bounds[c + 1]]
        out[members] += _split_clique(graph[members][:, members])
    return out


def _split_clique(adjacency: sparse.csr_matrix) -> npt.NDArray[np.int64]:
    """Complete-linkage groups (0-based) of one component.

    A linked pair is at distance ``1 - similarity`` (< 1), any other pair at 2; cutting the tree
    at 1 merges two sets only when every cross pair is linked, the most similar first.
    """
    m = adjacency.shape[0]
    if m > _LINKAGE_LIMIT:
        return _split_large(adjacency)
    stored = adjacency.toarray()
    stored = np.maximum(stored, stored.T)
    distance = np.where(stored > 0, stored - 1.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    condensed = distance[np.triu_indices(m, 1)]
    labels = fcluster(linkage(condensed, method="complete"), t=1.0, criterion="distance")
    out: npt.NDArray[np.int64] = np.asarray(labels, dtype=np.int64) - 1
    return out


def _split_large(adjacency: sparse.csr_matrix) -> npt.NDArray[np.int64]:
    """A component too large for the dense linkage: split it into chunks by index order and
    link within chunks (a rare case: thousands of mutually similar images)."""
    m = adjacency.shape[0]
    out = np.empty(m, dtype=np.int64)
    for start in range(0, m, _LINKAGE_LIMIT):
        stop = min(m, start + _LINKAGE_LIMIT)
        out[start:stop] = _split_clique(adjacency[start:stop][:, start:stop]) + start
    return out


def _expand(group: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
    """Rows grouped by group number; only groups of two or more, ordered by first row."""
    order = np.argsort(group, kind="stable")
    _, starts, counts = np.unique(group[order], return_index=True, return_counts=True)
    groups = [order[s : s + c] for s, c in zip(starts, counts, strict=True) if c >= 2]
    groups.sort(key=lambda g: int(g[0]))
    return tuple(g.astype(np.int64) for g in groups)
