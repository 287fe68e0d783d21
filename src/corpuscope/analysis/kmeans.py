"""k-means over unit vectors: greedy k-means++ seeding, Lloyd iterations on a sample, exact
final assignment.

Training uses a random sample of at most ``256 * k`` points (as faiss does): scikit-learn's greedy
k-means++ seeds it (2 + ln k candidates per centre; one BLAS thread, ~5x faster here), then
Lloyd iterations run with numpy's BLAS (about 2x faster here than the one bundled with
faiss-cpu) until no label changes. The best of ``n_init`` runs is kept, every point is assigned
to its nearest centre and the centres become the means of their members. At k = 100 on
100,000 x 512 this beats faiss with random seeding (the reference tool) and with plain
k-means++ on both inertia and ARI; see bench/cluster_speed.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.cluster import kmeans_plusplus
from sklearn.utils.validation import check_array

from corpuscope.analysis.centroids import group_sums
from corpuscope.analysis.inputs import Vectors, check_count, check_seed, check_vectors
from corpuscope.analysis.threads import single_threaded

_BLOCK = 16_384
_SAMPLE_PER_CENTRE = 256


@dataclass(frozen=True)
class KMeansResult:
    """``labels (n,)`` int64 in ``0..k-1``; ``centers (k, d)`` float32 member means (not unit
    length); ``inertia``: sum of squared distances of the points to their centre."""

    labels: npt.NDArray[np.int64]
    centers: npt.NDArray[np.float32]
    inertia: float
    sums: npt.NDArray[np.float64]  # (k, d) float64 sum of each cluster's rows


def compute_kmeans(
    X: npt.ArrayLike,
    n_clusters: int,
    *,
    seed: int = 0,
    n_init: int = 1,
    n_iter: int = 25,
) -> KMeansResult:
    """Cluster ``X (n, d)`` unit rows into at most ``n_clusters`` groups.

    Fewer groups come back when ``X`` has fewer distinct rows than ``n_clusters`` (the centres
    of empty clusters are dropped and labels renumbered), so ``len(centers)`` is the real k.
    Deterministic for a given ``seed``.
    """
    vectors = check_vectors(X)
    k = check_count(n_clusters, name="n_clusters")
    runs = check_count(n_init, name="n_init")
    iterations = check_count(n_iter, name="n_iter")
    return kmeans_kernel(vectors, min(k, len(vectors)), check_seed(seed), runs, iterations)


def prepare_kmeans() -> None:
    """Pay here what a process's first k-means spends once in scikit-learn's input checks
    (about 80 ms discovering dataframe libraries). No computation and no BLAS call: a
    background thread may call it while requests run."""
    check_array(np.zeros((2, 2), dtype=np.float32))


def kmeans_kernel(X: Vectors, k: int, seed: int, n_init: int = 1, n_iter: int = 25) -> KMeansResult:
    """Trusting kernel of ``compute_kmeans``: ``1 <= k <= len(X)``."""
    if k == 1:
        centers = X.mean(axis=0, keepdims=True, dtype=np.float64).astype(np.float32)
    else:
        centers = _train(X, k, seed, n_init, n_iter)
    labels, _ = assign_nearest(X, centers)
    return _finish(X, labels)


def _train(X: Vectors, k: int, seed: int, n_init: int, n_iter: int) -> Vectors:
    """Best (lowest objective on the sample) of ``n_init`` seeded runs on a sample."""
    rng = np.random.default_rng(seed)
    sample = (
        X
        if len(X) <= _SAMPLE_PER_CENTRE * k
        else X[np.sort(rng.choice(len(X), _SAMPLE_PER_CENTRE * k, replace=False))]
    )
    best: tuple[float, Vectors] | None = None
    for run in range(n_init):
        state = (seed + 104_729 * run) % 2**31
        with single_threaded():
            init, _ = kmeans_plusplus(sample, k, random_state=state)
        centers, objective = _lloyd(sample, np.asarray(init, dtype=np.float32), n_iter)
        if best is None or objective < best[0]:
            best = (objective, centers)
    assert best is not None
    return best[1]


def _lloyd(X: Vectors, centers: Vectors, n_iter: int) -> tuple[Vectors, float]:
    """Lloyd iterations until no label changes (at most ``n_iter``); empty clusters keep
    their centre. Returns the centres and the objective of the last assignment."""
    labels = np.full(len(X), -1, dtype=np.int64)
    dist = np.zeros(len(X), dtype=np.float32)
    for _ in range(n_iter):
        new_labels, dist = assign_nearest(X, centers)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        counts = np.bincount(labels, minlength=len(centers))
        means = group_sums(X, labels, len(centers)) / np.maximum(counts, 1)[:, None]
        centers = np.where(counts[:, None] > 0, means, centers).astype(np.float32)
    return centers, float(dist.sum(dtype=np.float64))


def assign_nearest(
    X: Vectors, centers: Vectors
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Index of the nearest centre (Euclidean) of each row, and the squared distance to it."""
    labels = np.empty(len(X), dtype=np.int64)
    dist = np.empty(len(X), dtype=np.float32)
    half_norms = 0.5 * np.einsum("ij,ij->i", centers, centers)
    for start in range(0, len(X), _BLOCK):
        block = X[start : start + _BLOCK]
        # ||x - c||^2 = ||x||^2 - 2 (x.c - ||c||^2 / 2): maximise x.c - ||c||^2 / 2.
        score = block @ centers.T
        score -= half_norms
        best = score.argmax(axis=1)
        labels[start : start + len(block)] = best
        sq = np.einsum("ij,ij->i", block, block) - 2.0 * score[np.arange(len(block)), best]
        dist[start : start + len(block)] = np.maximum(sq, 0.0)
    return labels, dist


def _finish(X: Vectors, labels: npt.NDArray[np.int64]) -> KMeansResult:
    """Renumber non-empty clusters ``0..k-1`` by first appearance, recompute means and inertia."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    new_labels = rank[inverse].astype(np.int64)
    sums = group_sums(X, new_labels, len(order))
    counts = np.bincount(new_labels, minlength=len(order))
    centers = (sums / counts[:, None]).astype(np.float32)
    inertia = _inertia(X, centers, new_labels)
    return KMeansResult(labels=new_labels, centers=centers, inertia=inertia, sums=sums)


def _inertia(X: Vectors, centers: Vectors, labels: npt.NDArray[np.int64]) -> float:
    """Sum of squared distances of the rows to their centre, a block of rows at a time."""
    total = 0.0
    for start in range(0, len(X), _BLOCK):
        diff = np.asarray(X[start : start + _BLOCK]) - centers[labels[start : start + _BLOCK]]
        total += float(np.einsum("ij,ij->", diff, diff, dtype=np.float64))
    return total
