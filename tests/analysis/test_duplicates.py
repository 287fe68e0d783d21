from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuscope.analysis import pairs
from corpuscope.analysis.duplicates import compute_duplicates
from corpuscope.errors import InvalidInput

from .conftest import unit_rows
from .test_pairs import planted


def at_angles(degrees: list[float]) -> np.ndarray:
    radians = np.radians(degrees)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1).astype(np.float32)


def as_sets(groups: tuple[np.ndarray, ...]) -> set[frozenset[int]]:
    return {frozenset(g.tolist()) for g in groups}


def test_hand_computed_groups() -> None:
    # 0 and 1 are 5 degrees apart (cos 0.996), 2 is far away, 3 repeats 2 exactly
    X = at_angles([0, 5, 90, 90])
    result = compute_duplicates(X, threshold=0.99)
    assert [g.tolist() for g in result.groups] == [[0, 1], [2, 3]]
    assert result.threshold == 0.99


def test_complete_linkage_splits_a_chain_at_its_weakest_link() -> None:
    # 0-1: 10 deg, 1-2: 12 deg, 0-2: 22 deg; threshold cos(15 deg): 0~1, 1~2, but not 0~2
    X = at_angles([0, 10, 22])
    result = compute_duplicates(X, threshold=float(np.cos(np.radians(15))))
    assert [g.tolist() for g in result.groups] == [[0, 1]]  # 1 joins its closer neighbour


def test_every_pair_in_a_group_reaches_the_threshold() -> None:
    X = planted(600, 3)
    for group in compute_duplicates(X, threshold=0.9).groups:
        sims = X[group] @ X[group].T
        assert sims.min() >= 0.9 - 1e-6


def test_same_content_is_always_grouped() -> None:
    X = at_angles([0, 90, 180])
    result = compute_duplicates(X, threshold=0.99, content_ids=["aa", "bb", "aa"])
    assert [g.tolist() for g in result.groups] == [[0, 2]]


def test_vectors_veto_pairs_that_only_share_a_layout() -> None:
    prints = at_angles([0, 1, 2])
    vectors = np.array([[1, 0], [1, 0], [0, 1]], dtype=np.float32)
    result = compute_duplicates(prints, threshold=0.99, vectors=vectors, min_vector_similarity=0.5)
    assert [g.tolist() for g in result.groups] == [[0, 1]]


def test_float16_fingerprints_are_rescaled() -> None:
    X = at_angles([0, 1, 60]).astype(np.float16) * 3
    assert [g.tolist() for g in compute_duplicates(X, threshold=0.99).groups] == [[0, 1]]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_groups_do_not_depend_on_input_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = unit_rows(rng.standard_normal((8, 6)))
    X = unit_rows(base[rng.integers(0, 8, 40)] + rng.standard_normal((40, 6)) * 0.15)
    perm = rng.permutation(40)
    groups = as_sets(compute_duplicates(X, threshold=0.95).groups)
    permuted = compute_duplicates(X[perm], threshold=0.95).groups
    assert {frozenset(perm[list(g)].tolist()) for g in as_sets(permuted)} == groups


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_finds_the_same_groups_as_the_exact_scan(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X = planted(3000, seed, d=48)
    exact = as_sets(compute_duplicates(X, threshold=0.9).groups)
    monkeypatch.setattr(pairs, "EXACT_PAIRS_LIMIT", 0)
    monkeypatch.setattr(
        "corpuscope.analysis.duplicates.similar_pairs",
        lambda U, t: pairs.similar_pairs(U, t, exact_limit=0),
    )
    assert as_sets(compute_duplicates(X, threshold=0.9).groups) == exact
    assert len(exact) >= 250


def test_input_untouched_and_no_groups_when_nothing_is_close() -> None:
    X = np.eye(5, dtype=np.float32)
    before = X.copy()
    assert compute_duplicates(X).groups == ()
    assert np.array_equal(X, before)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": 1.5},
        {"threshold": -0.1},
        {"content_ids": [1, 2]},
        {"vectors": np.eye(2, dtype=np.float32)},
        {"min_vector_similarity": 2.0},
    ],
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        compute_duplicates(np.eye(3, dtype=np.float32), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [np.ones(3), np.full((2, 2), np.inf), np.ones((2, 0))])
def test_bad_fingerprints(bad: np.ndarray) -> None:
    with pytest.raises(InvalidInput):
        compute_duplicates(bad)
