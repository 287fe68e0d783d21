"""The approximate index behind similar images and recommendations on large sets."""

import numpy as np
import pytest

from corpuscope.analysis import recommend
from corpuscope.analysis.recommend import compute_recommendations
from corpuscope.analysis.similarity import compute_similar
from corpuscope.analysis.vector_index import (
    compute_vector_index,
    index_from_bytes,
    index_to_bytes,
)


def _clustered(n: int, d: int = 48, clusters: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, d))
    X = centres[rng.integers(clusters, size=n)] + 0.6 * rng.normal(size=(n, d))
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)


def _plant_copies(X: np.ndarray, source: int, rows: list[int], seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    for row in rows:
        copy = X[source] + 0.02 * rng.normal(size=X.shape[1])
        X[row] = copy / np.linalg.norm(copy)


def test_the_index_finds_the_planted_near_copies_with_exact_scores() -> None:
    X = _clustered(4000)
    copies = [100, 1700, 3999]
    _plant_copies(X, 7, copies)
    index = compute_vector_index(X)
    found = compute_similar(X, X[7], top_n=10, exclude=[7], index=index)
    assert sorted(found.indices[:3].tolist()) == copies
    np.testing.assert_allclose(found.scores, X[found.indices] @ X[7], rtol=1e-5)
    exact = compute_similar(X, X[7], top_n=10, exclude=[7])
    assert found.indices.tolist() == exact.indices.tolist()
    np.testing.assert_allclose(found.z_scores, exact.z_scores, rtol=0.1)
    assert found.total == exact.total == len(X) - 1


def test_the_index_pages_and_thresholds_like_the_exact_search() -> None:
    X = _clustered(3000, seed=2)
    index = compute_vector_index(X)
    first = compute_similar(X, X[0], top_n=20, exclude=[0], index=index)
    second = compute_similar(X, X[0], top_n=20, offset=20, exclude=[0], index=index)
    exact = compute_similar(X, X[0], top_n=40, exclude=[0])
    ours = first.indices.tolist() + second.indices.tolist()
    assert len(set(ours) & set(exact.indices.tolist())) >= 38
    floor = float(exact.scores[9])
    above = compute_similar(X, X[0], top_n=100, min_score=floor, exclude=[0], index=index)
    assert above.total == 10 and np.all(above.scores >= floor)


@pytest.mark.parametrize("gathered", [recommend._GATHER_ROWS, 64])
def test_recommendations_through_the_index_match_the_exact_ones(
    gathered: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the candidates are gathered and scored a block at a time: many blocks with 64
    monkeypatch.setattr(recommend, "_GATHER_ROWS", gathered)
    X = _clustered(4000, seed=3)
    members = [10, 11, 12]
    _plant_copies(X, 10, [500, 2500], seed=4)
    index = compute_vector_index(X)
    ours = compute_recommendations(X, members, refused=[2500], top_n=30, index=index)
    exact = compute_recommendations(X, members, refused=[2500], top_n=30)
    assert ours.indices[:10].tolist() == exact.indices[:10].tolist()
    assert 500 in ours.indices[:10] and 2500 not in ours.indices
    assert len(set(ours.indices.tolist()) & set(exact.indices.tolist())) >= 28
    common = np.intersect1d(ours.indices, exact.indices)
    ours_scores = dict(zip(ours.indices.tolist(), ours.scores.tolist(), strict=True))
    exact_scores = dict(zip(exact.indices.tolist(), exact.scores.tolist(), strict=True))
    for row in common.tolist():
        assert abs(ours_scores[row] - exact_scores[row]) < 1e-5


def test_an_index_saved_as_bytes_searches_the_same() -> None:
    X = _clustered(2000, seed=5)
    index = compute_vector_index(X)
    again = index_from_bytes(index_to_bytes(index), X)
    assert again.n == len(X)
    np.testing.assert_array_equal(again.sample, index.sample)
    one = compute_similar(X, X[3], top_n=15, index=index)
    two = compute_similar(X, X[3], top_n=15, index=again)
    assert one.indices.tolist() == two.indices.tolist()


def test_recommendations_for_a_group_spread_over_every_cluster_match_the_exact_ones() -> None:
    # The centre of such a group is near the corpus mean: the best rows are moderately close
    # to both the centre and a mode, and only the range search at the cut finds them all.
    X = _clustered(40_000, d=32, clusters=60, seed=6)
    members = np.random.default_rng(7).choice(len(X), 50, replace=False)
    index = compute_vector_index(X)
    ours = compute_recommendations(X, members, top_n=100, index=index)
    exact = compute_recommendations(X, members, top_n=100)
    assert len(set(ours.indices.tolist()) & set(exact.indices.tolist())) >= 98
