"""Walking an imported folder: every candidate image file, and every place the walk failed.

Symbolic links are followed, to files and to folders, but a folder already visited (the same
device and inode) is never entered twice, so a symlink loop ends the branch instead of the walk.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

IMAGE_SUFFIXES = frozenset(
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff",
        ".bmp", ".dib", ".heic", ".heif", ".avif",
    }
)  # fmt: skip


_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
#: The range of SQLite's integers: a modification time past 2262 (ext4 allows 2446) is clamped.
_NS_RANGE = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class ScannedFile:
    """A regular file with an image suffix; ``rel_path`` uses ``/`` whatever the platform, and
    holds the name's bytes as ``os.fsdecode`` does (see :mod:`corpuscope.filenames`)."""

    rel_path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ScanProblem:
    """A path the walk could not use, with a reason a person understands."""

    rel_path: str
    reason: str


def describe_kind(mode: int, *, link: bool = False) -> str:
    """Why a file of this ``st_mode`` is not read: ``"a named pipe (FIFO), not a regular file"``
    (``link``: the name is a symbolic link to such a file)."""
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    if link:
        return f"a symbolic link to {kind}, not to a regular file"
    return f"{kind}, not a regular file"


def is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES


def scan_folder(root: Path, *, exclude: Sequence[Path] = ()) -> Iterator[ScannedFile | ScanProblem]:
    """Yield the image files under ``root`` (recursively, sorted by path) and the problems met.

    Folders in ``exclude`` are never entered (the project's thumbnails, for instance).
    """
    visited = {_identity(root)}
    visited.update(_identity(path) for path in exclude if path.is_dir())
    yield from _walk(root, "", visited)


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return (info.st_dev, info.st_ino)


def _walk(
    folder: Path, prefix: str, visited: set[tuple[int, int]]
) -> Iterator[ScannedFile | ScanProblem]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        yield ScanProblem(prefix.rstrip("/") or ".", f"cannot list the folder: {_why(error)}")
        return
    for entry in entries:
        rel = prefix + entry.name
        try:
            info = entry.stat(follow_symlinks=True)
        except FileNotFoundError:
            if entry.is_symlink() and is_image_name(entry.name):
                yield ScanProblem(rel, "broken symbolic link (its target does not exist)")
            continue
        except OSError as error:
            if is_image_name(entry.name) or entry.is_symlink():
                yield ScanProblem(rel, f"cannot read the file's details: {_why(error)}")
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in visited:
                if entry.is_symlink():
                    yield ScanProblem(rel, "symbolic link to a folder already scanned (a loop)")
                continue
            visited.add(key)
            yield from _walk(Path(entry.path), rel + "/", visited)
        elif is_image_name(entry.name):
            if stat.S_ISREG(info.st_mode):
                mtime_ns = min(max(info.st_mtime_ns, _NS_RANGE[0]), _NS_RANGE[1])
                yield ScannedFile(rel, info.st_size, mtime_ns)
            else:
                yield ScanProblem(rel, describe_kind(info.st_mode, link=entry.is_symlink()))


def _why(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
