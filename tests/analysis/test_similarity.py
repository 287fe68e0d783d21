from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis.similarity import compute_similar, compute_text_search, rank_scores
from corpuscope.errors import InvalidInput

from .conftest import blobs, unit_rows


def test_hand_computed_ranking() -> None:
    X = np.array([[1, 0], [0.8, 0.6], [0, 1], [-1, 0]], dtype=np.float32)
    result = compute_similar(X, np.array([1.0, 0.0]), top_n=3)
    assert result.indices.tolist() == [0, 1, 2]
    np.testing.assert_allclose(result.scores, [1.0, 0.8, 0.0], atol=1e-6)
    scores = np.array([1.0, 0.8, 0.0, -1.0])
    np.testing.assert_allclose(
        result.z_scores, (scores[:3] - scores.mean()) / scores.std(), rtol=1e-5
    )
    assert result.total == 4


def test_several_queries_use_the_mean_cosine() -> None:
    X = np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    result = compute_similar(X, np.array([[1, 0], [0, 1]], dtype=np.float32), top_n=3)
    assert result.indices[0] == 2
    assert result.scores[0] == pytest.approx(0.7, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
def test_paging_and_exclusion_match_a_full_sort(seed: int) -> None:
    X, _ = blobs(500, 4, seed=seed)
    query = X[0]
    full = np.argsort(-(X @ query), kind="stable")
    full = full[full != 0]
    first = compute_similar(X, query, top_n=10, exclude=[0])
    second = compute_similar(X, query, top_n=10, offset=10, exclude=[0])
    assert np.concatenate([first.indices, second.indices]).tolist() == full[:20].tolist()
    assert first.total == 499


def test_min_score_and_ties_prefer_the_lower_index() -> None:
    X = np.array([[1, 0], [0, 1], [1, 0], [1, 0]], dtype=np.float32)
    result = compute_similar(X, np.array([1.0, 0.0]), top_n=2, min_score=0.5)
    assert result.indices.tolist() == [0, 2]
    assert result.total == 3
    assert compute_similar(X, np.array([1.0, 0.0]), top_n=5, offset=10).indices.tolist() == []


def test_text_search_and_non_saturating_scores() -> None:
    rng = np.random.default_rng(0)
    X = unit_rows(rng.standard_normal((1000, 16)))
    text = unit_rows(rng.standard_normal((1, 16)))[0]
    result = compute_text_search(X, text, top_n=5)
    assert (np.diff(result.z_scores) <= 0).all()
    assert result.z_scores[0] > 2.0


def test_constant_scores_give_zero_z() -> None:
    ranking = rank_scores(np.ones(3, dtype=np.float32), 2, 0, None, np.empty(0, np.int64))
    assert ranking.z_scores.tolist() == [0.0, 0.0]


def test_bad_parameters() -> None:
    X, _ = blobs(10, 2, d=8)
    for kwargs in ({"top_n": 0}, {"offset": -1}, {"min_score": 3.0}, {"exclude": [10]}):
        with pytest.raises(InvalidInput):
            compute_similar(X, X[0], **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        compute_similar(X, np.ones(4) / 2)
