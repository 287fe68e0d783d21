"""Refused recommendations: images a user said do not belong to a group, never proposed again.

A target is a stable string naming the group: ``tag:12``, ``group:40`` (a cluster of a run),
or any key the caller builds for a group of the grid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def save_refusals(conn: sqlite3.Connection, target: str, image_ids: Sequence[int]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO refusals (target, image_id) VALUES (?, ?)",
        ((target, int(image_id)) for image_id in image_ids),
    )


def list_refusals(conn: sqlite3.Connection, target: str) -> list[int]:
    rows = conn.execute(
        "SELECT image_id FROM refusals WHERE target = ? ORDER BY image_id", (target,)
    )
    return [row[0] for row in rows]


def delete_refusals(
    conn: sqlite3.Connection, target: str, image_ids: Sequence[int] | None = None
) -> None:
    if image_ids is None:
        conn.execute("DELETE FROM refusals WHERE target = ?", (target,))
        return
    conn.executemany(
        "DELETE FROM refusals WHERE target = ? AND image_id = ?",
        ((target, int(image_id)) for image_id in image_ids),
    )
