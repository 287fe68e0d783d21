"""The near-duplicate decision on arrays: a pair counts when it is far closer than the rest."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuscope.analysis import duplicates, pairs
from corpuscope.analysis.detail import DETAIL_LENGTH, compare_details
from corpuscope.analysis.duplicates import NEIGHBOURS, compute_duplicates
from corpuscope.analysis.fingerprint import FINGERPRINT_LENGTH, mirror_fingerprints
from corpuscope.errors import InvalidInput

from .conftest import unit_rows
from .test_pairs import planted


def as_sets(groups: tuple[np.ndarray, ...]) -> set[frozenset[int]]:
    return {frozenset(g.tolist()) for g in groups}


def crowd(rng: np.random.Generator, n: int, d: int, spread: float) -> np.ndarray:
    """``n`` distinct rows around one direction (low-detail pictures of one kind)."""
    return unit_rows(np.ones(d) + rng.standard_normal((n, d)) * spread)


def test_a_copy_far_closer_than_its_neighbours_is_found_and_a_crowd_is_not() -> None:
    rng = np.random.default_rng(0)
    photos = unit_rows(rng.standard_normal((20, 32)))  # distinct: cosine ~0
    copy = unit_rows(photos[:1] + rng.standard_normal((1, 32)) * 0.08)  # cosine ~0.9
    digits = crowd(rng, 30, 32, 0.25)  # all at cosine ~0.94: closer than the copy is
    X = np.concatenate([photos, copy, digits])
    result = compute_duplicates(X)
    assert as_sets(result.groups) == {frozenset({0, 20})}
    assert float(photos[0] @ copy[0]) < float(np.median(digits @ digits.T))
    assert result.scores[0] >= result.threshold


def test_a_copy_among_a_crowd_still_stands_out() -> None:
    rng = np.random.default_rng(1)
    digits = crowd(rng, 40, 32, 0.25)
    copy = unit_rows(digits[:1] + rng.standard_normal((1, 32)) * 0.01)
    groups = compute_duplicates(np.concatenate([digits, copy])).groups
    assert as_sets(groups) == {frozenset({0, 40})}


def test_a_family_of_copies_is_found_whole() -> None:
    rng = np.random.default_rng(2)
    photos = unit_rows(rng.standard_normal((30, 32)))
    family = unit_rows(photos[:1] + rng.standard_normal((NEIGHBOURS - 2, 32)) * 0.04)
    groups = compute_duplicates(np.concatenate([photos, family])).groups
    assert as_sets(groups) == {frozenset({0, *range(30, 30 + NEIGHBOURS - 2)})}


def test_a_mirrored_layout_is_found() -> None:
    rng = np.random.default_rng(3)
    prints = unit_rows(rng.standard_normal((15, FINGERPRINT_LENGTH)))
    flipped = mirror_fingerprints(prints[:1])
    assert float(prints[0] @ flipped[0]) < 0.2  # not similar as it stands
    groups = compute_duplicates(np.concatenate([prints, flipped])).groups
    assert as_sets(groups) == {frozenset({0, 15})}


def test_the_finer_check_separates_look_alikes_from_copies() -> None:
    rng = np.random.default_rng(4)
    layouts = crowd(rng, 12, FINGERPRINT_LENGTH, 0.1)  # all alike on the layout
    details = rng.random((12, DETAIL_LENGTH)).astype(np.float32)  # different in detail
    details[1] = details[0] + rng.normal(0, 0.01, DETAIL_LENGTH)  # except 1, a copy of 0
    groups = compute_duplicates(layouts, details=details).groups
    assert as_sets(groups) == {frozenset({0, 1})}
    assert as_sets(compute_duplicates(layouts).groups) != as_sets(groups)  # the layout cannot tell


def test_vectors_find_a_copy_whose_layout_moved_and_keep_a_crowd_apart() -> None:
    rng = np.random.default_rng(7)
    layouts = crowd(rng, 40, 32, 0.3)  # look-alike layouts, cosine ~0.9 to each other
    vectors = unit_rows(rng.standard_normal((40, 64)))  # distinct pictures for the model
    turned = unit_rows(layouts[:1] + rng.standard_normal((1, 32)) * 0.25)  # layout moved
    X = np.concatenate([layouts, turned])
    V = np.concatenate([vectors, unit_rows(vectors[:1] + rng.standard_normal((1, 64)) * 0.02)])
    assert float(X[0] @ X[40]) < np.sort(X[40] @ X[:40].T)[-NEIGHBOURS]  # out of the layout's
    assert as_sets(compute_duplicates(X).groups) == set()
    assert as_sets(compute_duplicates(X, vectors=V).groups) == {frozenset({0, 40})}
    alike = unit_rows(np.ones(64) + rng.standard_normal((41, 64)) * 0.2)  # a crowd for the model
    assert as_sets(compute_duplicates(X, vectors=alike).groups) == set()


def test_a_pair_whose_vectors_stand_out_is_checked_even_when_its_layouts_disagree() -> None:
    # A faint picture and its copy trimmed to different framings: opposed layouts among
    # look-alikes (-0.4 to each other, 0.4 to the rest), a model cosine well above the rest's
    # (about 0.8 against 0.3) though far from 1, the same fine detail.
    rng = np.random.default_rng(8)
    centre, apart = np.eye(48)[0], np.eye(48)[1] * 1.5
    layouts = unit_rows(centre + unit_rows(rng.standard_normal((41, 48))) * np.ones((41, 1)))
    layouts[0], layouts[40] = unit_rows(np.stack([centre + apart, centre - apart]))
    vectors = unit_rows(rng.standard_normal((41, 64)) * 0.3 + np.ones(64) * 0.05)
    vectors[40] = unit_rows(vectors[:1] + unit_rows(rng.standard_normal((1, 64))) * 0.9)[0]
    details = rng.random((41, DETAIL_LENGTH)).astype(np.float32)
    details[40] = details[0] + rng.normal(0, 0.005, DETAIL_LENGTH)
    assert float(layouts[0] @ layouts[40]) < 0 and 0.6 < float(vectors[0] @ vectors[40]) < 0.85
    found = compute_duplicates(layouts, details=details, vectors=vectors)
    assert as_sets(found.groups) == {frozenset({0, 40})}
    assert as_sets(compute_duplicates(layouts, vectors=vectors).groups) == set()


@pytest.mark.parametrize("seed", range(3))
def test_vectors_that_agree_with_the_layout_give_the_same_groups(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = unit_rows(rng.standard_normal((40, 32)))
    noise = rng.standard_normal((8, 32)) * 0.02
    X = np.concatenate([base, unit_rows(base[:8] + noise)])
    details = rng.random((48, DETAIL_LENGTH)).astype(np.float32)
    details[40:] = details[:8] + rng.normal(0, 0.01, (8, DETAIL_LENGTH))
    V = unit_rows(X @ rng.standard_normal((32, 48)))  # the same geometry, another space
    plain = as_sets(compute_duplicates(X, details=details).groups)
    assert plain == {frozenset({i, 40 + i}) for i in range(8)}
    assert as_sets(compute_duplicates(X, details=details, vectors=V).groups) == plain


def test_same_content_is_always_grouped() -> None:
    X = np.eye(4, dtype=np.float32)
    groups = compute_duplicates(X, content_ids=["a", "b", "a", "c"]).groups
    assert [g.tolist() for g in groups] == [[0, 2]]


def test_float16_fingerprints_are_rescaled() -> None:
    rng = np.random.default_rng(5)
    X = unit_rows(rng.standard_normal((10, 16)))
    X = np.concatenate([X, X[:1] + 0.001]).astype(np.float16) * 3
    assert [g.tolist() for g in compute_duplicates(X).groups] == [[0, 10]]


def test_a_threshold_of_one_keeps_only_identical_rows() -> None:
    rng = np.random.default_rng(6)
    X = unit_rows(rng.standard_normal((10, 16)))
    X = np.concatenate([X, X[:1], unit_rows(X[1:2] + 0.001)])
    assert [g.tolist() for g in compute_duplicates(X, threshold=1.0).groups] == [[0, 10]]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_groups_do_not_depend_on_input_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    base = unit_rows(rng.standard_normal((30, 32)))
    X = np.concatenate([base, unit_rows(base[:6] + rng.standard_normal((6, 32)) * 0.02)])
    perm = rng.permutation(len(X))
    groups = as_sets(compute_duplicates(X).groups)
    permuted = compute_duplicates(X[perm]).groups
    assert {frozenset(perm[list(g)].tolist()) for g in as_sets(permuted)} == groups
    assert len(groups) == 6


@pytest.mark.parametrize("seed", range(3))
def test_cell_search_finds_the_same_groups_as_the_exact_scan(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X = planted(3000, seed, d=48)
    exact = as_sets(compute_duplicates(X).groups)
    monkeypatch.setattr(pairs, "EXACT_PAIRS_LIMIT", 0)
    monkeypatch.setattr(
        "corpuscope.analysis.duplicates.nearest_rows",
        lambda X, M, k: pairs.nearest_rows(X, M, k, exact_limit=0),
    )
    assert as_sets(compute_duplicates(X).groups) == exact
    assert len(exact) >= 250


def test_cell_search_with_vectors_and_mirrors_finds_the_exact_scan_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(5)
    X = planted(3000, 5, d=FINGERPRINT_LENGTH)
    V = planted(3000, 5, d=64)  # the same copies, another space
    src = rng.choice(3000, 50, replace=False)
    X = np.concatenate([X, mirror_fingerprints(X[src])])  # mirrored copies (the layout alone)
    V = np.concatenate([V, unit_rows(V[src] + rng.standard_normal((50, 64)) * 0.01)])
    exact = as_sets(compute_duplicates(X, vectors=V).groups)
    monkeypatch.setattr(
        "corpuscope.analysis.duplicates.nearest_rows",
        lambda X, M, k: pairs.nearest_rows(X, M, k, exact_limit=0),
    )
    assert as_sets(compute_duplicates(X, vectors=V).groups) == exact
    assert sum(frozenset({int(s), 3000 + i}) <= g for i, s in enumerate(src) for g in exact) >= 45


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
        {"details": np.eye(2, dtype=np.float32)},
        {"details": np.full((3, DETAIL_LENGTH), np.nan)},
        {"vectors": np.ones((2, 8))},
        {"vectors": np.full((3, 8), np.nan)},
    ],
)
def test_bad_parameters(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        compute_duplicates(np.eye(3, dtype=np.float32), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [np.ones(3), np.full((2, 2), np.inf), np.ones((2, 0))])
def test_bad_fingerprints(bad: np.ndarray) -> None:
    with pytest.raises(InvalidInput):
        compute_duplicates(bad)


def crowd_with_copies(
    rng: np.random.Generator, n: int, copies: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` images whose vectors form 8 tight crowds (cosine ~0.9 within one) while their
    layouts and finer pictures differ, the last ``copies`` of them copies of the first ones."""
    layouts = rng.standard_normal((n, FINGERPRINT_LENGTH))
    details = rng.random((n, DETAIL_LENGTH))
    centres = rng.standard_normal((8, 64))
    vectors = centres[np.arange(n) % 8] + rng.standard_normal((n, 64)) * 0.35
    for X, noise in ((layouts, 0.02), (details, 0.005), (vectors, 0.02)):
        X[n - copies :] = X[:copies] + rng.standard_normal((copies, X.shape[1])) * noise
    return unit_rows(layouts), details.astype(np.float16), unit_rows(vectors)


def test_a_crowd_of_look_alike_vectors_sends_few_pairs_to_the_finer_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each image's nearest by vector sit far closer than its nearest by layout (which the model
    # finds unrelated): the union of the two lists must not make the whole crowd "stand out".
    rng = np.random.default_rng(11)
    n, copies = 400, 6
    layouts, details, vectors = crowd_with_copies(rng, n, copies)
    checked: list[int] = []

    def counted(*args: np.ndarray) -> np.ndarray:
        checked.append(len(args[1]))
        return compare_details(*args)

    monkeypatch.setattr(duplicates, "compare_details", counted)
    found = compute_duplicates(layouts, details=details, vectors=vectors)
    assert as_sets(found.groups) == {frozenset({i, n - copies + i}) for i in range(copies)}
    assert sum(checked) <= 2 * copies  # the copies, not ~NEIGHBOURS pairs per image


def test_the_finer_check_in_batches_gives_the_same_groups_and_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(12)
    layouts = crowd(rng, 60, FINGERPRINT_LENGTH, 0.1)  # look-alikes: the nearest 4 checked
    layouts[50:] = unit_rows(layouts[:10] + rng.normal(0, 0.002, (10, FINGERPRINT_LENGTH)))
    details = rng.random((60, DETAIL_LENGTH)).astype(np.float32)
    details[50:] = details[:10] + rng.normal(0, 0.01, (10, DETAIL_LENGTH))
    checked: list[int] = []

    def counted(*args: np.ndarray) -> np.ndarray:
        checked.append(len(args[1]))
        return compare_details(*args)

    monkeypatch.setattr(duplicates, "compare_details", counted)
    whole = compute_duplicates(layouts, details=details)
    monkeypatch.setattr(duplicates, "_CHECK_BATCH", 7)
    batched = compute_duplicates(layouts, details=details.astype(np.float16))
    assert checked[0] > 7 and max(checked[1:]) == 7  # one call, then batches of 7 pairs
    assert as_sets(batched.groups) == as_sets(whole.groups)
    assert as_sets(whole.groups) == {frozenset({i, 50 + i}) for i in range(10)}
    assert np.allclose(batched.scores, whole.scores, atol=2e-3)  # float16 pictures
