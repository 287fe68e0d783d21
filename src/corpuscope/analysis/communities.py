"""Automatic number of clusters: communities of the k-nearest-neighbour graph (Leiden).

Steps (see docs/scores.md for why this method was chosen):

1. project the unit vectors on their 64 main directions (``subspace``): cosine neighbourhoods
   are kept and the neighbour search becomes ~10x cheaper;
2. link every image to its ``n_neighbors`` most similar images (exact up to 12,000 images, an
   IVF index above), edge weight = cosine similarity, made symmetric;
3. split the graph with the Leiden algorithm maximising modularity at ``resolution`` (below 1
   favours fewer, larger groups); the number of groups follows from the data;
4. outliers: members of communities smaller than ``min_size`` get the label -1; they are never
   presented as a community (an image that merely sits at the edge of its group stays in it,
   and its image score says so).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from corpuscope.analysis.inputs import (
    Vectors,
    check_count,
    check_fraction,
    check_seed,
    check_vectors,
)
from corpuscope.analysis.neighbours import knn_graph
from corpuscope.analysis.subspace import reduce_unit
from corpuscope.analysis.threads import single_threaded

GRAPH_DIM = 64


@dataclass(frozen=True)
class Communities:
    """``labels (n,)`` int64: ``0..k-1`` for the communities, -1 for outliers."""

    labels: npt.NDArray[np.int64]
    n_communities: int


def compute_communities(
    X: npt.ArrayLike,
    *,
    seed: int = 0,
    n_neighbors: int = 15,
    resolution: float = 0.5,
    min_size: int = 5,
) -> Communities:
    """Group ``X (n, d)`` unit rows into as many communities as the data show."""
    vectors = check_vectors(X)
    return communities_kernel(
        vectors,
        seed=check_seed(seed),
        n_neighbors=check_count(n_neighbors, name="n_neighbors"),
        resolution=check_fraction(resolution, name="resolution", low=1e-3, high=100.0),
        min_size=check_count(min_size, name="min_size"),
    )


def communities_kernel(
    X: Vectors, *, seed: int, n_neighbors: int = 15, resolution: float = 0.5, min_size: int = 5
) -> Communities:
    """Trusting kernel of ``compute_communities``."""
    n = len(X)
    if n <= min_size:
        return Communities(labels=np.zeros(n, dtype=np.int64), n_communities=1)
    with single_threaded():
        Y = reduce_unit(X, GRAPH_DIM, seed=seed)
        neighbours, sims = knn_graph(Y, min(n_neighbors, n - 1), seed=seed)
        membership = _leiden(neighbours, sims, resolution, seed)
    labels = mark_outliers(membership, min_size)
    return _renumber(labels)


def _leiden(
    neighbours: npt.NDArray[np.int64], sims: npt.NDArray[np.float32], resolution: float, seed: int
) -> npt.NDArray[np.int64]:
    """Leiden communities (modularity) of the symmetrised weighted kNN graph."""
    return leiden_membership(neighbour_graph(neighbours, sims), resolution=resolution, seed=seed)


def neighbour_graph(
    neighbours: npt.NDArray[np.int64], sims: npt.NDArray[np.float32]
) -> igraph.Graph:
    """The undirected kNN graph: an edge per linked pair (either way), weight = its cosine
    (kept in the edge attribute ``weight``, at least 1e-6)."""
    n, k = neighbours.shape
    src = np.repeat(np.arange(n, dtype=np.int64), k)
    dst = neighbours.ravel()
    weight = np.clip(sims.ravel().astype(np.float64), 1e-6, 1.0)
    valid = (dst >= 0) & (dst != src)
    lo = np.minimum(src, dst)[valid]
    hi = np.maximum(src, dst)[valid]
    key = lo * n + hi
    order = np.argsort(key, kind="stable")
    key, weight = key[order], weight[valid][order]
    unique, starts = np.unique(key, return_index=True)
    edge_weight = np.maximum.reduceat(weight, starts) if len(starts) else weight
    graph = igraph.Graph(n=n, edges=np.column_stack((unique // n, unique % n)).tolist())
    graph.es["weight"] = edge_weight.tolist()
    return graph


def leiden_membership(
    graph: igraph.Graph, *, resolution: float, seed: int, iterations: int = -1
) -> npt.NDArray[np.int64]:
    """Leiden communities maximising modularity at ``resolution`` (deterministic for a seed),
    after ``iterations`` passes (-1: until the partition stops changing)."""
    if graph.vcount() == 0:
        return np.zeros(0, dtype=np.int64)
    igraph.set_random_number_generator(random.Random(seed))
    try:
        parts = graph.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=iterations,
        )
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(parts.membership, dtype=np.int64)


def mark_outliers(membership: npt.NDArray[np.int64], min_size: int) -> npt.NDArray[np.int64]:
    """Labels with -1 for the members of communities smaller than ``min_size``."""
    counts = np.bincount(membership)
    out: npt.NDArray[np.int64] = np.where(counts[membership] >= min_size, membership, -1)
    return out


def canonical(labels: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Groups numbered ``0..k-1`` by decreasing size (ties: first appearance); -1 kept. When
    every image is an outlier, all form group 0."""
    kept = labels >= 0
    if not kept.any():
        return np.zeros(len(labels), dtype=np.int64)
    ids, first, counts = np.unique(labels[kept], return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    out = np.full(len(labels), -1, dtype=np.int64)
    out[kept] = rank[np.searchsorted(ids, labels[kept])]
    return out


def _renumber(labels: npt.NDArray[np.int64]) -> Communities:
    """Communities numbered as ``canonical`` does."""
    out = canonical(labels)
    return Communities(labels=out, n_communities=int(out.max()) + 1)
