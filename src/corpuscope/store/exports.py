"""What the exports read: where each image's file lies, in one query."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageSource:
    """The file an export takes for an image: an ok file first, then a missing one."""

    image_id: int
    file_id: int
    folder: str
    path: str
    sha1: str
    status: str


def load_image_sources(conn: sqlite3.Connection) -> dict[int, ImageSource]:
    """Image id -> its first file (ok files first, then by id)."""
    rows = conn.execute(
        """SELECT files.image_id, files.id, folders.path, files.path, files.sha1, files.status
           FROM files JOIN folders ON folders.id = files.folder_id
           WHERE files.image_id IS NOT NULL AND files.status IN ('ok', 'missing')
           ORDER BY files.image_id, files.status != 'ok', files.id"""
    )
    found: dict[int, ImageSource] = {}
    for row in rows:
        if row[0] not in found:
            found[int(row[0])] = ImageSource(int(row[0]), int(row[1]), *row[2:])
    return found
