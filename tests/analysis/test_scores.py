from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuscope.analysis.scores import compute_group_score, compute_image_scores, group_score
from corpuscope.errors import InvalidInput

from .conftest import unit_rows


def test_identical_images_score_zero_and_a_single_image_too() -> None:
    X = np.tile(np.array([[0.6, 0.8]], dtype=np.float32), (4, 1))
    assert compute_group_score(X) == pytest.approx(0.0, abs=1e-4)
    assert compute_group_score(X[:1]) == 0.0


def test_orthogonal_images_score_100() -> None:
    assert compute_group_score(np.eye(5, dtype=np.float32)) == pytest.approx(100.0)


def test_hand_computed_pair() -> None:
    # two unit vectors at cosine 0.5: 100 x (1 - 0.5)
    X = np.array([[1, 0], [0.5, np.sqrt(0.75)]], dtype=np.float32)
    assert compute_group_score(X) == pytest.approx(50.0, abs=1e-4)


def test_opposite_images_are_clipped_to_100() -> None:
    assert compute_group_score(np.array([[1, 0], [-1, 0]], dtype=np.float32)) == 100.0


def test_members_select_rows() -> None:
    X = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    assert compute_group_score(X, [0, 1]) == pytest.approx(0.0, abs=1e-5)
    with pytest.raises(InvalidInput):
        compute_group_score(X, [])


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(2, 8), st.integers(0, 10_000))
def test_score_is_100_minus_100_times_mean_pairwise_cosine(m: int, d: int, seed: int) -> None:
    X = unit_rows(np.random.default_rng(seed).standard_normal((m, d)))
    G = X.astype(np.float64) @ X.T.astype(np.float64)
    mean_pair = (G.sum() - np.trace(G)) / (m * (m - 1))
    expected = float(np.clip(100 * (1 - mean_pair), 0, 100))
    assert compute_group_score(X) == pytest.approx(expected, abs=1e-3)
    assert 0.0 <= group_score(X.sum(axis=0, dtype=np.float64), m) <= 100.0


def test_image_scores_are_cosines_to_the_group_direction() -> None:
    X = np.array([[1, 0], [0.8, 0.6], [0, 1]], dtype=np.float32)
    scores = compute_image_scores(X, [7, 7, 3])
    direction = np.array([1.8, 0.6]) / np.linalg.norm([1.8, 0.6])
    np.testing.assert_allclose(scores, [direction[0], X[1] @ direction, 1.0], rtol=1e-5)
    with pytest.raises(InvalidInput):
        compute_image_scores(X, [0, 1])
