"""The pipeline with real worker processes (spawned) and a numpy fake model.

Starting worker processes takes a second or two on a busy machine, so beyond the essential
cases these tests are marked slow, as are the bundled model's runs.
"""

from __future__ import annotations

import gc
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed.chunks import prepare_chunk
from corpuscope.embed.efficientnet import EfficientNetLite0
from corpuscope.embed.pipeline import CRASHED, EmbeddedBatch, embed_files
from corpuscope.errors import InvalidInput

from .conftest import (
    CrashingPreprocessing,
    FakeEmbedder,
    FakeEmbedderWithRecipe,
    generated_picture,
)


def _write(folder: Path, count: int, *, size: tuple[int, int] = (64, 48)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        path = folder / f"{seed:03d}.jpg"
        generated_picture(seed, size).save(path, quality=90)
        paths.append(path)
    return paths


def _collect(batches: list[EmbeddedBatch]) -> tuple[list[int], np.ndarray, list[tuple[int, str]]]:
    ids = [int(i) for batch in batches for i in batch.ids]
    vectors = np.concatenate([batch.vectors for batch in batches])
    failures = [failure for batch in batches for failure in batch.failures]
    return ids, vectors, failures


def _mixed_items(tmp_path: Path, broken_files: dict[str, Path]) -> list[tuple[int, Path]]:
    good = _write(tmp_path / "good", 9)
    bad = list(broken_files.values())
    items: list[tuple[int, Path]] = []
    for index, path in enumerate(good):
        items.append((1000 - 7 * index, path))  # ids deliberately not sorted
        if index < len(bad):
            items.append((5 + index, bad[index]))
    return items


def test_bad_files_are_failures_and_order_is_kept(
    fake: FakeEmbedder, tmp_path: Path, broken_files: dict[str, Path]
) -> None:
    items = _mixed_items(tmp_path, broken_files)
    batches = list(embed_files(items, fake, batch_size=4, workers=2))
    assert [len(b.ids) + len(b.failures) for b in batches] == [4, 4, 4, 3]
    ids, vectors, failures = _collect(batches)
    bad_ids = {5 + index for index in range(len(broken_files))}
    assert ids == [item_id for item_id, _ in items if item_id not in bad_ids]
    assert [item_id for item_id, _ in failures] == [i for i, _ in items if i in bad_ids]
    assert all(reason.endswith(".") for _, reason in failures)
    assert vectors.shape == (9, fake.dim) and vectors.dtype == np.float32
    assert all(batch.ids.dtype == np.int64 for batch in batches)
    # the same as preparing and embedding everything here, one chunk
    prepared = prepare_chunk([(i, str(p)) for i, p in items], fake.preprocessing)
    assert np.allclose(vectors, fake.embed_batch(prepared.pixels), atol=1e-6)


@pytest.mark.slow
def test_in_process_and_worker_runs_agree(
    fake: FakeEmbedder, tmp_path: Path, broken_files: dict[str, Path]
) -> None:
    items = _mixed_items(tmp_path, broken_files)
    here = _collect(list(embed_files(items, fake, batch_size=3, workers=0)))
    there = _collect(list(embed_files(items, fake, batch_size=3, workers=2)))
    assert here[0] == there[0] and here[2] == there[2]
    assert np.array_equal(here[1], there[1])


@pytest.mark.slow
def test_workers_holding_the_model_give_the_same_vectors(
    importable_tests: None, tmp_path: Path, broken_files: dict[str, Path]
) -> None:
    items = _mixed_items(tmp_path, broken_files)
    holder = FakeEmbedderWithRecipe()
    here = _collect(list(embed_files(items, holder, batch_size=3, workers=0)))
    there = _collect(list(embed_files(items, holder, batch_size=3, workers=2)))
    assert here[0] == there[0] and here[2] == there[2]
    assert np.allclose(here[1], there[1], atol=1e-6)


def test_empty_input_and_a_single_batch(fake: FakeEmbedder, tmp_path: Path) -> None:
    assert list(embed_files([], fake)) == []
    paths = _write(tmp_path, 3)
    batches = list(embed_files(enumerate(paths), fake, batch_size=8))
    assert len(batches) == 1 and batches[0].ids.tolist() == [0, 1, 2]


@pytest.mark.slow
def test_an_all_bad_batch_has_empty_vectors(fake: FakeEmbedder, tmp_path: Path) -> None:
    items = [(i, tmp_path / f"missing-{i}.jpg") for i in range(6)]
    batches = list(embed_files(items, fake, batch_size=2, workers=2))
    assert [batch.vectors.shape for batch in batches] == [(0, fake.dim)] * 3
    assert [len(batch.failures) for batch in batches] == [2, 2, 2]


def test_parameters_are_checked(fake: FakeEmbedder) -> None:
    with pytest.raises(InvalidInput, match="batch size"):
        next(embed_files([], fake, batch_size=0))
    with pytest.raises(InvalidInput, match="workers"):
        next(embed_files([], fake, workers=-1))


def test_closing_early_ends_the_worker_processes(fake: FakeEmbedder, tmp_path: Path) -> None:
    paths = _write(tmp_path, 6)
    items = [(i, paths[i % len(paths)]) for i in range(400)]
    batches = embed_files(items, fake, batch_size=2, workers=2)
    first = next(batches)
    assert first.ids.tolist() == [0, 1]
    assert len(multiprocessing.active_children()) == 2
    batches.close()
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_dropping_the_iterator_ends_the_worker_processes(
    fake: FakeEmbedder, tmp_path: Path
) -> None:
    paths = _write(tmp_path, 4)
    batches = embed_files([(i, paths[i % 4]) for i in range(100)], fake, batch_size=2, workers=2)
    next(batches)
    del batches
    gc.collect()
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_a_worker_crash_fails_only_the_file_that_caused_it(
    importable_tests: None, tmp_path: Path
) -> None:
    fake = FakeEmbedder()
    crashing = FakeEmbedder(CrashingPreprocessing(**vars(fake.preprocessing)))
    paths = _write(tmp_path, 7)
    killer = tmp_path / "killer.png"
    Image.new("RGB", (13, 13), (10, 20, 30)).save(killer)
    items = [(i, p) for i, p in enumerate(paths)]
    items.insert(4, (77, killer))
    batches = list(embed_files(items, crashing, batch_size=3, workers=2))
    ids, vectors, failures = _collect(batches)
    assert ids == [i for i, _ in items if i != 77]
    assert failures == [(77, CRASHED)]
    prepared = prepare_chunk([(i, str(p)) for i, p in items if i != 77], fake.preprocessing)
    assert np.allclose(vectors, fake.embed_batch(prepared.pixels), atol=1e-6)
    assert multiprocessing.active_children() == []


@pytest.mark.slow
def test_the_bundled_model_through_the_pipeline(
    bundled: EfficientNetLite0, tmp_path: Path, broken_files: dict[str, Path]
) -> None:
    assert bundled.worker_recipe() is not None  # workers hold their own ONNX copy
    paths = _write(tmp_path / "photos", 20, size=(512, 384))
    items = [(i, p) for i, p in enumerate(paths)] + [(99, broken_files["truncated"])]
    ids, vectors, failures = _collect(list(embed_files(items, bundled, batch_size=8, workers=2)))
    assert ids == list(range(20)) and [f[0] for f in failures] == [99]
    expected = bundled.embed_images([Image.open(p) for p in paths])
    assert np.abs(vectors - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    here = _collect(list(embed_files(items, bundled, batch_size=8, workers=0)))
    assert np.abs(here[1] - vectors).max() < 1e-5
