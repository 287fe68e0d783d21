from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis import recommend
from corpuscope.analysis.recommend import (
    compute_recommendations,
    group_modes,
    recommendation_scores,
)
from corpuscope.errors import InvalidInput

from .conftest import blobs


def brute_scores(X: np.ndarray, members: np.ndarray) -> np.ndarray:
    centre = X[members].sum(axis=0)
    centre /= np.linalg.norm(centre)
    nearest = np.max(X @ X[members].T, axis=1)
    return 0.5 * (X @ centre) + 0.5 * nearest


@pytest.mark.parametrize("seed", range(5))
def test_ranking_equals_a_brute_force_sort(seed: int) -> None:
    X, _ = blobs(400, 6, seed=seed)
    rng = np.random.default_rng(seed)
    members = np.sort(rng.choice(400, 12, replace=False))
    refused = np.setdiff1d(rng.choice(400, 5, replace=False), members)
    scores = brute_scores(X, members)
    order = [
        i for i in np.lexsort((np.arange(400), -scores)) if i not in set(members) | set(refused)
    ]
    result = compute_recommendations(X, members, refused=refused, top_n=15, offset=5)
    assert result.indices.tolist() == order[5:20]
    np.testing.assert_allclose(result.scores, scores[order[5:20]], atol=1e-5)
    assert result.total == 400 - len(members) - len(refused)


def test_better_than_the_mean_vector_for_a_group_with_two_modes() -> None:
    X, labels = blobs(1000, 10, d=16, spread=0.8, seed=1)
    group = np.concatenate([np.flatnonzero(labels == 0)[:5], np.flatnonzero(labels == 7)[:5]])
    wanted = set(np.flatnonzero((labels == 0) | (labels == 7)).tolist()) - set(group.tolist())
    ours = compute_recommendations(X, group, top_n=len(wanted)).indices
    centre = X[group].sum(axis=0)
    plain = [i for i in np.argsort(-(X @ centre)) if i not in set(group.tolist())][: len(wanted)]
    hits_ours = len(wanted & set(ours.tolist()))
    hits_plain = len(wanted & set(plain))
    assert hits_ours > hits_plain


def test_large_groups_use_kmeans_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    X, _ = blobs(300, 3, seed=2)
    monkeypatch.setattr(recommend, "MAX_MODES", 4)
    modes = group_modes(X[:100])
    assert modes.shape == (4, X.shape[1])
    np.testing.assert_allclose(np.linalg.norm(modes, axis=1), 1.0, atol=1e-5)
    assert recommendation_scores(X, np.arange(100)).shape == (300,)


def test_members_and_refused_never_come_back() -> None:
    X, _ = blobs(50, 2, seed=3)
    result = compute_recommendations(X, [0, 1], refused=[2, 3], top_n=100)
    assert not {0, 1, 2, 3} & set(result.indices.tolist())
    assert len(result.indices) == 46


def test_bad_parameters() -> None:
    X, _ = blobs(20, 2)
    with pytest.raises(InvalidInput):
        compute_recommendations(X, [])
    with pytest.raises(InvalidInput):
        compute_recommendations(X, [0], refused=[99])
    with pytest.raises(InvalidInput):
        compute_recommendations(X, [0], top_n=0)
