from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from corpuscope.analysis import neighbours
from corpuscope.analysis.communities import compute_communities
from corpuscope.errors import InvalidInput

from .conftest import blobs, unit_rows


@pytest.mark.parametrize("k", [2, 5, 9])
def test_finds_the_number_of_separated_blobs(k: int) -> None:
    X, truth = blobs(60 * k, k, seed=k)
    result = compute_communities(X, seed=0)
    assert result.n_communities == k
    assert adjusted_rand_score(truth, result.labels) == 1.0


def test_large_input_takes_the_approximate_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    X, truth = blobs(2000, 6, seed=1)
    monkeypatch.setattr(neighbours, "EXACT_GRAPH_LIMIT", 500)
    result = compute_communities(X, seed=0)
    assert adjusted_rand_score(truth, result.labels) == 1.0


def test_small_communities_become_outliers() -> None:
    X, _ = blobs(200, 2, seed=0)
    far = unit_rows(np.random.default_rng(5).standard_normal((1, X.shape[1])))
    Z = np.concatenate([X, np.repeat(far, 3, axis=0)])  # a trio far from everything
    # with 2 neighbours per image the trio links only to itself: a community of 3
    result = compute_communities(Z, seed=0, n_neighbors=2, min_size=5)
    assert (result.labels[-3:] == -1).all()
    assert (result.labels[:-3] >= 0).all()


def test_deterministic_and_labels_by_size() -> None:
    X, _ = blobs(150, 3, seed=4)
    a = compute_communities(X, seed=7)
    b = compute_communities(X, seed=7)
    assert np.array_equal(a.labels, b.labels)
    sizes = np.bincount(a.labels[a.labels >= 0])
    assert (np.diff(sizes) <= 0).all()


def test_tiny_inputs_are_one_community() -> None:
    X, _ = blobs(4, 2)
    assert compute_communities(X).labels.tolist() == [0, 0, 0, 0]


def test_bad_parameters() -> None:
    X, _ = blobs(30, 2)
    for kwargs in ({"n_neighbors": 0}, {"resolution": 0.0}, {"min_size": 0}, {"seed": -2}):
        with pytest.raises(InvalidInput):
            compute_communities(X, **kwargs)  # type: ignore[arg-type]
