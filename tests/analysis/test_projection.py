from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis.projection import compute_map, place_on_map
from corpuscope.errors import InvalidInput

from .conftest import blobs


def test_coordinates_are_in_range_and_keep_blobs_apart() -> None:
    X, labels = blobs(400, 4, d=80, seed=0)
    result = compute_map(X, n_landmarks=100)
    coords = result.coords
    assert coords.shape == (400, 2) and coords.dtype == np.float32
    assert coords.min() >= -1.0 and coords.max() <= 1.0
    assert np.isclose(np.abs(coords).max(), 1.0, atol=0.05)
    centres = np.stack([coords[labels == g].mean(axis=0) for g in range(4)])
    spread = max(np.linalg.norm(coords[labels == g] - centres[g], axis=1).mean() for g in range(4))
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(4) for b in range(a + 1, 4)]
    assert min(gaps) > 2 * spread


def test_deterministic_and_new_points_land_near_their_twins() -> None:
    X, _ = blobs(300, 3, d=16, seed=1)
    a = compute_map(X, seed=3, n_landmarks=60)
    b = compute_map(X, seed=3, n_landmarks=60)
    np.testing.assert_array_equal(a.coords, b.coords)
    placed = place_on_map(a, X[:10])
    np.testing.assert_allclose(placed, a.coords[:10], atol=1e-5)


def test_tiny_inputs() -> None:
    assert compute_map(np.array([[1.0, 0.0]], dtype=np.float32)).coords.tolist() == [[0.0, 0.0]]
    X, _ = blobs(3, 3, d=4)
    assert compute_map(X).coords.shape == (3, 2)


def test_bad_parameters() -> None:
    X, _ = blobs(20, 2, d=8)
    with pytest.raises(InvalidInput):
        compute_map(X, n_landmarks=1)
    projection = compute_map(X)
    with pytest.raises(InvalidInput):
        place_on_map(projection, np.eye(3, dtype=np.float32))
