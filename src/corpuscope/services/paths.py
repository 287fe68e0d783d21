"""Where an imported file lies on disk, and what it is called: the one place that turns the
folder and relative path stored for a file into a path, for the exports and the metadata
refresh (so a change in how paths are stored changes only this module)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


def source_path(folder: str | Path, rel_path: str) -> Path:
    """The file at ``rel_path`` (stored with ``/``) under its imported ``folder``."""
    return Path(folder).joinpath(*PurePosixPath(rel_path).parts)


def file_name(rel_path: str) -> str:
    """The file's own name, without its folders."""
    return PurePosixPath(rel_path).name
