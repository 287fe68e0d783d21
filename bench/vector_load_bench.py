"""Loading a project's vectors for analysis: 1,000,000 x 512 float32 by default.

Prints the time to load every vector as one contiguous (n, d) array:
- baseline: row by row from SQLite (one np.frombuffer per row, then np.stack);
- corpuscope, first load: one query, one join of the blobs (then the cache file is written);
- corpuscope, later loads: the .npy cache of the set's current revision.

    python bench/vector_load_bench.py [--n 1000000] [--d 512]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from corpuscope.store import vectors as vecstore
from corpuscope.store.db import create_project


def fill(project_root: Path, n: int, d: int) -> None:
    with create_project(project_root) as project:
        with project.write() as conn:
            conn.executemany(
                "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 1, 1, 'JPEG')",
                ((i, f"{i:040x}") for i in range(1, n + 1)),
            )
            vector_set = vecstore.save_vector_set(
                conn, model="synthetic", version="1", dim=d, preprocessing="none", runtime="none"
            )
        rng = np.random.default_rng(0)
        for start in range(1, n + 1, 20_000):
            ids = np.arange(start, min(start + 20_000, n + 1), dtype=np.int64)
            X = rng.normal(size=(len(ids), d)).astype(np.float32)
            X /= np.linalg.norm(X, axis=1, keepdims=True)
            with project.write() as conn:
                vecstore.save_vectors(conn, vector_set, ids, X)


def naive_load(project_root: Path) -> tuple[float, int]:
    with create_project(project_root) as project:
        conn = project.read()
        started = time.perf_counter()
        rows = conn.execute("SELECT image_id, vector FROM vectors ORDER BY image_id").fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        X = np.stack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
        assert len(ids) == len(X)
        return time.perf_counter() - started, len(X)


def corpuscope_load(project_root: Path) -> tuple[float, float, int]:
    with create_project(project_root) as project:
        conn = project.read()
        vector_set = vecstore.load_vector_set(conn, "synthetic")
        started = time.perf_counter()
        ids, X = vecstore.load_vectors(conn, vector_set, project.cache_dir)
        first = time.perf_counter() - started
        started = time.perf_counter()
        ids, X = vecstore.load_vectors(conn, vector_set, project.cache_dir)
        float(X.sum(dtype=np.float64))  # a memory map: make every page really come in
        cached = time.perf_counter() - started
        assert X.flags["C_CONTIGUOUS"] and X.dtype == np.float32 and len(ids) == len(X)
        return first, cached, len(X)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=512)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vector-load-"))
    try:
        started = time.perf_counter()
        fill(work / "project", args.n, args.d)
        print(f"wrote {args.n:,} x {args.d} vectors in {time.perf_counter() - started:.1f} s")
        naive, count = naive_load(work / "project")
        first, cached, count2 = corpuscope_load(work / "project")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert count == count2 == args.n
    print(f"{'load all vectors':<44} {'seconds':>8}")
    print(f"{'baseline: row by row, np.stack':<44} {naive:>8.2f}")
    print(f"{'corpuscope: first load (SQLite, one join)':<44} {first:>8.2f}")
    print(f"{'corpuscope: cached .npy, every page read':<44} {cached:>8.2f}")
    print(f"ratio baseline / corpuscope: first {naive / first:.1f}x, cached {naive / cached:.1f}x")


if __name__ == "__main__":
    main()
