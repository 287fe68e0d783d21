from __future__ import annotations

import numpy as np

from corpuscope.analysis.centroids import directions, dots_with, group_means, group_sums


def test_sums_means_and_directions_by_hand() -> None:
    X = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)
    labels = np.array([0, 1, 0])
    assert group_sums(X, labels, 2).tolist() == [[2, 0], [0, 1]]
    assert group_means(X, labels, 2).tolist() == [[1, 0], [0, 1]]
    np.testing.assert_allclose(directions(np.array([[3.0, 4.0], [0.0, 0.0]])), [[0.6, 0.8], [0, 0]])


def test_sums_match_a_loop() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4)).astype(np.float32)
    labels = rng.integers(0, 5, 50)
    expected = np.stack([X[labels == g].sum(axis=0) for g in range(5)])
    np.testing.assert_allclose(group_sums(X, labels, 5), expected, rtol=1e-5, atol=1e-5)


def test_sums_and_dots_over_several_blocks_match_a_loop() -> None:
    """Rows spread over several blocks, labels shuffled, some labels empty: every row counted once."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20_000, 3)).astype(np.float32)
    labels = rng.integers(0, 40, 20_000)
    labels[labels == 7] = 8  # label 7 has no member
    expected = np.stack([X[labels == g].sum(axis=0, dtype=np.float64) for g in range(40)])
    np.testing.assert_allclose(group_sums(X, labels, 40), expected, rtol=1e-4, atol=1e-3)
    centres = rng.standard_normal((40, 3)).astype(np.float32)
    np.testing.assert_allclose(
        dots_with(X, centres, labels), (X * centres[labels]).sum(axis=1), rtol=1e-5, atol=1e-5
    )
