"""Automatic clustering as nested levels: the grain the data show, with finer and coarser at hand.

One nearest-neighbour graph (see ``communities``) is split top-down:

1. **top**: Leiden communities (modularity, resolution 0.5) of the whole graph;
2. **refinement**: each group is split again by Leiden on its own subgraph, at the same
   resolution. A split is kept only when it is *reproducible*: two reruns with other seeds must
   find it again (mean adjusted Rand index >= ``STABLE_SPLIT``). Modularity on the whole graph
   cannot see small groups beside large ones (its resolution limit); on a group's own subgraph it
   can, and the reproducibility test stops it where a group has no structure of its own (a
   blob splits differently with every seed). Rounds go on until no group splits: that partition
   is the automatic answer (``chosen``), and every group in it is a group in which no finer
   grouping was found;
3. **finer**: every group of the answer split once more without the test (Leiden at 0.5, or at
   1.0, two passes, where 0.5 keeps it whole), for a user who wants more detail;
4. **coarser**: the top partition's groups merged by Leiden on the graph of groups (edge weight =
   the summed weights between two groups, a group's inner weight as a loop), until one group
   remains or nothing merges.

``levels`` runs from finest to coarsest. Every level is a partition of all images (label -1 =
outliers: the members of groups smaller than ``min_size``). Levels are nested: each ordinary
group of a level lies inside one group of every coarser level, except that images set apart as
outliers at a finer level may belong to an ordinary group at a coarser one. Deterministic for a
given seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import igraph  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt

from corpuscope.analysis.communities import (
    GRAPH_DIM,
    canonical,
    leiden_membership,
    mark_outliers,
    neighbour_graph,
)
from corpuscope.analysis.inputs import Vectors, check_count, check_seed, check_vectors
from corpuscope.analysis.neighbours import knn_graph
from corpuscope.analysis.subspace import reduce_unit
from corpuscope.analysis.threads import single_threaded

Labels = npt.NDArray[np.int64]

RESOLUTION = 0.5
FINER_RESOLUTION = 1.0
#: Leiden passes for the finer level's second try at ``FINER_RESOLUTION``: on a group without
#: structure, running to convergence costs about 4x as much for under 0.01 more modularity.
FINER_ITERATIONS = 2
#: Mean adjusted Rand index between reruns above which a split counts as found, not made up.
STABLE_SPLIT = 0.75
#: How much more modular than a Gaussian cloud of its shape a split must be to be kept.
MODULARITY_MARGIN = 0.05
N_NEIGHBORS = 15
_RUNS = 6
#: The highest mean agreement ``_RUNS`` runs can reach when some, not all, keep a group whole:
#: a whole labelling and a split one have an adjusted Rand index of 0, so with t whole runs
#: (0 < t < R) at most C(t,2) + C(R-t,2) of the C(R,2) pairs agree, most when t = 1 or R-1:
#: C(R-1,2) / C(R,2) = (R-2)/R (2/3 for 6 runs).
_WHOLE_RUN_CEILING = (_RUNS - 2) / _RUNS
_MAX_ROUNDS = 8
_MAX_COARSER = 4


@dataclass(frozen=True)
class Hierarchy:
    """``levels``: ``(n,)`` int64 labels per level, finest first (``0..k-1`` by decreasing
    size, -1 = outliers); ``chosen``: the index of the automatic answer in ``levels``."""

    levels: tuple[Labels, ...]
    chosen: int

    @property
    def labels(self) -> Labels:
        """The automatic answer."""
        return self.levels[self.chosen]


def compute_hierarchy(X: npt.ArrayLike, *, seed: int = 0, min_size: int = 5) -> Hierarchy:
    """Nested partitions of ``X (n, d)`` unit rows, the automatic answer among them."""
    return hierarchy_kernel(
        check_vectors(X), seed=check_seed(seed), min_size=check_count(min_size, name="min_size")
    )


def hierarchy_kernel(
    X: Vectors,
    *,
    seed: int,
    min_size: int = 5,
    stage: Callable[[str], None] | None = None,
) -> Hierarchy:
    """Trusting kernel of ``compute_hierarchy``. ``stage(name)`` is called before the stages
    ``"graph"`` and ``"levels"`` (a caller may report progress or raise to stop)."""
    n = len(X)
    if stage is not None:
        stage("graph")
    if n <= min_size:
        return Hierarchy(levels=(np.zeros(n, dtype=np.int64),), chosen=0)
    with single_threaded():
        Y = reduce_unit(X, GRAPH_DIM, seed=seed)
        neighbours, sims = knn_graph(Y, min(N_NEIGHBORS, n - 1), seed=seed)
    graph = neighbour_graph(neighbours, sims)
    if stage is not None:
        stage("levels")
    top = canonical(
        mark_outliers(leiden_membership(graph, resolution=RESOLUTION, seed=seed), min_size)
    )
    first_runs: dict[bytes, Labels] = {}
    refined = _refinements(graph, Y, top, seed, min_size, first_runs)
    chosen = refined[-1]
    finer = _finer(graph, chosen, seed, min_size, first_runs)
    coarser = _coarser(graph, top, seed)
    ordered = [finer, *reversed(refined), top, *coarser]
    levels: list[Labels] = []
    for labels in ordered:
        if not levels or not np.array_equal(levels[-1], labels):
            levels.append(labels)
    chosen_index = next(i for i, labels in enumerate(levels) if np.array_equal(labels, chosen))
    return Hierarchy(levels=tuple(levels), chosen=chosen_index)


def _refinements(
    graph: igraph.Graph,
    Y: Vectors,
    top: Labels,
    seed: int,
    min_size: int,
    first_runs: dict[bytes, Labels],
) -> list[Labels]:
    """Rounds of reproducible splits, from the first refinement to the last (``[top]`` when
    nothing splits); a group that did not split is not tried again."""
    rounds: list[Labels] = []
    current = top
    settled = np.zeros(len(top), dtype=bool)  # per image: its group did not split
    for _ in range(_MAX_ROUNDS):
        labels = current.copy()
        next_label = int(current.max()) + 1
        for group in range(int(current.max()) + 1):
            members = np.flatnonzero(current == group)
            if settled[members[0]]:
                continue
            parts = _stable_split(graph, Y, members, seed, min_size, first_runs)
            if parts is None:
                settled[members] = True
                continue
            for part in range(int(parts.max()) + 1):
                idx = members[parts == part]
                labels[idx] = next_label if len(idx) >= min_size else -1
                next_label += 1
        if np.array_equal(labels, current):
            break
        current = canonical(labels)
        rounds.append(current)
    return rounds or [top]


def _stable_split(
    graph: igraph.Graph,
    Y: Vectors,
    members: Labels,
    seed: int,
    min_size: int,
    first_runs: dict[bytes, Labels],
) -> Labels | None:
    """Parts (``0..p-1``) of a split of ``members`` that holds, or None.

    Leiden runs ``_RUNS`` times with different seeds on the group's subgraph. The split must
    (a) hold across seeds: the runs agree (mean pairwise adjusted Rand index >= ``STABLE_SPLIT``),
    and the run that agrees best with the others is the one kept, so no single seed decides;
    (b) be more than the shape of a blob: its modularity exceeds, by ``MODULARITY_MARGIN``, the
    modularity Leiden finds in a Gaussian cloud of the same size, mean and covariance (a lone
    class of faces splits as reproducibly as two classes do, but no better than its cloud).
    The runs stop as soon as (a) can no longer hold. The first run (the caller's seed) is left in
    ``first_runs`` under the members' bytes, for ``_finer``.
    """
    if len(members) < 2 * min_size:
        return None
    sub = graph.induced_subgraph(members.tolist(), implementation="create_from_scratch")
    runs: list[Labels] = []
    agreement = np.ones((_RUNS, _RUNS))
    for r in range(_RUNS):
        runs.append(leiden_membership(sub, resolution=RESOLUTION, seed=_run_seed(seed, r)))
        if r == 0:
            first_runs[members.tobytes()] = runs[0]
        if runs[r].max() == 0 and _WHOLE_RUN_CEILING < STABLE_SPLIT:
            # One run keeps the group whole: either all do (no split) or the agreement stays
            # under _WHOLE_RUN_CEILING, below the bar.
            return None
        for a in range(r):
            agreement[a, r] = agreement[r, a] = compute_adjusted_rand(runs[a], runs[r])
        if r > 0 and _best_agreement(agreement, r + 1) < STABLE_SPLIT:
            return None
    parts = runs[int(np.argmax(agreement.sum(axis=1)))]
    if parts.max() == 0 or np.bincount(parts).max() > len(members) - min_size:
        return None
    quality = sub.modularity(parts.tolist(), weights="weight")
    if quality < _cloud_modularity(Y[members], seed) + MODULARITY_MARGIN:
        return None
    return parts


def _best_agreement(agreement: npt.NDArray[np.float64], done: int) -> float:
    """The highest mean pairwise agreement the ``_RUNS`` runs can still reach when the first
    ``done`` are known (an unknown pair agrees at most perfectly, 1); exact when all are."""
    pairs = _RUNS * (_RUNS - 1) // 2
    known = agreement[:done, :done][np.triu_indices(done, 1)]
    return float((known.sum() + pairs - len(known)) / pairs)


def compute_adjusted_rand(a: Labels, b: Labels) -> float:
    """Adjusted Rand index of two labellings ``0..p-1`` of the same items (as scikit-learn's
    ``adjusted_rand_score``, without its input checks: this runs thousands of times)."""
    n = len(a)
    joint = np.bincount(a * (int(b.max()) + 1) + b).astype(np.int64)
    both = int((joint * joint).sum())
    rows = int((np.bincount(a).astype(np.int64) ** 2).sum())
    cols = int((np.bincount(b).astype(np.int64) ** 2).sum())
    # counts of ordered pairs: together in both, in a only, in b only, in neither
    tp, fn, fp = both - n, rows - both, cols - both
    tn = n * n - fp - fn - both
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def _run_seed(seed: int, run: int) -> int:
    return (seed + 7919 * run) % 2**31


def _cloud_modularity(Z: Vectors, seed: int) -> float:
    """Modularity of Leiden on the kNN graph of a Gaussian cloud shaped like ``Z``'s rows
    (same count, mean and covariance, rows made unit length again)."""
    cloud = _gaussian_like(Z, len(Z), np.random.default_rng(seed))
    cloud /= np.maximum(np.linalg.norm(cloud, axis=1, keepdims=True), 1e-12)
    with single_threaded():
        neighbours, sims = knn_graph(cloud, min(N_NEIGHBORS, len(Z) - 1), seed=seed)
    null = neighbour_graph(neighbours, sims)
    parts = leiden_membership(null, resolution=RESOLUTION, seed=seed)
    return float(null.modularity(parts.tolist(), weights="weight"))


def _gaussian_like(Z: Vectors, count: int, rng: np.random.Generator) -> Vectors:
    """``count`` samples of the Gaussian with ``Z``'s rows' mean and sample covariance, without
    forming the covariance: random mixes of the centred rows (weights N(0, 1/(m - 1))).

    Drawing the same Gaussian from the SVD of the centred rows is cheaper (m d min(m, d), not
    m^2 d) but draws other clouds: with it LFW's faces split into 3 groups with seed 1 (NMI 0.69
    against 0.96), the split test being that close to its margin there."""
    centred = Z - Z.mean(axis=0)
    mix = rng.standard_normal((count, len(Z))) / np.sqrt(max(len(Z) - 1, 1))
    cloud: Vectors = (Z.mean(axis=0) + mix @ centred).astype(np.float32)
    return cloud


def _finer(
    graph: igraph.Graph, chosen: Labels, seed: int, min_size: int, first_runs: dict[bytes, Labels]
) -> Labels:
    """Each ordinary group of ``chosen`` split once, reproducible or not (the refinement's
    first run of a group, when it made one, is that split at 0.5)."""
    labels = chosen.copy()
    next_label = int(chosen.max()) + 1
    for group in range(int(chosen.max()) + 1):
        members = np.flatnonzero(chosen == group)
        if len(members) < 2 * min_size:
            continue
        parts = first_runs.get(members.tobytes())
        if parts is None or parts.max() == 0:
            sub = graph.induced_subgraph(members.tolist(), implementation="create_from_scratch")
            if parts is None:
                parts = leiden_membership(sub, resolution=RESOLUTION, seed=seed)
            if parts.max() == 0:
                parts = leiden_membership(
                    sub, resolution=FINER_RESOLUTION, seed=seed, iterations=FINER_ITERATIONS
                )
        for part in range(1, int(parts.max()) + 1):
            idx = members[parts == part]
            labels[idx] = next_label if len(idx) >= min_size else -1
            next_label += 1
        first = members[parts == 0]
        if len(first) < min_size:
            labels[first] = -1
    return canonical(labels)


def _coarser(graph: igraph.Graph, top: Labels, seed: int) -> list[Labels]:
    """Successive merges of the top level's groups (outliers stay outliers)."""
    out: list[Labels] = []
    current = top
    edges = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    weights = np.asarray(graph.es["weight"], dtype=np.float64)
    for _ in range(_MAX_COARSER):
        k = int(current.max()) + 1
        if k <= 1:
            break
        merged = leiden_membership(
            _group_graph(edges, weights, current, k), resolution=RESOLUTION, seed=seed
        )
        if merged.max() + 1 >= k:
            break
        labels = np.where(current >= 0, merged[np.maximum(current, 0)], -1)
        current = canonical(labels)
        out.append(current)
    return out


def _group_graph(
    edges: Labels, weights: npt.NDArray[np.float64], labels: Labels, k: int
) -> igraph.Graph:
    """The graph of groups: summed weights between groups, inner weights as loops."""
    a, b = labels[edges[:, 0]], labels[edges[:, 1]]
    keep = (a >= 0) & (b >= 0)
    lo, hi = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
    key = lo * k + hi
    unique, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=weights[keep], minlength=len(unique))
    graph = igraph.Graph(n=k, edges=np.column_stack((unique // k, unique % k)).tolist())
    graph.es["weight"] = summed.tolist()
    return graph
