"""Reading many files in worker processes, in order, surviving a worker that crashes.

A decoder that crashes on a crafted file (a segfault in a codec library) takes its worker
process down. The pool is then restarted, the chunk that was being read is read again one file
at a time, and the file that brings a worker down again is recorded as an error; the import
goes on. The other way round, workers end on their own when the importing process is killed
(SIGKILL, the out-of-memory killer) instead of waiting for ever on a pipe nobody reads.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

from corpuscope.ingest.reader import ReadSettings, read_file
from corpuscope.ingest.records import FileRecord
from corpuscope.ingest.scan import ScannedFile
from corpuscope.lifeline import end_with

CRASHED = "reading this file crashed the image decoder"
Reader = Callable[[Path, ScannedFile, ReadSettings], FileRecord]
Chunk = list[ScannedFile]


def read_chunk(
    root: Path, chunk: Sequence[ScannedFile], settings: ReadSettings, reader: Reader = read_file
) -> list[FileRecord]:
    return [reader(root, scanned, settings) for scanned in chunk]


def read_files(
    root: Path,
    files: Sequence[ScannedFile],
    settings: ReadSettings,
    *,
    workers: int,
    cancel: threading.Event | None = None,
    reader: Reader = read_file,
    chunk_size: int = 8,
) -> Iterator[FileRecord]:
    """Records for ``files`` in order, read by ``workers`` processes (``reader`` must be a
    module-level function, so that worker processes can import it)."""
    pool = _Pool(partial(read_chunk, root, settings=settings, reader=reader), workers)
    chunks = deque(list(files[i : i + chunk_size]) for i in range(0, len(files), chunk_size))
    pending: deque[tuple[Chunk, Future[list[FileRecord]]]] = deque()
    try:
        while chunks or pending:
            while chunks and len(pending) < workers * 3:
                chunk = chunks.popleft()
                pending.append((chunk, pool.submit(chunk)))
            chunk, future = pending.popleft()
            yield from pool.result(chunk, future, pending)
            if cancel is not None and cancel.is_set():
                return
    finally:
        pool.close()


class _Pool:
    def __init__(self, job: Callable[[Chunk], list[FileRecord]], workers: int) -> None:
        self._job = job
        self._workers = workers
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["corpuscope.ingest.reader"])
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=context,
            initializer=end_with,
            initargs=(os.getpid(),),
        )

    def submit(self, chunk: Chunk) -> Future[list[FileRecord]]:
        return self._executor.submit(self._job, chunk)

    def result(
        self,
        chunk: Chunk,
        future: Future[list[FileRecord]],
        pending: deque[tuple[Chunk, Future[list[FileRecord]]]],
    ) -> list[FileRecord]:
        """The chunk's records; after a crash, the pool restarts and the chunk is read file by
        file, and the chunks that were in flight are submitted again."""
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        self._restart()
        records = [self._alone(scanned) for scanned in chunk]
        for index, (other, _) in enumerate(pending):
            pending[index] = (other, self.submit(other))
        return records

    def _alone(self, scanned: ScannedFile) -> FileRecord:
        try:
            return self.submit([scanned]).result()[0]
        except BrokenProcessPool:
            self._restart()
            return FileRecord(scanned.rel_path, scanned.size, scanned.mtime_ns, error=CRASHED)

    def _restart(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._start()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
