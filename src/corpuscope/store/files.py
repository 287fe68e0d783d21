"""Files (instances) and images (contents) as the importer records them.

An image is never deleted: a vanished file is marked ``missing`` and keeps its annotations, and
a file that reappears elsewhere with the same bytes takes the missing row over (a move).

A file's relative path is stored as its bytes (``path_bytes``, to open it again) and its shown
text (``path``, the key within the folder; see :mod:`corpuscope.filenames`). Callers hand in
and get back paths as ``os.fsdecode`` strings, which hold any bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.filenames import format_name, name_bytes, name_text
from corpuscope.ingest.records import FileRecord, ImageRecord
from corpuscope.store.folders import Folder

FileState = tuple[int | None, int | None, str]  # size, mtime_ns, status


@dataclass(frozen=True)
class SavedBatch:
    """What a batch did: each record counts once, as an error (a file that is not a readable
    image) or as an image file added, updated or moved."""

    added: int
    updated: int
    moved: int
    errors: int


def load_file_states(conn: sqlite3.Connection, folder_id: int) -> dict[str, FileState]:
    """Relative path (an ``os.fsdecode`` string) -> (size, mtime_ns, status) in one folder."""
    rows = conn.execute(
        "SELECT path_bytes, size, mtime_ns, status FROM files WHERE folder_id = ?", (folder_id,)
    )
    return {name_text(row[0]): (row[1], row[2], row[3]) for row in rows}


def save_file_records(
    conn: sqlite3.Connection,
    folder: Folder,
    records: Iterable[FileRecord],
    *,
    exists: Callable[[Path], bool],
) -> SavedBatch:
    """Write one batch of import records; ``exists`` tells whether a path is still on disk."""
    added = updated = moved = errors = 0
    for record in records:
        image_id = _save_image(conn, record.image) if record.image else None
        status = "ok" if image_id is not None else "error"
        errors += status == "error"
        raw = name_bytes(record.rel_path)
        names = (format_name(raw), raw)
        values = (record.size, record.mtime_ns, record.sha1, image_id, status, record.error)
        row = conn.execute(
            "SELECT id FROM files WHERE folder_id = ? AND path = ?", (folder.id, names[0])
        ).fetchone()
        if row is not None:
            _update_file(conn, row[0], folder.id, names, values)
            updated += status == "ok"
            continue
        moved_id = _find_moved(conn, record.sha1, exists) if image_id is not None else None
        if moved_id is not None:
            _update_file(conn, moved_id, folder.id, names, values)
            moved += 1
            continue
        conn.execute(
            """INSERT INTO files (folder_id, path, path_bytes, size, mtime_ns, sha1, image_id,
                                  status, error)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (folder.id, *names, *values),
        )
        added += status == "ok"
    return SavedBatch(added, updated, moved, errors)


def _save_image(conn: sqlite3.Connection, image: ImageRecord) -> int:
    row = conn.execute(
        """INSERT INTO images (sha1, width, height, format, fingerprint) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (sha1) DO UPDATE SET
               fingerprint = COALESCE(excluded.fingerprint, images.fingerprint)
           RETURNING id""",
        (image.sha1, image.width, image.height, image.format, image.fingerprint),
    ).fetchone()
    return int(row[0])


def _update_file(
    conn: sqlite3.Connection,
    file_id: int,
    folder_id: int,
    names: tuple[str, bytes],
    values: tuple[object, ...],
) -> None:
    conn.execute(
        """UPDATE files SET folder_id = ?, path = ?, path_bytes = ?, size = ?, mtime_ns = ?,
               sha1 = ?,
               image_id = COALESCE(?, image_id), status = ?, error = ?,
               updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
           WHERE id = ?""",
        (folder_id, *names, *values, file_id),
    )


def _find_moved(
    conn: sqlite3.Connection, sha1: str | None, exists: Callable[[Path], bool]
) -> int | None:
    """A file row with the same bytes whose own path no longer exists on disk."""
    rows = conn.execute(
        """SELECT files.id, folders.path_bytes, files.path_bytes FROM files
           JOIN folders ON folders.id = files.folder_id
           WHERE files.sha1 = ? AND files.status IN ('ok', 'missing')
           ORDER BY files.status = 'missing' DESC, files.id""",
        (sha1,),
    ).fetchall()
    for file_id, folder_path, rel_path in rows:
        if not exists(Path(name_text(folder_path)) / name_text(rel_path)):
            return int(file_id)
    return None


def mark_missing(conn: sqlite3.Connection, folder_id: int, seen: Iterable[str]) -> int:
    """After a complete scan, mark the folder's files that were not seen as missing."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS seen_paths (path TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM seen_paths")
    conn.executemany(
        "INSERT OR IGNORE INTO seen_paths VALUES (?)", ((format_name(path),) for path in seen)
    )
    cursor = conn.execute(
        """UPDATE files SET status = 'missing', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
           WHERE folder_id = ? AND status != 'missing'
             AND path NOT IN (SELECT path FROM seen_paths)""",
        (folder_id,),
    )
    conn.execute("DELETE FROM seen_paths")
    return cursor.rowcount


@dataclass(frozen=True)
class FileProblem:
    folder: str
    path: str
    status: str
    reason: str | None


@dataclass(frozen=True)
class Counts:
    files: int
    ok: int
    errors: int
    missing: int
    images: int


def count_files(conn: sqlite3.Connection) -> Counts:
    by_status = dict(conn.execute("SELECT status, COUNT(*) FROM files GROUP BY status").fetchall())
    images = conn.execute(
        "SELECT COUNT(DISTINCT image_id) FROM files WHERE status = 'ok'"
    ).fetchone()[0]
    ok, errors, missing = (by_status.get(key, 0) for key in ("ok", "error", "missing"))
    return Counts(ok + errors + missing, ok, errors, missing, images)


def list_file_problems(
    conn: sqlite3.Connection, status: str, *, limit: int | None = None
) -> list[FileProblem]:
    """Files in ``error`` (with their reasons) or ``missing``, ordered by folder and path."""
    rows = conn.execute(
        """SELECT folders.path, files.path, files.status, files.error FROM files
           JOIN folders ON folders.id = files.folder_id
           WHERE files.status = ? ORDER BY folders.path, files.path LIMIT ?""",
        (status, -1 if limit is None else limit),
    )
    return [FileProblem(*row) for row in rows]


def list_export_rows(conn: sqlite3.Connection) -> list[tuple[int, int, str, str, str]]:
    """(file id, image id, folder path, relative path, sha1) of files with an image, by path."""
    rows = conn.execute(
        """SELECT files.id, files.image_id, folders.path, files.path, files.sha1 FROM files
           JOIN folders ON folders.id = files.folder_id
           WHERE files.status IN ('ok', 'missing') AND files.image_id IS NOT NULL
           ORDER BY folders.path, files.path"""
    )
    return [tuple(row) for row in rows]


def locate_file(
    conn: sqlite3.Connection, folder: str, path: str, sha1: str
) -> tuple[int, int] | None:
    """(file id, image id) by folder and relative path, else by content hash."""
    row = conn.execute(
        """SELECT files.id, files.image_id FROM files JOIN folders ON folders.id = files.folder_id
           WHERE folders.path = ? AND files.path = ? AND files.image_id IS NOT NULL""",
        (folder, path),
    ).fetchone()
    if row is None and sha1:
        row = conn.execute(
            "SELECT id, image_id FROM files WHERE sha1 = ? AND image_id IS NOT NULL "
            "ORDER BY status = 'ok' DESC, id LIMIT 1",
            (sha1,),
        ).fetchone()
    return None if row is None else (int(row[0]), int(row[1]))


def load_image_paths(conn: sqlite3.Connection) -> dict[int, str]:
    """Image id -> relative path of one of its files (an ok file first, then the lowest id)."""
    rows = conn.execute(
        """SELECT image_id, path FROM files WHERE image_id IS NOT NULL
           ORDER BY image_id, status != 'ok', id"""
    )
    paths: dict[int, str] = {}
    for image_id, path in rows:
        paths.setdefault(image_id, path)
    return paths


def load_image_files(conn: sqlite3.Connection) -> dict[int, list[str]]:
    """Image id -> relative paths of all its ok files."""
    rows = conn.execute(
        "SELECT image_id, path FROM files WHERE status = 'ok' AND image_id IS NOT NULL "
        "ORDER BY image_id, id"
    )
    found: dict[int, list[str]] = {}
    for image_id, path in rows:
        found.setdefault(image_id, []).append(path)
    return found


_FINGERPRINTED = """FROM images WHERE length(fingerprint) = ?
    AND EXISTS (SELECT 1 FROM files WHERE files.image_id = images.id AND status = 'ok')"""


def load_fingerprints(
    conn: sqlite3.Connection, *, width: int, dtype: npt.DTypeLike
) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any]]:
    """``(ids (n,), rows (n, width))`` of the images that have an ok file and a fingerprint of
    ``width`` values of ``dtype`` (others, stored by an older version, are left out), by id.

    The rows go straight into one preallocated array (4.9 GB at a million images with their
    finer pictures), not a list of every row's bytes and then a joined copy of them."""
    size = width * np.dtype(dtype).itemsize
    count = conn.execute(f"SELECT COUNT(*) {_FINGERPRINTED}", (size,)).fetchone()[0]
    ids = np.empty(count, dtype=np.int64)
    rows = np.empty((count, width), dtype=dtype)
    cursor = conn.execute(f"SELECT id, fingerprint {_FINGERPRINTED} ORDER BY id", (size,))
    filled = 0
    while batch := cursor.fetchmany(10_000)[: count - filled]:  # rows added since: left out
        end = filled + len(batch)
        ids[filled:end] = [row[0] for row in batch]
        joined = b"".join(row[1] for row in batch)
        rows[filled:end] = np.frombuffer(joined, dtype=dtype).reshape(len(batch), width)
        filled = end
    return ids[:filled], rows[:filled]


def images_missing_fingerprint(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(id, sha1) of the images that have an ok file but no fingerprint, by id."""
    rows = conn.execute(
        """SELECT id, sha1 FROM images WHERE fingerprint IS NULL
           AND EXISTS (SELECT 1 FROM files WHERE files.image_id = images.id AND status = 'ok')
           ORDER BY id"""
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def save_fingerprints(conn: sqlite3.Connection, prints: Iterable[tuple[int, bytes]]) -> None:
    """Store ``(image id, fingerprint bytes)`` pairs."""
    conn.executemany(
        "UPDATE images SET fingerprint = ? WHERE id = ?", [(blob, i) for i, blob in prints]
    )
