from __future__ import annotations

import numpy as np

from corpuscope.analysis.subspace import fit_basis, project_unit, reduce_unit

from .conftest import blobs, unit_rows


def test_basis_is_orthonormal_and_spans_low_rank_data() -> None:
    rng = np.random.default_rng(0)
    X = unit_rows(rng.standard_normal((500, 5)) @ rng.standard_normal((5, 200)))
    basis = fit_basis(X, 8)
    assert basis.shape == (200, 8)
    np.testing.assert_allclose(basis.T @ basis, np.eye(8), atol=1e-4)
    # the data lie in 5 dimensions: projecting keeps every cosine
    Y = project_unit(X, basis)
    np.testing.assert_allclose(Y @ Y.T, X @ X.T, atol=1e-3)


def test_full_eigendecomposition_path_and_passthrough() -> None:
    X, _ = blobs(100, 3, d=16)
    assert fit_basis(X, 10).shape == (16, 10)
    assert reduce_unit(X, 64) is X
    Y = reduce_unit(X, 4)
    np.testing.assert_allclose(np.linalg.norm(Y, axis=1), 1.0, atol=1e-5)
