"""Images most similar to one or several query vectors: images, or a text vector.

Every result carries two scores:

- ``scores``: the raw cosine similarity (for several queries, the mean of the cosines), the
  number to threshold on with ``min_score``;
- ``z_scores``: how many standard deviations the raw score lies above the corpus average for
  this query. Raw text-to-image cosines of CLIP-like models bunch up between ~0.2 and ~0.35, and
  min-max or softmax rescalings push every top result to 1; the z-score keeps growing with the
  match, is comparable between queries, and needs nothing but the corpus.

Given a :class:`~corpuscope.analysis.vector_index.VectorIndex` (large sets), only the index's
candidates are scored, exactly; the z-scores then use the index's sample of rows for the corpus
average and spread, and ``total`` counts the candidates when ``min_score`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.inputs import (
    check_count,
    check_fraction,
    check_indices,
    check_query,
    check_vectors,
)
from corpuscope.analysis.vector_index import VectorIndex, sample_spread, search_candidates


@dataclass(frozen=True)
class Ranking:
    """``indices (k,)`` int64 into X, best first; ``scores (k,)`` float32 raw scores;
    ``z_scores (k,)`` float32 standard scores against the whole corpus; ``total``: how many
    images qualified (before ``top_n`` / ``offset``), for "load more"."""

    indices: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float32]
    z_scores: npt.NDArray[np.float32]
    total: int


def compute_similar(
    X: npt.ArrayLike,
    queries: npt.ArrayLike,
    *,
    top_n: int = 50,
    offset: int = 0,
    min_score: float | None = None,
    exclude: npt.ArrayLike = (),
    index: VectorIndex | None = None,
) -> Ranking:
    """Rows of ``X (n, d)`` ranked by mean cosine similarity to ``queries`` (``(d,)`` or ``(q, d)``
    unit vectors: image vectors, or a text vector from the same model's text tower).

    ``exclude``: row indices never returned (e.g. the query images themselves). ``index``: an
    index over the rows of ``X``, to score only its candidates (see the module's notes).
    """
    vectors = check_vectors(X)
    q = check_query(queries, d=vectors.shape[1])
    skip = check_indices(exclude, n=len(vectors), name="exclude")
    n, start = _window(top_n, offset)
    floor = None if min_score is None else check_fraction(min_score, name="min_score")
    query = q.mean(axis=0, dtype=np.float32)
    if index is None:
        return rank_scores(vectors @ query, n, start, floor, skip)
    rows = search_candidates(index, query[None, :], start + n + len(skip))
    mean, std = sample_spread(index.sample @ query)
    total = None if floor is not None else len(vectors) - len(skip)
    return rank_candidates(
        rows, vectors[rows] @ query, n, start, floor, skip, spread=(mean, std), total=total
    )


def compute_text_search(
    X: npt.ArrayLike,
    text_vector: npt.ArrayLike,
    *,
    top_n: int = 50,
    offset: int = 0,
    min_score: float | None = None,
    index: VectorIndex | None = None,
) -> Ranking:
    """Rows of ``X (n, d)`` ranked by cosine similarity to one text vector ``(d,)``."""
    return compute_similar(
        X, text_vector, top_n=top_n, offset=offset, min_score=min_score, index=index
    )


def _window(top_n: int, offset: int) -> tuple[int, int]:
    return check_count(top_n, name="top_n"), check_count(offset, name="offset", minimum=0)


def rank_scores(
    scores: npt.NDArray[np.float32],
    top_n: int,
    offset: int,
    min_score: float | None,
    exclude: npt.NDArray[np.int64],
) -> Ranking:
    """Ranking of ``scores (n,)``: rows in ``exclude`` or below ``min_score`` dropped, then
    ranks ``offset .. offset + top_n - 1`` (ties: lower index first)."""
    eligible = np.ones(len(scores), dtype=bool)
    eligible[exclude] = False
    if min_score is not None:
        eligible &= scores >= min_score
    candidates = np.flatnonzero(eligible)
    spread = float(scores.mean(dtype=np.float64)), float(scores.std(dtype=np.float64))
    return _ranking(candidates, scores[candidates], top_n, offset, spread, len(candidates))


def rank_candidates(
    rows: npt.NDArray[np.int64],
    values: npt.NDArray[np.float32],
    top_n: int,
    offset: int,
    min_score: float | None,
    exclude: npt.NDArray[np.int64],
    *,
    spread: tuple[float, float],
    total: int | None,
) -> Ranking:
    """Like :func:`rank_scores` for the scores ``values`` of some rows only (sorted ``rows``):
    z-scores from ``spread`` (the corpus mean and standard deviation), and ``total`` (None: the
    qualifying candidates) for "load more"."""
    keep = ~np.isin(rows, exclude)
    if min_score is not None:
        keep &= values >= min_score
    rows, values = rows[keep], values[keep]
    return _ranking(rows, values, top_n, offset, spread, len(rows) if total is None else total)


def _ranking(
    candidates: npt.NDArray[np.int64],
    values: npt.NDArray[np.float32],
    top_n: int,
    offset: int,
    spread: tuple[float, float],
    total: int,
) -> Ranking:
    """Ranks ``offset .. offset + top_n - 1`` of the eligible sorted ``candidates``."""
    mean, std = spread
    want = min(offset + top_n, len(candidates))
    if 0 < want < len(candidates):
        kth = np.partition(values, len(values) - want)[len(values) - want]
        keep = values >= kth  # all ties at the cut stay, so the lower index wins below
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))[offset:want]
    picked = candidates[order].astype(np.int64)
    chosen = values[order]
    z = (chosen - mean) / std if std > 0 else np.zeros(len(picked))
    return Ranking(
        indices=picked,
        scores=chosen.astype(np.float32),
        z_scores=np.asarray(z, dtype=np.float32),
        total=total,
    )
