from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis import neighbours
from corpuscope.analysis.neighbours import drop_self, knn_graph, select_top, top_k

from .conftest import blobs, unit_rows


def _brute(queries: np.ndarray, X: np.ndarray, k: int) -> np.ndarray:
    S = queries.astype(np.float64) @ X.T.astype(np.float64)
    return np.sort(S, axis=1)[:, ::-1][:, :k]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", [(3, 40, 8), (100, 300, 16), (70, 50, 200)])
def test_top_k_equals_brute_force(seed: int, shape: tuple[int, int, int]) -> None:
    q, n, d = shape
    rng = np.random.default_rng(seed)
    X = unit_rows(rng.standard_normal((n, d)))
    Q = unit_rows(rng.standard_normal((q, d)))
    idx, sims = top_k(Q, X, 7)
    np.testing.assert_allclose(sims, _brute(Q, X, 7), atol=1e-5)
    np.testing.assert_allclose(np.take_along_axis(Q @ X.T, idx, axis=1), sims, atol=1e-5)


def test_top_k_caps_k() -> None:
    X = np.eye(3, dtype=np.float32)
    idx, _ = top_k(X, X, 10)
    assert idx.shape == (3, 3)
    assert top_k(X, X, 0)[0].shape == (3, 0)


def test_select_top_orders_best_first() -> None:
    S = np.array([[0.1, 0.9, 0.5, 0.7]], dtype=np.float32)
    idx, val = select_top(S, 2)
    assert idx.tolist() == [[1, 3]]
    np.testing.assert_allclose(val, [[0.9, 0.7]])


def test_drop_self_removes_own_index_or_the_last() -> None:
    idx = np.array([[0, 5, 6], [7, 8, 9]])
    sims = np.array([[1.0, 0.9, 0.8], [0.9, 0.8, 0.7]], dtype=np.float32)
    out, out_sims = drop_self(idx, sims, np.array([0, 1]))
    assert out.tolist() == [[5, 6], [7, 8]]
    np.testing.assert_allclose(out_sims, [[0.9, 0.8], [0.9, 0.8]])


def test_exact_graph_excludes_self_and_equals_brute_force() -> None:
    X, _ = blobs(200, 4, d=12, seed=3)
    idx, sims = knn_graph(X, 5)
    assert not (idx == np.arange(200)[:, None]).any()
    S = X @ X.T
    np.fill_diagonal(S, -np.inf)
    np.testing.assert_allclose(sims, np.sort(S, axis=1)[:, ::-1][:, :5], atol=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_cell_graph_finds_nearly_all_neighbours(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    X, _ = blobs(3000, 10, d=16, seed=seed)
    monkeypatch.setattr(neighbours, "EXACT_GRAPH_LIMIT", 100)
    idx, sims = knn_graph(X, 10, seed=seed)
    assert not (idx == np.arange(len(X))[:, None]).any()
    exact, _ = top_k(X, X, 11)
    recall = np.mean([len(set(a[1:]) & set(b)) / 10 for a, b in zip(exact, idx, strict=True)])
    assert recall > 0.9
    np.testing.assert_allclose(
        np.take_along_axis(X @ X.T, np.maximum(idx, 0), axis=1)[idx >= 0], sims[idx >= 0], atol=1e-5
    )
