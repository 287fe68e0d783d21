"""Vectors for many image files, with every core busy.

Worker processes (spawned, so safe beside torch's and ONNX Runtime's threads on every
platform) read, decode and preprocess chunks of ``batch_size`` files. For a model that offers
a :meth:`~corpuscope.embed.base.Embedder.worker_recipe` (the bundled one under ONNX Runtime)
each worker also runs its own single-threaded copy of the model, one worker per core: on a
small CPU this beats one multi-threaded model fed by decoders (docs/models.md has the
figures). Other models run batched inference in the main process while the workers prepare
the next chunks. At most ``2 * workers`` chunks are in flight, so memory stays bounded
however long the input; closing the iterator (or dropping it) shuts the workers down.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from corpuscope.embed import worker
from corpuscope.embed.base import Embedder, WorkerRecipe
from corpuscope.embed.chunks import (
    EmbeddedBatch,
    ModelPicture,
    PreparedChunk,
    Source,
    merge_batches,
    prepare_chunk,
)
from corpuscope.embed.cores import count_cores, default_workers
from corpuscope.errors import InvalidInput

__all__ = ["EmbeddedBatch", "ModelPicture", "embed_files"]

Chunk = list[tuple[int, Source]]
Outcome = PreparedChunk | EmbeddedBatch
CRASHED = "Decoding this file crashed the worker process."
THREADS_PER_WORKER = 1  # for workers that hold the model; measured best on 2 to 8 cores


def embed_files(
    items: Iterable[tuple[int, Path | ModelPicture]],
    embedder: Embedder,
    *,
    batch_size: int | None = None,
    workers: int | None = None,
) -> Generator[EmbeddedBatch, None, None]:
    """Embed image files, yielding one :class:`EmbeddedBatch` per ``batch_size`` items.

    ``items`` are ``(id, path)`` pairs, read lazily; a path may be a :class:`ModelPicture`
    (pixels already resized and cropped for this model, written at import), only normalised. Batches come in input order, every item in
    exactly one batch, as a vector or as a failure (a file that is missing, empty, truncated
    or not an image is a failure with a one-sentence reason, never an exception).
    ``workers=0`` does everything in this process; ``None`` picks a count for this machine.
    Stop early with ``close()`` (or by dropping the generator): the workers end with it.
    """
    size = embedder.batch_size if batch_size is None else batch_size
    recipe = embedder.worker_recipe()
    if workers is None:
        workers = count_cores() if recipe is not None else default_workers()
    if size < 1:
        raise InvalidInput("The batch size must be at least 1.")
    if workers < 0:
        raise InvalidInput("The number of workers cannot be negative.")
    chunks = _chunks(items, size)
    head = list(itertools.islice(chunks, 2))
    if workers == 0 or len(head) < 2:  # too little work to be worth starting processes
        for chunk in itertools.chain(head, chunks):
            yield _finish(prepare_chunk(chunk, embedder.preprocessing), embedder)
        return
    pool = _Pool(embedder, workers, recipe)
    try:
        yield from _run(itertools.chain(head, chunks), pool, depth=2 * workers)
    finally:
        pool.close()


def _run(chunks: Iterator[Chunk], pool: _Pool, *, depth: int) -> Iterator[EmbeddedBatch]:
    pending: deque[tuple[Chunk, Future[Outcome]]] = deque()
    for chunk in chunks:
        pending.append((chunk, pool.submit(chunk)))
        if len(pending) >= depth:
            yield pool.result(*pending.popleft())
    while pending:
        yield pool.result(*pending.popleft())


def _finish(outcome: Outcome, embedder: Embedder) -> EmbeddedBatch:
    if isinstance(outcome, EmbeddedBatch):
        return outcome
    return EmbeddedBatch(outcome.ids, embedder.embed_batch(outcome.pixels), outcome.failures)


def _chunks(items: Iterable[tuple[int, Path | ModelPicture]], size: int) -> Iterator[Chunk]:
    iterator = iter(items)
    while True:
        chunk = [
            (int(item_id), _source(path)) for item_id, path in itertools.islice(iterator, size)
        ]
        if not chunk:
            return
        yield chunk


def _source(path: Path | ModelPicture) -> Source:
    return path if isinstance(path, ModelPicture) else str(path)


class _Pool:
    """Spawned worker processes that survive one of them crashing on a file."""

    def __init__(self, embedder: Embedder, workers: int, recipe: WorkerRecipe | None) -> None:
        self._embedder = embedder
        self._workers = workers
        self._recipe = recipe
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.start,
            initargs=(self._recipe, THREADS_PER_WORKER, os.getpid()),
        )

    def submit(self, chunk: Chunk) -> Future[Outcome]:
        preprocessing = self._embedder.preprocessing
        try:
            return self._executor.submit(worker.process, chunk, preprocessing)
        except BrokenProcessPool:
            self._restart()
            return self._executor.submit(worker.process, chunk, preprocessing)

    def result(self, chunk: Chunk, future: Future[Outcome]) -> EmbeddedBatch:
        """The chunk's batch; after a worker crash, its files are retried one by one."""
        try:
            return _finish(future.result(), self._embedder)
        except BrokenProcessPool:
            return self._one_by_one(chunk)

    def _one_by_one(self, chunk: Chunk) -> EmbeddedBatch:
        parts: list[EmbeddedBatch] = []
        for item in chunk:
            try:
                parts.append(_finish(self.submit([item]).result(), self._embedder))
            except BrokenProcessPool:
                self._restart()
                empty = np.empty((0, self._embedder.dim), dtype=np.float32)
                parts.append(EmbeddedBatch(np.empty(0, np.int64), empty, ((item[0], CRASHED),)))
        return merge_batches(parts, self._embedder.dim)

    def _restart(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._start()

    def close(self) -> None:
        """Cancel what has not started, wait for what has, and end the processes."""
        self._executor.shutdown(wait=True, cancel_futures=True)
