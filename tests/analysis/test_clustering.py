from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from corpuscope.analysis import clustering
from corpuscope.analysis.clustering import Clustering, clustering_from_labels, compute_clustering
from corpuscope.analysis.kmeans import kmeans_kernel
from corpuscope.analysis.levels import Hierarchy
from corpuscope.analysis.scores import compute_group_score
from corpuscope.errors import InvalidInput

from .conftest import blobs, unit_rows


def _check_invariants(result: Clustering, X: np.ndarray) -> None:
    members = np.concatenate([g.members for g in result.groups])
    assert sorted(members.tolist()) == list(range(len(X)))  # every index exactly once
    ordinary = [g for g in result.groups if not g.is_outliers]
    assert [g.score for g in ordinary] == sorted(g.score for g in ordinary)
    assert all(not g.is_outliers for g in result.groups[:-1])  # outliers, if any, last
    for position, group in enumerate(result.groups):
        assert (result.labels[group.members] == position).all()
        scores = result.image_scores[group.members]
        assert (np.diff(scores) <= 1e-6).all()  # typical first
        assert group.score == pytest.approx(compute_group_score(X, group.members), abs=1e-3)


@pytest.mark.parametrize("n_clusters", [-1, 1, 3, 5])
def test_invariants_on_blobs(clustered: tuple[np.ndarray, np.ndarray], n_clusters: int) -> None:
    X, _ = clustered
    result = compute_clustering(X, n_clusters=n_clusters, seed=0)
    _check_invariants(result, X)
    assert result.algorithm == ("leiden" if n_clusters == -1 else "kmeans")


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(-1, 8).filter(lambda k: k != 0), st.integers(0, 1000))
def test_invariants_on_random_inputs(n: int, n_clusters: int, seed: int) -> None:
    X = unit_rows(np.random.default_rng(seed).standard_normal((n, 6)))
    _check_invariants(compute_clustering(X, n_clusters=n_clusters, seed=seed), X)


def test_automatic_mode_finds_the_blobs(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    X, truth = clustered
    result = compute_clustering(X)
    assert len(result.groups) == 5
    assert adjusted_rand_score(truth, result.labels) == 1.0


def test_outliers_form_one_flagged_group_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    X, _ = blobs(40, 2, seed=0)
    raw = np.where(np.arange(40) < 3, -1, np.arange(40) % 2)

    def fake(*_: object, **__: object) -> Hierarchy:
        return Hierarchy(levels=(raw,), chosen=0)

    monkeypatch.setattr(clustering, "hierarchy_kernel", fake)
    result = compute_clustering(X)
    assert [g.is_outliers for g in result.groups] == [False, False, True]
    assert sorted(result.groups[-1].members.tolist()) == [0, 1, 2]
    _check_invariants(result, X)


def test_when_every_community_is_too_small_all_images_form_one_group() -> None:
    X, _ = blobs(30, 3, seed=0)
    result = compute_clustering(X, min_size=100)
    assert len(result.groups) == 1 and not result.groups[0].is_outliers


def test_hand_computed_groups_and_scores() -> None:
    X = np.array([[1, 0], [1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    result = compute_clustering(X, n_clusters=2, seed=0)
    first, second = result.groups
    assert first.members.tolist() == [0, 1] and first.score == pytest.approx(0.0, abs=1e-4)
    assert sorted(second.members.tolist()) == [2, 3]
    assert second.score == pytest.approx(20.0, abs=1e-3)  # cosine 0.8 between the two


def test_stability_is_high_for_clear_groups(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    X, _ = clustered
    result = compute_clustering(X, n_clusters=5, stability_runs=3, seed=1)
    assert all(g.stability is not None and g.stability > 0.95 for g in result.groups)
    auto = compute_clustering(X, stability_runs=2)
    assert all(g.stability == pytest.approx(1.0) for g in auto.groups)
    assert compute_clustering(X, n_clusters=5).groups[0].stability is None


def test_seeded_and_input_untouched(clustered: tuple[np.ndarray, np.ndarray]) -> None:
    X, _ = clustered
    before = X.copy()
    a = compute_clustering(X, n_clusters=4, seed=9)
    b = compute_clustering(X, n_clusters=4, seed=9)
    assert np.array_equal(a.labels, b.labels)
    assert np.array_equal(X, before)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_clusters": 0},
        {"n_clusters": -2},
        {"n_clusters": 2.5},
        {"stability_runs": -1},
        {"min_size": 0},
        {"seed": -1},
    ],
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    X, _ = blobs(10, 2)
    with pytest.raises(InvalidInput):
        compute_clustering(X, **kwargs)  # type: ignore[arg-type]


def test_scores_from_kmeans_sums_need_no_copy_of_the_vectors() -> None:
    """The k-means sums are renumbered per label, never gathered per row (n x d at a million)."""
    X, _ = blobs(20_000, 6, 64, seed=4)
    kmeans = kmeans_kernel(X, 6, 0)
    tracemalloc.start()
    try:
        result = clustering_from_labels(X, kmeans.labels, n_clusters=6, sums=kmeans.sums)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes
    for group in result.groups:
        assert group.score == pytest.approx(compute_group_score(X, group.members), abs=1e-3)
