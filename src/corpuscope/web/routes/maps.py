"""The 2-D map: computed by a task (it can take a while), then served from its cache."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from corpuscope.services.maps import map_coordinates, map_places
from corpuscope.web.deps import ProjectDep, RunnerDep
from corpuscope.web.routes.convert import task_out
from corpuscope.web.schemas.common import Name
from corpuscope.web.schemas.projects import TaskOut
from corpuscope.web.schemas.similarity import MapIn, MapOut, PlacesOut, SubsetMapIn

router = APIRouter(prefix="/api/projects/{pid}", tags=["map"])


@router.post("/map", status_code=status.HTTP_202_ACCEPTED)
def compute_map(body: MapIn, runner: RunnerDep) -> TaskOut:
    """Lay the map out (or again, with ``refit``) as a task; then GET /map is quick."""
    return task_out(runner.queue_map(body.model, refit=body.refit))


@router.get("/map")
def get_map(project: ProjectDep, model: Annotated[Name | None, Query()] = None) -> MapOut:
    """Every image with a vector on the map; images new since the layout are placed on it."""
    ids, xy = map_coordinates(project, model=model)
    return MapOut(ids=ids.tolist(), x=xy[:, 0].tolist(), y=xy[:, 1].tolist())


@router.post("/map/subset")
def subset_map(body: SubsetMapIn, project: ProjectDep) -> MapOut:
    """A map of some images only, laid out now (not kept)."""
    ids, xy = map_coordinates(project, model=body.model, image_ids=body.image_ids)
    return MapOut(ids=ids.tolist(), x=xy[:, 0].tolist(), y=xy[:, 1].tolist())


@router.get("/map/places")
def get_places(project: ProjectDep) -> PlacesOut:
    """The images whose files hold a GPS position, placed by it (empty lists when none do)."""
    found = map_places(project)
    return PlacesOut(
        ids=[row[0] for row in found],
        latitude=[row[1] for row in found],
        longitude=[row[2] for row in found],
    )
