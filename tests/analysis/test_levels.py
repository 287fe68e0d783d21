from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from corpuscope.analysis import levels
from corpuscope.analysis.communities import canonical
from corpuscope.analysis.levels import compute_adjusted_rand, compute_hierarchy

from .conftest import unit_rows


def nested_blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three far-apart families, each made of three nearby sub-families of 40, in 16-d."""
    rng = np.random.default_rng(seed)
    rows, fine, coarse = [], [], []
    for family in range(3):
        centre = rng.normal(size=16) * 4
        for sub in range(3):
            middle = centre + rng.normal(size=16) * 0.6
            rows.append(middle + rng.normal(size=(40, 16)) * 0.4)
            fine += [family * 3 + sub] * 40
            coarse += [family] * 40
    return unit_rows(np.concatenate(rows)), np.array(fine), np.array(coarse)


def _nested(finer: np.ndarray, coarser: np.ndarray) -> bool:
    """Every ordinary group of ``finer`` inside one group of ``coarser``."""
    for group in np.unique(finer[finer >= 0]):
        if len(np.unique(coarser[finer == group])) != 1:
            return False
    return True


def test_every_level_is_a_partition_and_levels_are_nested() -> None:
    X, fine, coarse = nested_blobs()
    hierarchy = compute_hierarchy(X, seed=0)
    assert len(hierarchy.levels) >= 2
    for labels in hierarchy.levels:
        assert labels.shape == (len(X),) and labels.min() >= -1
        assert np.array_equal(labels, canonical(labels))  # 0..k-1 by size, nothing skipped
    for finer, coarser in zip(hierarchy.levels, hierarchy.levels[1:], strict=False):
        assert _nested(finer, coarser)
        assert len(np.unique(finer)) > len(np.unique(coarser))  # each level differs
    counts = [len(np.unique(labels[labels >= 0])) for labels in hierarchy.levels]
    assert counts == sorted(counts, reverse=True)
    # the answer has the fine grain; a coarser level the families
    assert adjusted_rand_score(fine, hierarchy.labels) > 0.95
    assert any(adjusted_rand_score(coarse, labels) == 1.0 for labels in hierarchy.levels)


def test_deterministic_with_a_seed() -> None:
    X, _, _ = nested_blobs(seed=3)
    a = compute_hierarchy(X, seed=5)
    b = compute_hierarchy(X, seed=5)
    assert a.chosen == b.chosen
    assert all(np.array_equal(x, y) for x, y in zip(a.levels, b.levels, strict=True))


def test_a_blob_without_structure_stays_one_group() -> None:
    X = unit_rows(np.random.default_rng(1).normal(size=(150, 16)) * 0.2 + 5)
    hierarchy = compute_hierarchy(X, seed=0)
    assert set(hierarchy.labels.tolist()) <= {0, -1}


def test_outliers_of_a_level_stay_outliers_at_every_finer_level() -> None:
    X, _, _ = nested_blobs(seed=1)
    hierarchy = compute_hierarchy(X, seed=0, min_size=12)
    assert (hierarchy.levels[0] == -1).any()  # the finest level sets small parts apart
    for finer, coarser in zip(hierarchy.levels, hierarchy.levels[1:], strict=False):
        assert set(np.flatnonzero(coarser == -1)) <= set(np.flatnonzero(finer == -1))


@pytest.mark.parametrize("n", [1, 3, 5])
def test_tiny_inputs_are_one_group(n: int) -> None:
    X = unit_rows(np.random.default_rng(0).normal(size=(n, 4)))
    hierarchy = compute_hierarchy(X)
    assert hierarchy.levels == (hierarchy.labels,) and (hierarchy.labels == 0).all()


def test_the_answer_has_the_same_grain_whatever_the_seed() -> None:
    X, fine, _ = nested_blobs(seed=2)
    for seed in range(3):
        assert adjusted_rand_score(fine, compute_hierarchy(X, seed=seed).labels) > 0.95


def test_adjusted_rand_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    cases = [(rng.integers(0, 4, 200), rng.integers(0, 7, 200)) for _ in range(20)]
    labels = rng.integers(0, 5, 50)
    cases += [
        (labels, labels),  # identical
        (np.zeros(30, dtype=np.int64), np.zeros(30, dtype=np.int64)),  # one group each
        (np.zeros(30, dtype=np.int64), np.arange(30)),  # one group against singletons
        (np.arange(30), np.arange(30)[::-1].copy()),  # singletons, renamed
    ]
    for a, b in cases:
        assert compute_adjusted_rand(a, b) == pytest.approx(adjusted_rand_score(a, b), abs=1e-12)
    # the premise of the early stop: a whole labelling agrees with no split at all
    whole = np.zeros(40, dtype=np.int64)
    assert compute_adjusted_rand(whole, np.arange(40) % 3) == 0.0


def test_stopping_the_seed_runs_early_changes_no_level(monkeypatch: pytest.MonkeyPatch) -> None:
    X, _, _ = nested_blobs(seed=1)
    calls = {"runs": 0}
    leiden = levels.leiden_membership

    def counted(*args: Any, **kwargs: Any) -> np.ndarray:
        calls["runs"] += 1
        return leiden(*args, **kwargs)

    monkeypatch.setattr(levels, "leiden_membership", counted)
    early = compute_hierarchy(X, seed=0)
    early_runs, calls["runs"] = calls["runs"], 0
    monkeypatch.setattr(levels, "_best_agreement", lambda agreement, done: 1.0)
    monkeypatch.setattr(levels, "_WHOLE_RUN_CEILING", 1.0)
    full = compute_hierarchy(X, seed=0)
    assert early_runs < calls["runs"]  # the stop did cut runs
    assert early.chosen == full.chosen
    assert all(np.array_equal(a, b) for a, b in zip(early.levels, full.levels, strict=True))


def test_the_gaussian_cloud_has_the_rows_mean_and_covariance() -> None:
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(30, 8)) @ rng.normal(size=(8, 8)) + 3.0
    for rows in (Z, Z[:5]):
        cloud = levels._gaussian_like(rows, 200_000, np.random.default_rng(1))
        scale = np.abs(np.cov(rows, rowvar=False)).max()
        assert np.abs(cloud.mean(axis=0) - rows.mean(axis=0)).max() < 0.02 * np.sqrt(scale)
        assert np.abs(np.cov(cloud, rowvar=False) - np.cov(rows, rowvar=False)).max() < 0.02 * scale
