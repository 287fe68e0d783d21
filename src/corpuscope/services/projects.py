"""Opening projects and describing their state."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpuscope.filenames import format_name
from corpuscope.store.db import Project, create_project, in_one_snapshot, is_project, open_project
from corpuscope.store.files import FileProblem, count_files, list_file_problems
from corpuscope.store.folders import list_folders
from corpuscope.store.properties import list_properties


def open_or_create(root: Path) -> Project:
    """Open the project in ``root``, creating it (and the folder) when there is none."""
    return open_project(root) if is_project(root) else create_project(root)


@dataclass(frozen=True)
class ProjectStatus:
    project: str
    folders: list[str]
    files: int
    images: int
    ok: int
    errors: int
    missing: int
    properties: int
    error_files: list[FileProblem]
    missing_files: list[FileProblem]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@in_one_snapshot
def project_status(project: Project, *, limit: int | None = None) -> ProjectStatus:
    conn = project.read()
    counts = count_files(conn)
    return ProjectStatus(
        project=format_name(project.root),
        folders=[folder.shown for folder in list_folders(conn)],
        files=counts.files,
        images=counts.images,
        ok=counts.ok,
        errors=counts.errors,
        missing=counts.missing,
        properties=len(list_properties(conn)),
        error_files=list_file_problems(conn, "error", limit=limit),
        missing_files=list_file_problems(conn, "missing", limit=limit),
    )
