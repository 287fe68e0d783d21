"""Opening projects and describing their state.

The edges (CLI commands, web routes) open, create and hold projects through this module:
``Project`` is the handle every service takes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpuscope.filenames import format_name
from corpuscope.services.images import FolderInfo
from corpuscope.services.images import list_folders as list_folder_infos
from corpuscope.services.models import project_model
from corpuscope.store.db import Project as Project
from corpuscope.store.db import create_project as create_project
from corpuscope.store.db import in_one_snapshot
from corpuscope.store.db import is_project as is_project
from corpuscope.store.db import open_project as open_project
from corpuscope.store.files import FileProblem, count_files, list_file_problems
from corpuscope.store.folders import list_folders
from corpuscope.store.properties import list_properties
from corpuscope.store.vectors import list_vector_sets


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


@dataclass(frozen=True)
class VectorSetCount:
    """The vectors a model computed in the project (``version``: of its weights)."""

    model: str
    version: str
    dim: int
    count: int


@dataclass(frozen=True)
class ProjectOverview:
    """Everything the project's page shows: the counts and problems of :class:`ProjectStatus`,
    the folders with their image counts, the vectors per model, and the project's model."""

    status: ProjectStatus
    folders: list[FolderInfo]
    vector_sets: list[VectorSetCount]
    model: str


@in_one_snapshot
def describe_project(project: Project, *, limit: int | None = None) -> ProjectOverview:
    """The project's state, read in one snapshot (``limit``: problem files listed at most)."""
    return ProjectOverview(
        status=project_status(project, limit=limit),
        folders=list_folder_infos(project),
        vector_sets=[
            VectorSetCount(found.model, found.version, found.dim, count)
            for found, count in list_vector_sets(project.read(), cache_dir=project.cache_dir)
        ],
        model=project_model(project),
    )
