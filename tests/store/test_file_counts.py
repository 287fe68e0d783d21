"""The project's counts and problem files, read from narrow indexes rather than every file row
(issue 16: the project's page and the map waited 1.1 s for them at a million files)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from corpuscope.store.files import count_files, list_file_problems
from corpuscope.store.images import count_images_per_folder


@pytest.fixture
def conn(project) -> sqlite3.Connection:
    """Two folders; image 3 in both, image 4 only missing, two files in error."""
    with project.write() as write:
        write.execute("INSERT INTO folders (id, path) VALUES (1, '/photos'), (2, '/scans')")
        write.executemany(
            "INSERT INTO images (id, sha1, width, height, format) VALUES (?, ?, 10, 20, 'PNG')",
            [(i, f"{i:040x}") for i in range(1, 5)],
        )
        files = [
            (1, "a.png", 1, "ok", None), (1, "b.png", 2, "ok", None), (1, "c.png", 3, "ok", None),
            (2, "c copy.png", 3, "ok", None), (2, "d.png", 4, "missing", None),
            (2, "bad.png", None, "error", "truncated"), (1, "fifo", None, "error", "not a file"),
        ]  # fmt: skip
        write.executemany(
            "INSERT INTO files (folder_id, path, image_id, status, error) VALUES (?, ?, ?, ?, ?)",
            files,
        )
    return project.read()


def _plans(conn: sqlite3.Connection, call: Callable[[], Any]) -> list[str]:
    """The query plans of every statement ``call`` runs on ``conn``."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        call()
    finally:
        conn.set_trace_callback(None)
    return [
        " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]


def test_the_counts_are_right(conn: sqlite3.Connection) -> None:
    counts = count_files(conn)
    assert (counts.files, counts.ok, counts.errors, counts.missing, counts.images) == (
        7,
        4,
        2,
        1,
        3,
    )
    assert count_images_per_folder(conn) == {1: 3, 2: 2}
    problems = list_file_problems(conn, "error")
    assert [(p.folder, p.path, p.reason) for p in problems] == [
        ("/photos", "fifo", "not a file"),
        ("/scans", "bad.png", "truncated"),
    ]


@pytest.mark.parametrize(
    "read",
    [
        count_files,
        count_images_per_folder,
        lambda conn: list_file_problems(conn, "error", limit=20),
    ],
    ids=["counts", "per folder", "problems"],
)
def test_no_count_reads_every_file_row(conn: sqlite3.Connection, read: Any) -> None:
    plans = _plans(conn, lambda: read(conn))
    assert plans
    for plan in plans:
        assert "SCAN files" not in plan or "COVERING INDEX" in plan, plan
