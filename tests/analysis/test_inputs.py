from __future__ import annotations

import numpy as np
import pytest

from corpuscope.analysis.inputs import (
    check_count,
    check_fraction,
    check_indices,
    check_query,
    check_seed,
    check_vectors,
)
from corpuscope.errors import InvalidInput


def test_vectors_become_contiguous_float32_without_copying_the_input() -> None:
    X = np.eye(3, dtype=np.float64)[:, :2][:2]
    out = check_vectors(X)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    out_again = check_vectors(np.eye(3, dtype=np.float32))
    assert out_again.shape == (3, 3)


@pytest.mark.parametrize(
    "bad",
    [
        np.ones(3),
        np.ones((2, 0)),
        np.empty((0, 4)),
        np.full((2, 2), np.nan),
        np.array([[1.0, 1.0]]),
        np.array([["a", "b"]]),
        np.array([[1 + 0j, 0j]]),
    ],
)
def test_bad_vectors_raise_invalid_input(bad: np.ndarray) -> None:
    with pytest.raises(InvalidInput):
        check_vectors(bad)


def test_query_must_match_the_vector_length() -> None:
    assert check_query(np.array([1.0, 0.0]), d=2).shape == (1, 2)
    with pytest.raises(InvalidInput, match="same model"):
        check_query(np.array([1.0, 0.0, 0.0]), d=2)


def test_indices_are_sorted_distinct_and_in_range() -> None:
    assert check_indices([3, 1], n=4).tolist() == [1, 3]
    assert check_indices([], n=4).tolist() == []
    for bad in ([4], [-1], [1, 1], [0.5], [[1]]):
        with pytest.raises(InvalidInput):
            check_indices(bad, n=4)
    with pytest.raises(InvalidInput):
        check_indices([], n=4, allow_empty=False)


def test_scalars() -> None:
    assert check_count(np.int64(3), name="k") == 3
    assert check_fraction(0.5, name="t") == 0.5
    assert check_seed(2**31 - 1) == 2**31 - 1
    for call in (
        lambda: check_count(True, name="k"),
        lambda: check_count(0, name="k"),
        lambda: check_count(1.5, name="k"),
        lambda: check_fraction(2.0, name="t"),
        lambda: check_fraction("x", name="t"),
        lambda: check_seed(-1),
        lambda: check_seed(2**31),
        lambda: check_seed(1.0),
    ):
        with pytest.raises(InvalidInput):
            call()
