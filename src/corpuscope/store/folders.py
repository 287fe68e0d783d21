"""Imported folders: the roots that file paths are relative to.

A folder is stored as its path's bytes (``path_bytes``, to open it again) and its shown text
(``path``, the key; see :mod:`corpuscope.filenames`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from corpuscope.errors import NotFound
from corpuscope.filenames import format_name, name_bytes, name_text


@dataclass(frozen=True)
class Folder:
    id: int
    path: Path  # opens the folder (bytes that are not UTF-8 held as surrogates)
    added_at: str
    imported_at: str | None
    shown: str  # the readable, one-to-one text of the path


def _folder(row: sqlite3.Row) -> Folder:
    return Folder(
        row["id"],
        Path(name_text(row["path_bytes"])),
        row["added_at"],
        row["imported_at"],
        row["path"],
    )


def save_folder(conn: sqlite3.Connection, path: Path) -> Folder:
    """Get or create the folder row for an absolute, resolved path."""
    raw = name_bytes(path)
    shown = format_name(raw)
    conn.execute(
        "INSERT INTO folders (path, path_bytes) VALUES (?, ?) ON CONFLICT (path) DO NOTHING",
        (shown, raw),
    )
    row = conn.execute("SELECT * FROM folders WHERE path = ?", (shown,)).fetchone()
    return _folder(row)


def list_folders(conn: sqlite3.Connection) -> list[Folder]:
    return [_folder(row) for row in conn.execute("SELECT * FROM folders ORDER BY id")]


def load_folder(conn: sqlite3.Connection, folder_id: int) -> Folder:
    try:
        row = conn.execute("SELECT * FROM folders WHERE id = ?", (folder_id,)).fetchone()
    except OverflowError:  # past SQLite's integers: no such folder
        row = None
    if row is None:
        raise NotFound(f"There is no folder {folder_id} in this project.")
    return _folder(row)


def mark_folder_imported(conn: sqlite3.Connection, folder_id: int) -> None:
    conn.execute(
        "UPDATE folders SET imported_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
        (folder_id,),
    )
