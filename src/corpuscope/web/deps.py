"""Route dependencies: the hub, and the project a route's ``{pid}`` names."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from corpuscope.services.projects import Project
from corpuscope.services.tasks import TaskRunner
from corpuscope.web.hub import OpenProject, ProjectHub

KEY_PATTERN = r"^[0-9a-f]{12}$"


def project_key() -> Any:
    """A fresh ``Path`` parameter for ``{pid}`` (FastAPI mutates these; never share one)."""
    return Path(pattern=KEY_PATTERN, description="The project's id, from /api/projects.")


# The dependencies that only look something up are coroutines: FastAPI runs a plain function
# in a worker thread, a hop that costs about as much as serving a thumbnail. ``get_open`` may
# open a project (disk, a lock), so it stays a plain function.
async def get_hub(request: Request) -> ProjectHub:
    hub: ProjectHub = request.app.state.hub
    return hub


HubDep = Annotated[ProjectHub, Depends(get_hub)]


def get_open(pid: Annotated[str, project_key()], hub: HubDep) -> OpenProject:
    return hub.get(pid)


OpenDep = Annotated[OpenProject, Depends(get_open)]


async def get_project(entry: OpenDep) -> Project:
    return entry.project


async def get_runner(entry: OpenDep) -> TaskRunner:
    return entry.runner


ProjectDep = Annotated[Project, Depends(get_project)]
RunnerDep = Annotated[TaskRunner, Depends(get_runner)]
