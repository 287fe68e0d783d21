"""Projects (open, create, list recent, status, close), folders, models and vectors."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from corpuscope.embed.registry import list_models
from corpuscope.services.images import list_folders
from corpuscope.services.models import choose_model
from corpuscope.services.projects import describe_project
from corpuscope.web.deps import HubDep, OpenDep, ProjectDep, RunnerDep, project_key
from corpuscope.web.routes.convert import task_out
from corpuscope.web.schemas.common import MAX_ID, OkOut
from corpuscope.web.schemas.projects import (
    FolderIn,
    FolderOut,
    ModelChoiceIn,
    ModelChoiceOut,
    ModelOut,
    ProjectIn,
    ProjectListOut,
    ProjectOut,
    ProjectStatusOut,
    TaskOut,
    VectorsIn,
)

router = APIRouter(prefix="/api", tags=["projects"])
FolderId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/projects")
def list_projects(hub: HubDep) -> ProjectListOut:
    """Open projects first, then recently opened ones (each with the id the other routes use)."""
    entries = [ProjectOut(**asdict(entry)) for entry in hub.entries()]
    return ProjectListOut(projects=entries, start=hub.start)


@router.post("/projects")
def open_project(body: ProjectIn, hub: HubDep) -> ProjectOut:
    """Open the project in ``path`` (with ``create``: create it there if needed)."""
    entry = hub.open(FsPath(body.path), create=body.create)
    return ProjectOut(id=entry.id, path=str(entry.root), name=entry.root.name, open=True)


@router.get("/projects/{pid}")
def get_project(
    entry: OpenDep, limit: Annotated[int, Query(ge=0, le=10_000)] = 50
) -> ProjectStatusOut:
    """Counts, folders, vector sets, and up to ``limit`` files in error and missing."""
    overview = describe_project(entry.project, limit=limit)
    data = asdict(overview.status)
    data.pop("project")
    data.update(
        folders=[asdict(folder) for folder in overview.folders],
        vector_sets=[asdict(found) for found in overview.vector_sets],
        model=overview.model,
    )
    return ProjectStatusOut(id=entry.id, path=str(entry.root), name=entry.root.name, **data)


@router.post("/projects/{pid}/close")
def close_project(pid: Annotated[str, project_key()], hub: HubDep) -> OkOut:
    """Close a project: its running task stops and resumes when it is opened again."""
    hub.close(pid)
    return OkOut()


@router.get("/projects/{pid}/folders")
def get_folders(project: ProjectDep) -> list[FolderOut]:
    return [FolderOut(**asdict(folder)) for folder in list_folders(project)]


@router.post("/projects/{pid}/folders", status_code=status.HTTP_202_ACCEPTED)
def add_folder(body: FolderIn, runner: RunnerDep) -> TaskOut:
    """Add a folder: checked now, imported by a task (follow it in /tasks)."""
    return task_out(runner.queue_import([body.path]))


@router.post("/projects/{pid}/folders/{folder_id}/import", status_code=status.HTTP_202_ACCEPTED)
def reimport_folder(folder_id: FolderId, runner: RunnerDep) -> TaskOut:
    """Re-import a folder (only new and changed files are read)."""
    return task_out(runner.queue_reimport(folder_id))


@router.get("/models")
def get_models() -> list[ModelOut]:
    """The image models, which can run here, and how to enable the others."""
    return [ModelOut(**asdict(info)) for info in list_models()]


@router.put("/projects/{pid}/model")
def set_model(body: ModelChoiceIn, project: ProjectDep) -> ModelChoiceOut:
    """Make a model the project's: clustering, the map, similar images, recommendations and
    search then use its vectors (compute the missing ones with POST /vectors)."""
    return ModelChoiceOut(**asdict(choose_model(project, body.model)))


@router.post("/projects/{pid}/vectors", status_code=status.HTTP_202_ACCEPTED)
def compute_vectors(body: VectorsIn, runner: RunnerDep) -> TaskOut:
    """Compute the vectors a model still lacks, as a task (409 when the model cannot run)."""
    return task_out(runner.queue_vectors(body.model))
