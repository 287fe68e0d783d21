from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from corpuscope.analysis.kmeans import assign_nearest, compute_kmeans
from corpuscope.errors import InvalidInput

from .conftest import blobs


def test_recovers_separated_blobs(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    X, truth = clustered
    result = compute_kmeans(X, 5, seed=0)
    assert adjusted_rand_score(truth, result.labels) == 1.0
    assert result.centers.shape == (5, X.shape[1])
    assert result.labels.dtype == np.int64


def test_inertia_is_the_sum_of_squared_distances(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    X, _ = clustered
    result = compute_kmeans(X, 4, seed=1)
    diff = X - result.centers[result.labels]
    assert result.inertia == pytest.approx(float((diff.astype(np.float64) ** 2).sum()), rel=1e-4)
    np.testing.assert_allclose(result.centers[0], X[result.labels == 0].mean(axis=0), atol=1e-5)


def test_same_seed_same_result_and_input_untouched(
    clustered: tuple[np.ndarray, np.ndarray],
) -> None:
    X, _ = clustered
    before = X.copy()
    a = compute_kmeans(X, 7, seed=3)
    b = compute_kmeans(X, 7, seed=3)
    assert np.array_equal(a.labels, b.labels)
    assert np.array_equal(X, before)


def test_labels_are_numbered_by_first_appearance() -> None:
    X, _ = blobs(60, 3, seed=2)
    labels = compute_kmeans(X, 3).labels
    _, first = np.unique(labels, return_index=True)
    assert labels[np.sort(first)].tolist() == [0, 1, 2]


def test_one_cluster_is_the_mean() -> None:
    X, _ = blobs(20, 2)
    result = compute_kmeans(X, 1)
    assert set(result.labels.tolist()) == {0}
    np.testing.assert_allclose(result.centers[0], X.mean(axis=0), atol=1e-6)


def test_more_clusters_than_points_or_distinct_points() -> None:
    X = np.eye(3, dtype=np.float32)
    result = compute_kmeans(X, 10)
    assert sorted(result.labels.tolist()) == [0, 1, 2]
    assert result.inertia == pytest.approx(0.0, abs=1e-6)
    duplicated = np.repeat(np.eye(2, dtype=np.float32), 5, axis=0)
    result = compute_kmeans(duplicated, 4)
    assert len(result.centers) == 2
    assert result.inertia == pytest.approx(0.0, abs=1e-6)


def test_single_point() -> None:
    result = compute_kmeans(np.array([[0.0, 1.0]], dtype=np.float32), 3)
    assert result.labels.tolist() == [0]


def test_assign_nearest_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 8)).astype(np.float32)
    C = rng.standard_normal((6, 8)).astype(np.float32)
    labels, dist = assign_nearest(X, C)
    full = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
    assert np.array_equal(labels, full.argmin(axis=1))
    np.testing.assert_allclose(dist, full.min(axis=1), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "kwargs", [{"n_clusters": 0}, {"n_clusters": 2, "seed": -1}, {"n_clusters": 2, "n_init": 0}]
)
def test_bad_parameters(kwargs: dict[str, int]) -> None:
    X, _ = blobs(10, 2)
    with pytest.raises(InvalidInput):
        compute_kmeans(X, **kwargs)
