"""Writing derived files (thumbnails, caches) so that a crash never leaves half a file.

The bytes go to a temporary name in the same folder, are flushed to the disk (``fsync``), and
only then take the real name (``os.replace``, atomic on POSIX). After a power loss a name
therefore holds either the old file or the whole new one; readers still check what they read,
since a disk can lose more than the last write.

Many small files written together (an import's thumbnails) skip the ``fsync`` of each file,
which costs a third of an import's speed on a slow disk: the writer instead flushes the whole
file system once (:func:`sync_filesystem`) before it commits the records that refer to them.
A crash before that flush leaves files no record refers to yet; the next import checks the
thumbnails it finds and makes damaged ones again.
"""

from __future__ import annotations

import ctypes
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def temporary_path(path: Path) -> Path:
    """A hidden name beside ``path`` that no other writer (process or thread) picks."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


@contextmanager
def write_atomically(path: Path, *, sync: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through; it takes the name once complete (and synced,
    unless ``sync`` is false: then the caller calls :func:`sync_filesystem` later)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        with temporary.open("xb") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def replace_synced(temporary: Path, path: Path) -> None:
    """Flush a file written by a library that takes a path to the disk, then give it its name."""
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _load_syncfs() -> Callable[[int], int] | None:
    try:
        syncfs: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs  # Linux
    except (OSError, AttributeError):
        return None
    return syncfs


_SYNCFS = _load_syncfs()


def sync_filesystem(path: Path) -> None:
    """Flush to the disk every file written on the file system that holds ``path`` (Linux's
    ``syncfs``; elsewhere every file system, ``sync``): one call for a batch of files."""
    if _SYNCFS is not None:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            if _SYNCFS(descriptor) == 0:
                return
        finally:
            os.close(descriptor)
    os.sync()
