"""Writing derived files (thumbnails, caches) so that a crash never leaves half a file.

The bytes go to a temporary name in the same folder, are flushed to the disk (``fsync``), and
only then take the real name (``os.replace``, atomic on POSIX). After a power loss a name
therefore holds either the old file or the whole new one; readers still check what they read,
since a disk can lose more than the last write.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def temporary_path(path: Path) -> Path:
    """A hidden name beside ``path`` that no other writer (process or thread) picks."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


@contextmanager
def write_atomically(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through; it takes the name once complete and synced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(path)
    try:
        with temporary.open("xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def replace_synced(temporary: Path, path: Path) -> None:
    """Flush a file written by a library that takes a path to the disk, then give it its name."""
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
