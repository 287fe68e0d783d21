"""Images to add to a group: non-members ranked by similarity to the group.

The plain mean vector of a group with several modes (say, red cars and blue boats) points
between them and recommends images like neither. Here the score of a candidate ``x`` is

    score = 0.5 * cos(x, centre direction) + 0.5 * max_j cos(x, mode_j)

where the modes are the members themselves (up to 16 members) or the directions of 16 k-means
centres of the members (larger groups, which keeps a query over 100,000 x 512 vectors at tens of
milliseconds). The nearest-mode term finds images close to any part of the group; the centre
term keeps an odd member from pulling in its own neighbourhood alone. Members and refused
images are never returned.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.centroids import directions
from corpuscope.analysis.inputs import (
    Vectors,
    check_count,
    check_fraction,
    check_indices,
    check_vectors,
)
from corpuscope.analysis.kmeans import kmeans_kernel
from corpuscope.analysis.similarity import Ranking, rank_candidates, rank_scores
from corpuscope.analysis.threads import single_threaded
from corpuscope.analysis.vector_index import (
    VectorIndex,
    sample_spread,
    search_above,
    search_candidates,
)

MAX_MODES = 16
CENTRE_WEIGHT = 0.5
#: At most this many more candidates from the range search of a large set (a group spread over
#: the whole corpus has a low cut, which many rows reach).
_MOST_EXTRA = 20_000
#: Candidate rows are gathered and scored this many at a time: a buffer of a few megabytes,
#: reused from call to call, where gathering all of them (about 24,000 rows at a million
#: images, 120 MB at 1280-d) took fresh memory from the system each time.
_GATHER_ROWS = 2048


def compute_recommendations(
    X: npt.ArrayLike,
    members: npt.ArrayLike,
    *,
    refused: npt.ArrayLike = (),
    top_n: int = 50,
    offset: int = 0,
    min_score: float | None = None,
    seed: int = 0,
    index: VectorIndex | None = None,
) -> Ranking:
    """Rows of ``X (n, d)`` outside ``members`` and ``refused`` (index arrays), best first.

    ``Ranking.scores`` are the blended scores above, in [-1, 1]; ranks ``offset`` onwards.
    Rows that cannot reach the requested ranks are never scored exactly (see
    ``recommendation_scores``), so ``z_scores`` use their upper bounds: an approximation.
    ``index``: an index over the rows of ``X``, to score only its candidates.
    """
    vectors = check_vectors(X)
    group = check_indices(members, n=len(vectors), name="members", allow_empty=False)
    skip = np.union1d(group, check_indices(refused, n=len(vectors), name="refused"))
    n = check_count(top_n, name="top_n")
    start = check_count(offset, name="offset", minimum=0)
    floor = None if min_score is None else check_fraction(min_score, name="min_score")
    if index is not None:
        return _rank_from_index(vectors, group, skip, index, (n, start, floor), seed=seed)
    scores = recommendation_scores(
        vectors, group, seed=seed, needed=start + n + len(skip), floor=floor
    )
    return rank_scores(scores, n, start, floor, skip)


def _rank_from_index(
    X: Vectors,
    group: npt.NDArray[np.int64],
    skip: npt.NDArray[np.int64],
    index: VectorIndex,
    window: tuple[int, int, float | None],
    *,
    seed: int,
) -> Ranking:
    """The ranking among the index's nearest rows to the centre and to each mode."""
    top_n, offset, floor = window
    members = X[group]
    centre = directions(members.sum(axis=0, dtype=np.float64)[None, :])[0]
    queries = np.vstack([centre, group_modes(members, seed=seed)]).astype(np.float32)
    rows = search_candidates(index, queries, offset + top_n + len(skip))
    scores = _blend_of(X, rows, queries)
    # A row scoring at least the cut has its centre or one mode similarity at least the cut
    # (the score is their mean): all of them come from one range search at the cut.
    cut = _cut(scores[~np.isin(rows, skip)], offset + top_n, floor)
    if cut is not None:
        more = np.setdiff1d(search_above(index, queries, cut, most=_MOST_EXTRA), rows)
        rows = np.concatenate([rows, more])
        scores = np.concatenate([scores, _blend_of(X, more, queries)])
        order = np.argsort(rows)
        rows, scores = rows[order], scores[order]
    spread = sample_spread(_blend_rows(index.sample, queries))
    total = None if floor is not None else len(X) - len(skip)
    return rank_candidates(rows, scores, top_n, offset, floor, skip, spread=spread, total=total)


def _cut(scores: npt.NDArray[np.float32], want: int, floor: float | None) -> float | None:
    """The lowest score the ranks asked for can have, as far as ``scores`` tell (None: any)."""
    if len(scores) >= want:
        kth = float(np.partition(scores, len(scores) - want)[len(scores) - want])
        return kth if floor is None else max(kth, floor)
    return floor


def recommendation_scores(
    X: Vectors,
    members: npt.NDArray[np.int64],
    *,
    seed: int = 0,
    needed: int | None = None,
    floor: float | None = None,
) -> npt.NDArray[np.float32]:
    """``(n,)`` blended score of every row of ``X`` for the group ``members``.

    With ``needed`` (and optionally ``floor``), only rows that can still reach the ``needed``
    best scores (or ``floor``) get their exact score; the others get an upper bound, which is
    below every exact score that matters. The bound: writing mode ``j`` as
    ``a_j * centre + b_j * r_j`` (``r_j`` a unit vector orthogonal to the centre),
    ``cos(x, mode_j) <= a_j * c + b_j * sqrt(1 - c^2)`` where ``c = cos(x, centre)``.
    """
    centre = directions(X[members].sum(axis=0, dtype=np.float64)[None, :])[0]
    modes = group_modes(X[members], seed=seed)
    c = X @ centre
    if needed is None:
        return _exact(X, c, modes, np.arange(len(X)))
    bound = _upper_bounds(c, modes @ centre)
    scores = bound.copy()
    exact = np.zeros(len(X), dtype=bool)
    count = max(2048, 8 * needed)
    while True:
        rows = _best_first(bound, count)
        fresh = rows[~exact[rows]]
        scores[fresh] = _exact(X, c, modes, fresh)
        exact[fresh] = True
        if count >= len(X):
            return scores
        top = scores[rows]
        cut = (
            np.partition(top, len(top) - needed)[len(top) - needed]
            if len(top) >= needed
            else -np.inf
        )
        if floor is not None:
            cut = min(cut, floor)
        if bound[~exact].max() < cut:
            return scores
        count *= 4


def _exact(
    X: Vectors, c: npt.NDArray[np.float32], modes: Vectors, rows: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    return _blend(c[rows], X[rows] @ modes.T)


def _blend(
    c: npt.NDArray[np.float32], to_modes: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Blended scores from rows' centre similarities ``c`` and mode similarities ``(m, modes)``."""
    nearest = to_modes.max(axis=1) if len(to_modes) else np.empty(0, np.float32)
    out: npt.NDArray[np.float32] = (CENTRE_WEIGHT * c + (1.0 - CENTRE_WEIGHT) * nearest).astype(
        np.float32
    )
    return out


def _blend_rows(rows: Vectors, queries: Vectors) -> npt.NDArray[np.float32]:
    """Blended scores of ``rows (m, d)`` for ``queries``: the centre, then the modes (one
    product for all of them: each row is read once)."""
    sims = rows @ queries.T
    return _blend(sims[:, 0], sims[:, 1:])


def _blend_of(X: Vectors, rows: npt.NDArray[np.int64], queries: Vectors) -> npt.NDArray[np.float32]:
    """``_blend_rows`` of the rows ``rows`` of ``X``, gathered ``_GATHER_ROWS`` at a time."""
    out = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), _GATHER_ROWS):
        part = rows[start : start + _GATHER_ROWS]
        out[start : start + len(part)] = _blend_rows(X[part], queries)
    return out


def _upper_bounds(
    c: npt.NDArray[np.float32], along: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Upper bound of each row's score from its centre similarity ``c`` alone."""
    across = np.sqrt(np.clip(1.0 - along**2, 0.0, None))
    side = np.sqrt(np.clip(1.0 - c**2, 0.0, None))
    nearest = np.max(np.outer(c, along) + np.outer(side, across), axis=1)
    bound = CENTRE_WEIGHT * c + (1.0 - CENTRE_WEIGHT) * np.minimum(nearest, 1.0)
    out: npt.NDArray[np.float32] = (bound + 1e-5).astype(np.float32)  # rounding margin
    return out


def _best_first(values: npt.NDArray[np.float32], count: int) -> npt.NDArray[np.int64]:
    """Indices of the ``count`` largest values, largest first (all of them if fewer)."""
    if count >= len(values):
        return np.argsort(-values, kind="stable")
    top = np.argpartition(-values, count - 1)[:count]
    out: npt.NDArray[np.int64] = top[np.argsort(-values[top], kind="stable")]
    return out


def group_modes(members: Vectors, *, seed: int = 0) -> Vectors:
    """``(<= MAX_MODES, d)`` unit vectors standing for the group: its members, or the
    directions of k-means centres when there are more than ``MAX_MODES``."""
    if len(members) <= MAX_MODES:
        return members
    with single_threaded():  # small products: one thread is faster on a shared machine
        result = kmeans_kernel(members, MAX_MODES, seed, n_init=1)
    return directions(result.centers.astype(np.float64))
