"""Speed of corpuscope.analysis on synthetic clustered unit vectors, next to plain baselines.

Every baseline is measured in the same run, so the ratios hold on a noisy shared machine even
when the absolute times drift. Targets (100,000 x 512, 2 cores): k-means k=10 < 2 s, automatic
k < 15 s, duplicates >= 10x faster than the exact scan with the same groups, a recommendation
query < 100 ms.

    .venv/bin/python bench/cluster_speed.py            # 100,000 x 512 (the exact scan: minutes)
    .venv/bin/python bench/cluster_speed.py --n 10000  # quick check
    .venv/bin/python bench/cluster_speed.py --only auto  # the automatic mode and its baseline
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from corpuscope.analysis import clustering, duplicates
from corpuscope.analysis.clustering import compute_clustering
from corpuscope.analysis.communities import communities_kernel
from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD, compute_duplicates
from corpuscope.analysis.kmeans import compute_kmeans
from corpuscope.analysis.levels import Hierarchy
from corpuscope.analysis.neighbours import top_k
from corpuscope.analysis.projection import compute_map
from corpuscope.analysis.recommend import compute_recommendations

ROWS: list[tuple[str, str, str, str, str]] = []
BENCHES = ("kmeans", "auto", "duplicates", "recommend", "map", "init")


def synthetic(
    n: int, d: int, k: int, seed: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64], int]:
    """``k`` clusters (10 families of related centres, Zipf-like sizes, varied spreads), then 2 %
    of the rows replaced by near copies (cosine ~0.95) of other rows. Returns X, labels, copies."""
    rng = np.random.default_rng(seed)
    family = _unit(rng.standard_normal((10, d)))
    centres = _unit(0.6 * family[np.arange(k) % 10] + 0.8 * _unit(rng.standard_normal((k, d))))
    weights = np.minimum(rng.zipf(1.5, k), 20).astype(float)
    weights = 0.5 * weights / weights.sum() + 0.5 / k
    labels = rng.choice(k, size=n, p=weights / weights.sum())
    spread = rng.uniform(0.6, 1.2, size=k).astype(np.float32)
    noise = rng.standard_normal((n, d), dtype=np.float32) * (spread[labels, None] / np.sqrt(d))
    X = _unit(centres[labels] + noise)
    copies = n // 50
    src = rng.choice(n, copies, replace=False)
    dst = rng.choice(np.setdiff1d(np.arange(n), src), copies, replace=False)
    X[dst] = _unit(X[src] + rng.standard_normal((copies, d), dtype=np.float32) * (0.3 / np.sqrt(d)))
    labels[dst] = labels[src]
    return X, labels.astype(np.int64), copies


def _unit(a: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    return (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def row(task: str, ours: float | None, base: float | None, base_name: str, note: str = "") -> None:
    ratio = f"{base / ours:.1f}x" if ours and base else "-"
    ROWS.append(
        (task, _fmt(ours), f"{_fmt(base)} ({base_name})" if base_name else "-", ratio, note)
    )
    print(
        f"  {task}: ours {_fmt(ours)}, {base_name or 'no baseline'} {_fmt(base)} {note}", flush=True
    )


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def bench_kmeans(X: npt.NDArray[np.float32], truth: npt.NDArray[np.int64], k_true: int) -> None:
    for k in (10, k_true):
        ours_t, ours = timed(lambda k=k: compute_kmeans(X, k, seed=0))
        sk_t, sk = timed(lambda k=k: KMeans(n_clusters=k, random_state=0).fit(X))
        note = f"inertia {ours.inertia:.0f} vs {sk.inertia_:.0f}"
        if k == k_true:
            note += f"; ARI vs truth {adjusted_rand_score(truth, ours.labels):.3f} vs {adjusted_rand_score(truth, sk.labels_):.3f}"
        row(f"k-means k={k}", ours_t, sk_t, "scikit-learn KMeans", note)


def bench_init(X: npt.NDArray[np.float32], truth: npt.NDArray[np.int64], k: int) -> None:
    """Seeding compared at the true k: faiss random (the reference tool), faiss k-means++,
    faiss AFK-MC2, faiss best of 3, and ours; 3 seeds each, all training on 256 points per
    centre; inertia and ARI over all points."""
    print(f"\n  k-means seeding at k={k} (3 seeds; time includes the final assignment)")
    faiss_methods = {
        "faiss random (reference tool)": (faiss.ClusteringInitMethod_RANDOM, 1),
        "faiss k-means++": (faiss.ClusteringInitMethod_KMEANS_PLUS_PLUS, 1),
        "faiss AFK-MC2": (faiss.ClusteringInitMethod_AFK_MC2, 1),
        "faiss random, best of 3": (faiss.ClusteringInitMethod_RANDOM, 3),
    }
    for name, (init, redo) in faiss_methods.items():

        def run(seed: int, init: int = init, redo: int = redo) -> npt.NDArray[np.int64]:
            km = faiss.Kmeans(X.shape[1], k, niter=25, nredo=redo, seed=seed, init_method=init)
            km.train(X)
            return np.asarray(km.index.search(X, 1)[1].ravel(), dtype=np.int64)

        _report_init(name, X, truth, run)
    _report_init(
        "ours: greedy k-means++ + Lloyd",
        X,
        truth,
        lambda seed: compute_kmeans(X, k, seed=seed).labels,
    )


def _report_init(
    name: str,
    X: npt.NDArray[np.float32],
    truth: npt.NDArray[np.int64],
    run: Callable[[int], npt.NDArray[np.int64]],
) -> None:
    results = []
    for seed in range(1, 4):
        elapsed, labels = timed(lambda seed=seed: run(seed))
        means = np.stack([X[labels == c].mean(axis=0) for c in np.unique(labels)])
        _, inverse = np.unique(labels, return_inverse=True)
        inertia = float(((X - means[inverse]) ** 2).sum())
        results.append((elapsed, inertia, adjusted_rand_score(truth, labels)))
    r = np.array(results)
    print(
        f"    {name:34s} {r[:, 0].mean():5.2f} s  inertia {r[:, 1].mean():9.0f} ± {r[:, 1].std():5.0f}"
        f"  ARI {r[:, 2].mean():.3f} ± {r[:, 2].std():.3f}",
        flush=True,
    )


def bench_auto(X: npt.NDArray[np.float32], truth: npt.NDArray[np.int64]) -> None:
    """The automatic mode (nested levels) against the previous one (a single Leiden pass at 0.5
    on the same graph, scored the same way), and HDBSCAN up to 10,000 images."""
    ours_t, result = timed(lambda: compute_clustering(X, n_clusters=-1, seed=0))
    base_t, previous = timed(_single_pass(X))
    note = (
        f"{_groups_note(result, truth)} (levels: "
        f"{[int(labels.max()) + 1 for labels in result.hierarchy.levels]}, "
        f"answer {result.hierarchy.chosen}); previous {_groups_note(previous, truth)}"
    )
    row("automatic k (levels)", ours_t, base_t, "previous automatic: one Leiden pass", note)
    if len(X) <= 10_000:
        from sklearn.cluster import HDBSCAN

        hdb_t, labels = timed(lambda: HDBSCAN(min_cluster_size=5, copy=True).fit_predict(X))
        note = f"HDBSCAN ARI {adjusted_rand_score(truth, labels):.3f}"
        row("automatic k (levels)", ours_t, hdb_t, "HDBSCAN raw 512-d", note)


def _single_pass(X: npt.NDArray[np.float32]) -> Callable[[], Any]:
    """``compute_clustering(-1)`` as it was before the levels: one Leiden pass (the clustering
    module's hierarchy kernel patched for the run)."""

    def one_level(X: Any, *, seed: int, min_size: int = 5, stage: Any = None) -> Hierarchy:
        labels = communities_kernel(X, seed=seed, min_size=min_size).labels
        return Hierarchy(levels=(labels,), chosen=0)

    def run() -> Any:
        kernel = clustering.hierarchy_kernel
        clustering.hierarchy_kernel = one_level
        try:
            return compute_clustering(X, n_clusters=-1, seed=0)
        finally:
            clustering.hierarchy_kernel = kernel

    return run


def _groups_note(result: Any, truth: npt.NDArray[np.int64]) -> str:
    outliers = sum(len(g.members) for g in result.groups if g.is_outliers)
    ari = adjusted_rand_score(truth, result.labels)
    return f"{len(result.groups)} groups ({outliers} outliers), ARI vs truth {ari:.3f}"


def bench_duplicates(X: npt.NDArray[np.float32], threshold: float, planted: int) -> None:
    ours_t, ours = timed(lambda: compute_duplicates(X, threshold=threshold))
    fast_nearest = duplicates.nearest_rows
    # the baseline: the same decision over the exact scan of all pairs for the neighbours
    duplicates.nearest_rows = partial(fast_nearest, exact_limit=len(X) + 1)
    try:
        base_t, exact = timed(lambda: compute_duplicates(X, threshold=threshold))
    finally:
        duplicates.nearest_rows = fast_nearest
    same = {frozenset(g.tolist()) for g in ours.groups} == {
        frozenset(g.tolist()) for g in exact.groups
    }
    in_groups = sum(len(g) for g in ours.groups)
    note = f"{len(ours.groups)} groups, {in_groups} images ({planted} planted copies); same groups as the exact scan: {same}"
    row(f"duplicates score >= {threshold}", ours_t, base_t, "exact all-pairs numpy scan", note)


def bench_recommend(X: npt.NDArray[np.float32], truth: npt.NDArray[np.int64]) -> None:
    rng = np.random.default_rng(0)
    for size in (50, 1000):
        pool = [np.flatnonzero(truth == c) for c in (0, 1)]
        group = np.concatenate([rng.choice(p, min(len(p), size // 2), replace=False) for p in pool])
        ours_t, _ = timed(lambda group=group: compute_recommendations(X, group, top_n=50), repeat=5)

        def plain(group: npt.NDArray[np.int64] = group) -> npt.NDArray[np.int64]:
            scores = X @ X[group].mean(axis=0)
            scores[group] = -np.inf
            return np.argpartition(-scores, 50)[:50]

        base_t, _ = timed(plain, repeat=5)
        row(f"recommendation, group of {size}", ours_t, base_t, "plain mean vector", "best of 5")


def bench_map(X: npt.NDArray[np.float32], with_umap: bool) -> None:
    ours_t, ours = timed(lambda: compute_map(X, seed=0))
    note = f"kNN-10 kept {knn_kept(X, ours.coords):.3f}"
    base_t = None
    if with_umap:
        try:
            import umap
        except ImportError:
            note += "; umap-learn not installed"
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                base_t, coords = timed(lambda: umap.UMAP(random_state=0).fit_transform(X))
            note += f" vs umap {knn_kept(X, coords):.3f} (umap time includes numba compilation)"
    else:
        note += "; umap-learn skipped (--no-umap)"
    row("2-D map", ours_t, base_t, "umap-learn defaults" if base_t else "", note)


def knn_kept(
    X: npt.NDArray[np.float32], coords: npt.NDArray[Any], k: int = 10, sample: int = 1000
) -> float:
    """Mean fraction of each sampled image's 10 nearest neighbours that stay among its 10
    nearest on the map."""
    rows = np.random.default_rng(0).choice(len(X), min(sample, len(X)), replace=False)
    high, _ = top_k(X[rows], X, k + 1)
    flat = np.asarray(coords, dtype=np.float64)
    d2 = ((flat[rows, None, :] - flat[None, :, :]) ** 2).sum(axis=-1)
    low = np.argsort(d2, axis=1)[:, : k + 1]
    return float(
        np.mean([len(set(a[1:]) & set(b[1:])) / k for a, b in zip(high, low, strict=True)])
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--d", type=int, default=512)
    parser.add_argument("--k", type=int, default=100, help="true number of clusters")
    parser.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD, help="duplicate score threshold"
    )
    parser.add_argument("--no-umap", action="store_true", help="skip the umap-learn baseline")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHES), help="run only these rows (default: all)"
    )
    args = parser.parse_args()
    X, truth, planted = synthetic(args.n, args.d, args.k, seed=0)
    print(
        f"{args.n} x {args.d} unit vectors, {args.k} clusters, {faiss.omp_get_max_threads()} threads"
    )
    chosen = set(args.only or BENCHES)
    if "kmeans" in chosen:
        bench_kmeans(X, truth, args.k)
    if "auto" in chosen:
        bench_auto(X, truth)
    if "duplicates" in chosen:
        bench_duplicates(X, args.threshold, planted)
    if "recommend" in chosen:
        bench_recommend(X, truth)
    if "map" in chosen:
        bench_map(X, not args.no_umap)
    if "init" in chosen:
        bench_init(X, truth, args.k)
    print("\n| task | ours | baseline | speed-up | notes |\n| --- | --- | --- | --- | --- |")
    for task, ours, base, ratio, note in ROWS:
        print(f"| {task} | {ours} | {base} | {ratio} | {note} |")


if __name__ == "__main__":
    main()
