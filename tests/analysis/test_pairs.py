from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis.fingerprint import FINGERPRINT_LENGTH, mirror_fingerprints
from corpuscope.analysis.pairs import all_pairs, nearest_rows, similar_pairs

from .conftest import blobs, unit_rows


def planted(n: int, seed: int, d: int = 24) -> np.ndarray:
    """Clustered rows where one row in ten has a near copy (cosine ~0.97) elsewhere."""
    X, _ = blobs(n, 12, d=d, spread=0.6, seed=seed)
    rng = np.random.default_rng(seed)
    src = rng.choice(n, n // 10, replace=False)
    dst = rng.choice(np.setdiff1d(np.arange(n), src), n // 10, replace=False)
    X[dst] = unit_rows(X[src] + rng.standard_normal((len(src), d)) * 0.2 / np.sqrt(d))
    return X


def naive(X: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    S = X.astype(np.float64) @ X.T.astype(np.float64)
    i, j = np.nonzero(np.triu(threshold <= S, 1))
    return set(zip(i.tolist(), j.tolist(), strict=True))


def test_hand_computed() -> None:
    X = np.array([[1, 0], [0.99, np.sqrt(1 - 0.99**2)], [0, 1]], dtype=np.float32)
    left, right, sims = all_pairs(X, 0.9)
    assert left.tolist() == [0] and right.tolist() == [1]
    assert sims[0] == pytest.approx(0.99, abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_exact_path_equals_naive_scan(seed: int) -> None:
    X = planted(400, seed)
    left, right, _ = all_pairs(X, 0.9)
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == naive(X, 0.9)
    assert (left < right).all()


@pytest.mark.parametrize("seed", range(10))
def test_cell_path_finds_the_same_pairs_as_the_naive_scan(seed: int) -> None:
    X = planted(3000, seed, d=48)
    left, right, sims = similar_pairs(X, 0.9, exact_limit=0, seed=seed)
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == naive(X, 0.9)
    np.testing.assert_allclose(sims, np.einsum("ij,ij->i", X[left], X[right]), atol=1e-5)
    order = np.lexsort((right, left))
    assert np.array_equal(order, np.arange(len(left)))


def test_no_pairs() -> None:
    X = np.eye(4, dtype=np.float32)
    assert len(similar_pairs(X, 0.5)[0]) == 0
    assert len(similar_pairs(X, 0.5, exact_limit=0)[0]) == 0


@pytest.mark.parametrize("seed", range(3))
def test_cell_nearest_finds_straight_and_mirrored_copies_as_the_exact_scan(seed: int) -> None:
    X = planted(3000, seed, d=FINGERPRINT_LENGTH)
    rng = np.random.default_rng(seed)
    src = rng.choice(3000, 100, replace=False)
    flipped = unit_rows(mirror_fingerprints(X[src]) + rng.standard_normal((100, X.shape[1])) * 0.01)
    X = np.concatenate([X, flipped]).astype(np.float32)
    M = mirror_fingerprints(X)
    exact = nearest_rows(X, M, 12)
    cells = nearest_rows(X, M, 12, exact_limit=0, seed=seed)
    # every mirrored copy: its original first, found turned, at the exact scan's similarity
    assert cells[0][3000:, 0].tolist() == src.tolist()
    assert cells[2][3000:, 0].all()
    np.testing.assert_allclose(cells[1][3000:, 0], exact[1][3000:, 0], atol=1e-5)
    # the neighbour lists, approximate, agree with the exact ones for most rows and pairs
    found = np.mean([len(set(a) & set(b)) / 12 for a, b in zip(cells[0], exact[0], strict=True)])
    assert found > 0.9
    # each similarity returned is the larger of the straight and the turned one
    rows = np.repeat(np.arange(len(X)), 12)
    other = cells[0].ravel()
    best = np.maximum(np.einsum("ij,ij->i", X[rows], X[other]),
                      np.einsum("ij,ij->i", X[rows], M[other]))  # fmt: skip
    np.testing.assert_allclose(cells[1].ravel(), best, atol=1e-5)
    assert (other != rows).all() and (other >= 0).all()
