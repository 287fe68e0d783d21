"""The one entry point for clustering: groups with scores, for k-means or the automatic mode.

``n_clusters=k`` runs k-means (``kmeans``); ``n_clusters=-1`` lets the data choose the number of
groups (``levels``: nested Leiden partitions of the nearest-neighbour graph, the automatic answer
among them; ``level`` moves to a finer (< 0) or coarser (> 0) one). Either way the result has the
same shape: groups sorted by score (most coherent first) and, when the automatic mode sets images
apart, one last group flagged ``is_outliers``. Every input index is in exactly one group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.centroids import directions, dots_with, group_sums
from corpuscope.analysis.communities import canonical
from corpuscope.analysis.inputs import Vectors, check_count, check_seed, check_vectors
from corpuscope.analysis.kmeans import kmeans_kernel
from corpuscope.analysis.levels import Hierarchy, hierarchy_kernel
from corpuscope.analysis.scores import group_score
from corpuscope.analysis.stability import stability_kernel
from corpuscope.errors import InvalidInput

AUTOMATIC = -1
_SUBSAMPLE = 0.8


@dataclass(frozen=True)
class Group:
    """``members (m,)`` int64 indices into X, most typical first; ``score`` in [0, 100]
    (lower = more coherent, see ``scores``); ``stability`` in [0, 1] when asked for."""

    members: npt.NDArray[np.int64]
    score: float
    is_outliers: bool = False
    stability: float | None = None


@dataclass(frozen=True)
class Clustering:
    """``groups``: ordinary groups by ascending score, then the outliers group if any;
    ``labels (n,)``: position in ``groups`` of each image's group; ``image_scores (n,)``: cosine
    similarity of each image to its group's centre direction."""

    groups: tuple[Group, ...]
    labels: npt.NDArray[np.int64]
    image_scores: npt.NDArray[np.float32]
    algorithm: str
    n_clusters: int
    seed: int
    hierarchy: Hierarchy | None = None  # automatic mode: every level, ``level`` the one shown
    level: int = 0


def compute_clustering(
    X: npt.ArrayLike,
    *,
    n_clusters: int = AUTOMATIC,
    seed: int = 0,
    stability_runs: int = 0,
    min_size: int = 5,
    level: int = 0,
    stage: Callable[[str], None] | None = None,
) -> Clustering:
    """Cluster ``X (n, d)`` unit rows into ``n_clusters`` groups (-1: as many as the data show).

    ``stability_runs`` > 0 reclusters that many random 80 % subsamples with other seeds and
    gives each group its stability (see ``stability``). ``min_size``: in the automatic mode,
    communities smaller than this go to the outliers group. ``level`` (automatic mode): steps
    from the automatic answer towards finer (< 0) or coarser (> 0) levels, stopping at the
    finest or coarsest there is. ``stage(name)`` is called before each stage (``"graph"``,
    ``"levels"``, ``"scores"``).
    """
    vectors = check_vectors(X)
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer):
        raise InvalidInput("n_clusters must be a whole number (-1 for automatic).")
    if n_clusters != AUTOMATIC and n_clusters < 1:
        raise InvalidInput(f"n_clusters must be at least 1, or -1 for automatic, not {n_clusters}.")
    runs = check_count(stability_runs, name="stability_runs", minimum=0)
    size = check_count(min_size, name="min_size")
    if isinstance(level, bool) or not isinstance(level, int | np.integer):
        raise InvalidInput("level must be a whole number (0: the automatic answer).")
    return clustering_kernel(
        vectors, int(n_clusters), check_seed(seed), runs, size, level=int(level), stage=stage
    )


def clustering_kernel(
    X: Vectors,
    n_clusters: int,
    seed: int,
    stability_runs: int,
    min_size: int,
    *,
    level: int = 0,
    stage: Callable[[str], None] | None = None,
) -> Clustering:
    """Trusting kernel of ``compute_clustering``."""
    hierarchy = None
    index = 0
    sums = None
    if n_clusters == AUTOMATIC:
        hierarchy = hierarchy_kernel(X, seed=seed, min_size=min_size, stage=stage)
        index = min(max(hierarchy.chosen + level, 0), len(hierarchy.levels) - 1)
        raw = hierarchy.levels[index]
    else:
        if stage is not None:
            stage("graph")
        kmeans = kmeans_kernel(X, min(n_clusters, len(X)), seed)
        raw, sums = kmeans.labels, kmeans.sums
    if stage is not None:
        stage("scores")
    stability = None
    if stability_runs:
        stability = _stability(X, raw, n_clusters, seed, stability_runs, min_size)
    result = clustering_from_labels(
        X, raw, n_clusters=n_clusters, seed=seed, stability=stability, sums=sums
    )
    if hierarchy is None:
        return result
    return replace(result, hierarchy=hierarchy, level=index)


def clustering_from_labels(
    X: Vectors,
    raw: npt.NDArray[np.int64],
    *,
    n_clusters: int = AUTOMATIC,
    seed: int = 0,
    stability: npt.NDArray[np.float64] | None = None,
    sums: npt.NDArray[np.float64] | None = None,
) -> Clustering:
    """Groups with scores for given labels ``raw (n,)`` (any whole numbers, -1 for outliers;
    with ``stability``, numbered ``0..k-1``). ``sums (k, d)``, when the caller has them: the
    sum of the rows of each label of ``raw``, numbered ``0..k-1`` without outliers (saves a
    pass over ``X``)."""
    if stability is None:
        numbered = canonical(raw)
        if sums is not None:  # the same sums, under the new numbers
            renumbered = np.empty_like(sums)
            renumbered[numbered] = sums[raw]
            sums = renumbered
        raw = numbered
    groups, labels, image_scores = _groups(X, raw, stability, sums)
    algorithm = "leiden" if n_clusters == AUTOMATIC else "kmeans"
    return Clustering(groups, labels, image_scores, algorithm, n_clusters, seed)


def _labels(X: Vectors, n_clusters: int, seed: int, min_size: int) -> npt.NDArray[np.int64]:
    """Labels ``0..k-1``, with -1 for outliers (automatic mode only)."""
    if n_clusters == AUTOMATIC:
        return hierarchy_kernel(X, seed=seed, min_size=min_size).labels
    return kmeans_kernel(X, min(n_clusters, len(X)), seed).labels


def _stability(
    X: Vectors, raw: npt.NDArray[np.int64], n_clusters: int, seed: int, runs: int, min_size: int
) -> npt.NDArray[np.float64]:
    """Stability of each raw label (outliers, -1, last) across reruns on subsamples."""
    shifted = np.where(raw < 0, raw.max() + 1, raw)
    rng = np.random.default_rng(seed)
    others = []
    for run in range(runs):
        size = max(1, round(_SUBSAMPLE * len(X)))
        indices = np.sort(rng.choice(len(X), size=size, replace=False))
        run_seed = (seed + 7919 * (run + 1)) % 2**31
        others.append((indices, _labels(X[indices], n_clusters, run_seed, min_size)))
    return stability_kernel(shifted, others)


def _groups(
    X: Vectors,
    raw: npt.NDArray[np.int64],
    stability: npt.NDArray[np.float64] | None,
    sums: npt.NDArray[np.float64] | None,
) -> tuple[tuple[Group, ...], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Groups sorted by score (outliers last), final labels and image scores."""
    shifted = np.where(raw < 0, raw.max() + 1, raw)
    k = int(shifted.max()) + 1
    has_outliers = bool((raw < 0).any())
    if sums is None:
        sums = group_sums(X, shifted, k)
    counts = np.bincount(shifted, minlength=k)
    image_scores = dots_with(X, directions(sums), shifted)
    scores = np.array([group_score(sums[g], int(counts[g])) for g in range(k)])
    is_outliers = np.zeros(k, dtype=bool)
    is_outliers[k - 1] = has_outliers
    order = np.lexsort((np.arange(k), scores, is_outliers))
    position = np.empty(k, dtype=np.int64)
    position[order] = np.arange(k)
    by_group = np.lexsort((np.arange(len(X)), -image_scores, position[shifted]))
    bounds = np.searchsorted(position[shifted][by_group], np.arange(k + 1))
    groups = tuple(
        Group(
            members=by_group[bounds[p] : bounds[p + 1]].astype(np.int64),
            score=float(scores[g]),
            is_outliers=bool(is_outliers[g]),
            stability=None if stability is None or np.isnan(stability[g]) else float(stability[g]),
        )
        for p, g in enumerate(order)
    )
    return groups, position[shifted], image_scores
