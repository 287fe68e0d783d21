"""Image vectors: one set per (model, version), one float32 row per image.

SQLite holds the vectors (the source of truth, written batch by batch); a cache file per set
and revision (``cache/vectors-<set>-r<revision>.npy``) lets a million vectors load as one
contiguous ``(n, d)`` array in about a second instead of being read row by row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpuscope.atomic import write_atomically
from corpuscope.errors import NotFound
from corpuscope.filenames import name_text

#: Rows read from the database at a time when no cache file is there.
_READ_CHUNK = 16384


@dataclass(frozen=True)
class VectorSet:
    id: int
    model: str
    version: str
    dim: int
    preprocessing: str
    runtime: str
    revision: int
    created_at: str


def _vector_set(row: sqlite3.Row) -> VectorSet:
    return VectorSet(*tuple(row))


def save_vector_set(
    conn: sqlite3.Connection,
    *,
    model: str,
    version: str,
    dim: int,
    preprocessing: str,
    runtime: str,
) -> VectorSet:
    """Get or create the set of a model version (the runtime is updated: it does not change results)."""
    conn.execute(
        """INSERT INTO vector_sets (model, version, dim, preprocessing, runtime)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (model, version) DO UPDATE SET runtime = excluded.runtime""",
        (model, version, dim, preprocessing, runtime),
    )
    row = conn.execute(
        "SELECT * FROM vector_sets WHERE model = ? AND version = ?", (model, version)
    ).fetchone()
    return _vector_set(row)


def find_vector_set(conn: sqlite3.Connection, model: str) -> VectorSet | None:
    """The newest set of a model (an older version's vectors are never mixed in)."""
    row = conn.execute(
        "SELECT * FROM vector_sets WHERE model = ? ORDER BY id DESC LIMIT 1", (model,)
    ).fetchone()
    return None if row is None else _vector_set(row)


def load_vector_set(conn: sqlite3.Connection, model: str) -> VectorSet:
    found = find_vector_set(conn, model)
    if found is None:
        raise NotFound(
            f"This project has no vectors for the model {model}; "
            f"compute them with `corpuscope vectors PROJECT --model {model}`.",
            code="vectors.missing",
            params={"model": model},
        )
    return found


def find_newest_model(conn: sqlite3.Connection) -> str | None:
    """The model whose vector set was created last, or None when there is none."""
    row = conn.execute("SELECT model FROM vector_sets ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def load_chosen_model(conn: sqlite3.Connection) -> str | None:
    """The model the project was told to work with, or None when it never was."""
    row = conn.execute("SELECT model FROM model_choice WHERE id = 1").fetchone()
    return None if row is None else str(row[0])


def save_chosen_model(conn: sqlite3.Connection, model: str) -> None:
    conn.execute(
        """INSERT INTO model_choice (id, model) VALUES (1, ?)
           ON CONFLICT (id) DO UPDATE SET model = excluded.model,
               chosen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')""",
        (model,),
    )


def find_vector_set_by_id(conn: sqlite3.Connection, set_id: int | None) -> VectorSet | None:
    row = conn.execute("SELECT * FROM vector_sets WHERE id = ?", (set_id,)).fetchone()
    return None if row is None else _vector_set(row)


def model_of_set(conn: sqlite3.Connection, set_id: int | None) -> str | None:
    """The model of a vector set, by id (None when there is no such set)."""
    found = find_vector_set_by_id(conn, set_id)
    return None if found is None else found.model


def list_vector_sets(
    conn: sqlite3.Connection, *, cache_dir: Path | None = None
) -> list[tuple[VectorSet, int]]:
    """Every set with its vector count (see :func:`count_vectors` for ``cache_dir``)."""
    sets = [_vector_set(row) for row in conn.execute("SELECT * FROM vector_sets ORDER BY id")]
    return [(found, count_vectors(conn, found, cache_dir=cache_dir)) for found in sets]


def count_vectors(
    conn: sqlite3.Connection, vector_set: VectorSet, *, cache_dir: Path | None = None
) -> int:
    """The set's vectors. Counting them in the table reads every vector (5 GB, seconds, at a
    million 1280-d ones), so with ``cache_dir`` holding the load cache of the set's current
    revision, the count is the length of its ids (read from the file's header)."""
    revision = conn.execute(
        "SELECT revision FROM vector_sets WHERE id = ?", (vector_set.id,)
    ).fetchone()
    if cache_dir is not None and revision is not None:
        ids_path, vectors_path = _cache_paths(cache_dir, vector_set.id, revision[0])
        try:
            if vectors_path.exists():
                return len(np.load(ids_path, mmap_mode="r"))
        except (OSError, ValueError, EOFError):
            pass  # no cache, or a damaged one: count in the table
    row = conn.execute("SELECT COUNT(*) FROM vectors WHERE set_id = ?", (vector_set.id,))
    return int(row.fetchone()[0])


def save_vectors(
    conn: sqlite3.Connection,
    vector_set: VectorSet,
    ids: npt.NDArray[np.int64],
    vectors: npt.NDArray[np.float32],
    failures: Sequence[tuple[int, str]] = (),
) -> None:
    """Store one batch of vectors (and of images that could not be embedded)."""
    rows = np.ascontiguousarray(vectors, dtype=np.float32)
    conn.executemany(
        "INSERT OR REPLACE INTO vectors (set_id, image_id, vector) VALUES (?, ?, ?)",
        ((vector_set.id, int(i), rows[k].tobytes()) for k, i in enumerate(ids)),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO vector_failures (set_id, image_id, reason) VALUES (?, ?, ?)",
        ((vector_set.id, int(i), reason) for i, reason in failures),
    )
    conn.execute("UPDATE vector_sets SET revision = revision + 1 WHERE id = ?", (vector_set.id,))


def list_images_without_vectors(
    conn: sqlite3.Connection, vector_set_id: int | None
) -> list[tuple[int, str, str, str]]:
    """(image id, sha1, folder path, relative path of one ok file) for images still to embed;
    the paths open the files (``os.fsdecode`` strings of the stored bytes)."""
    rows = conn.execute(
        """SELECT images.id, images.sha1, folders.path_bytes, files.path_bytes FROM images
           JOIN files ON files.id = (
               SELECT id FROM files WHERE image_id = images.id AND status = 'ok' ORDER BY id LIMIT 1)
           JOIN folders ON folders.id = files.folder_id
           WHERE NOT EXISTS (SELECT 1 FROM vectors WHERE set_id = ? AND image_id = images.id)
             AND NOT EXISTS (SELECT 1 FROM vector_failures WHERE set_id = ? AND image_id = images.id)
           ORDER BY images.id""",
        (vector_set_id, vector_set_id),
    )
    return [(row[0], row[1], name_text(row[2]), name_text(row[3])) for row in rows]


def list_ids_without_vectors(
    conn: sqlite3.Connection, vector_set_id: int, image_ids: Sequence[int], *, limit: int = 5
) -> list[int]:
    """Up to ``limit`` of ``image_ids`` that have no vector in the set (ascending)."""
    rows = conn.execute(
        """SELECT DISTINCT wanted.value FROM json_each(?) wanted
           WHERE NOT EXISTS (SELECT 1 FROM vectors WHERE set_id = ? AND image_id = wanted.value)
           ORDER BY wanted.value LIMIT ?""",
        (json.dumps([int(i) for i in image_ids]), vector_set_id, limit),
    )
    return [int(row[0]) for row in rows]


def list_vector_failures(conn: sqlite3.Connection, vector_set_id: int) -> list[tuple[int, str]]:
    rows = conn.execute(
        "SELECT image_id, reason FROM vector_failures WHERE set_id = ? ORDER BY image_id",
        (vector_set_id,),
    )
    return [tuple(row) for row in rows]


def load_vectors(
    conn: sqlite3.Connection, vector_set: VectorSet, cache_dir: Path | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """All vectors of a set as ``(ids (n,) int64 sorted, X (n, d) float32 contiguous)``.

    With a ``cache_dir``, ``X`` is a read-only memory map of the cache file.
    """
    revision = conn.execute(
        "SELECT revision FROM vector_sets WHERE id = ?", (vector_set.id,)
    ).fetchone()[0]
    cached = _cache_paths(cache_dir, vector_set.id, revision) if cache_dir else None
    if cached and (found := _load_cache(cached, vector_set.dim)) is not None:
        return found
    ids, X = _read_vectors(conn, vector_set)
    if cached:
        _write_cache(cached, ids, X, cache_dir, vector_set.id)
    return ids, X


def _load_cache(
    paths: tuple[Path, Path], dim: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]] | None:
    """The cached arrays if both files are there and whole (a damaged cache is made again).

    ``X`` is memory-mapped: a million vectors "load" at once; pages are read as they are used.
    """
    if not (paths[0].exists() and paths[1].exists()):
        return None
    try:
        ids = np.load(paths[0])
        X = np.load(paths[1], mmap_mode="r")
    except (OSError, ValueError, EOFError):
        return None
    if ids.dtype != np.int64 or X.dtype != np.float32 or X.shape != (len(ids), dim):
        return None
    return ids, X


def _read_vectors(
    conn: sqlite3.Connection, vector_set: VectorSet
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Rows straight into one preallocated array: peak memory is the set once, not twice."""
    count = conn.execute(
        "SELECT COUNT(*) FROM vectors WHERE set_id = ?", (vector_set.id,)
    ).fetchone()[0]
    ids = np.empty(count, dtype=np.int64)
    X = np.empty((count, vector_set.dim), dtype=np.float32)
    cursor = conn.execute(
        "SELECT image_id, vector FROM vectors WHERE set_id = ? ORDER BY image_id", (vector_set.id,)
    )
    filled = 0
    while rows := cursor.fetchmany(_READ_CHUNK):
        if filled + len(rows) > len(ids):  # rows written since the count
            ids = np.resize(ids, filled + len(rows))
            X = np.resize(X, (filled + len(rows), vector_set.dim))
        part = slice(filled, filled + len(rows))
        ids[part] = [image_id for image_id, _ in rows]
        X[part] = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.float32).reshape(
            len(rows), vector_set.dim
        )
        filled += len(rows)
    return ids[:filled], X[:filled]


def _cache_paths(cache_dir: Path, set_id: int, revision: int) -> tuple[Path, Path]:
    stem = f"vectors-{set_id}-r{revision}"
    return cache_dir / f"{stem}.ids.npy", cache_dir / f"{stem}.npy"


def _write_cache(
    paths: tuple[Path, Path],
    ids: npt.NDArray[np.int64],
    X: npt.NDArray[np.float32],
    cache_dir: Path | None,
    set_id: int,
) -> None:
    """Write the cache atomically and drop older revisions of the same set."""
    assert cache_dir is not None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for stale in cache_dir.glob(f"vectors-{set_id}-r*.npy"):
            stale.unlink(missing_ok=True)
        _save_array(paths[0], ids)
        _save_array(paths[1], X)
    except OSError:
        pass  # the cache only saves time; the database stays the source of truth


def _save_array(path: Path, array: npt.NDArray[np.generic]) -> None:
    with write_atomically(path) as handle:
        np.save(handle, array)
