from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from corpuscope.embed import worker
from corpuscope.embed.chunks import EmbeddedBatch, PreparedChunk
from corpuscope.embed.preprocessing import ImagePreprocessing

from .conftest import FakeEmbedder, FakeRecipe


@pytest.fixture(autouse=True)
def reset_worker() -> Iterator[None]:
    yield
    worker.start(None, 1, os.getpid())


@pytest.fixture
def files(tmp_path: Path) -> list[tuple[int, str]]:
    paths = []
    for index in range(3):
        path = tmp_path / f"{index}.png"
        Image.new("RGB", (20, 20), (index * 80, 50, 50)).save(path)
        paths.append((index + 10, str(path)))
    return [*paths, (99, str(tmp_path / "missing.png"))]


def test_without_a_recipe_a_worker_prepares_inputs(
    fake: FakeEmbedder, files: list[tuple[int, str]]
) -> None:
    worker.start(None, 1, os.getpid())
    outcome = worker.process(files, fake.preprocessing)
    assert isinstance(outcome, PreparedChunk)
    assert outcome.ids.tolist() == [10, 11, 12] and outcome.pixels.shape == (3, 3, 16, 16)
    assert [item_id for item_id, _ in outcome.failures] == [99]


def test_with_a_recipe_a_worker_returns_vectors(
    fake: FakeEmbedder, files: list[tuple[int, str]]
) -> None:
    worker.start(FakeRecipe(fake.preprocessing), 1, os.getpid())
    outcome = worker.process(files, fake.preprocessing)
    assert isinstance(outcome, EmbeddedBatch)
    prepared = np.stack([fake.preprocessing.apply(Image.open(path)) for _, path in files[:3]])
    assert np.allclose(outcome.vectors, fake.embed_batch(prepared))
    assert [item_id for item_id, _ in outcome.failures] == [99]


class BrokenRecipe:
    def load(self, threads: int) -> FakeEmbedder:
        raise RuntimeError("no runtime here")


def test_a_recipe_that_fails_to_load_leaves_a_decoding_worker(
    fake: FakeEmbedder, files: list[tuple[int, str]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        worker.start(BrokenRecipe(), 1, os.getpid())
    assert "decoding only" in caplog.text
    assert isinstance(worker.process(files, fake.preprocessing), PreparedChunk)


def test_an_all_bad_chunk_needs_no_model(tmp_path: Path) -> None:
    preprocessing = ImagePreprocessing(resize=8, crop=8, mean=(0, 0, 0), std=(1, 1, 1))
    worker.start(FakeRecipe(preprocessing), 1, os.getpid())
    outcome = worker.process([(1, str(tmp_path / "nope.png"))], preprocessing)
    assert isinstance(outcome, PreparedChunk) and outcome.ids.shape == (0,)
