from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from corpuscope.analysis.communities import canonical
from corpuscope.analysis.levels import compute_hierarchy

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
