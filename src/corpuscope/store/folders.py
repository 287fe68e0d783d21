"""Imported folders: the roots that file paths are relative to."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from corpuscope.errors import NotFound


@dataclass(frozen=True)
class Folder:
    id: int
    path: Path
    added_at: str
    imported_at: str | None


def _folder(row: sqlite3.Row) -> Folder:
    return Folder(row["id"], Path(row["path"]), row["added_at"], row["imported_at"])


def save_folder(conn: sqlite3.Connection, path: Path) -> Folder:
    """Get or create the folder row for an absolute, resolved path."""
    conn.execute(
        "INSERT INTO folders (path) VALUES (?) ON CONFLICT (path) DO NOTHING", (str(path),)
    )
    row = conn.execute("SELECT * FROM folders WHERE path = ?", (str(path),)).fetchone()
    return _folder(row)


def list_folders(conn: sqlite3.Connection) -> list[Folder]:
    return [_folder(row) for row in conn.execute("SELECT * FROM folders ORDER BY id")]


def load_folder(conn: sqlite3.Connection, folder_id: int) -> Folder:
    row = conn.execute("SELECT * FROM folders WHERE id = ?", (folder_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no folder {folder_id} in this project.")
    return _folder(row)


def mark_folder_imported(conn: sqlite3.Connection, folder_id: int) -> None:
    conn.execute(
        "UPDATE folders SET imported_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
        (folder_id,),
    )
