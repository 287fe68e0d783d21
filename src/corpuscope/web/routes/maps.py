"""The 2-D map: computed by a task (it can take a while), then served from its cache."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, Header, Query, Response, status

from corpuscope.services.maps import map_coordinates, map_places
from corpuscope.web.deps import ProjectDep, RunnerDep
from corpuscope.web.routes.convert import task_out
from corpuscope.web.schemas.common import Name
from corpuscope.web.schemas.projects import TaskOut
from corpuscope.web.schemas.similarity import MapIn, MapOut, PlacesOut, SubsetMapIn

router = APIRouter(prefix="/api/projects/{pid}", tags=["map"])

#: The map's points as bytes, for a client that asks for them (the web app does).
POINTS_BYTES = "application/octet-stream"
_AS_BYTES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {POINTS_BYTES: {}},
        "description": "With `Accept: application/octet-stream`: the points as bytes, "
        "little-endian: n image ids (int32), then n (x, y) pairs (float32); n is the length "
        "divided by 12.",
    }
}


def _points_bytes(ids: npt.NDArray[np.int64], xy: npt.NDArray[np.floating]) -> Response:
    body = ids.astype("<i4").tobytes() + np.ascontiguousarray(xy, dtype="<f4").tobytes()
    return Response(content=body, media_type=POINTS_BYTES)


@router.post("/map", status_code=status.HTTP_202_ACCEPTED)
def compute_map(body: MapIn, runner: RunnerDep) -> TaskOut:
    """Lay the map out (or again, with ``refit``) as a task; then GET /map is quick."""
    return task_out(runner.queue_map(body.model, refit=body.refit))


@router.get("/map", response_model=MapOut, responses=_AS_BYTES)
def get_map(
    project: ProjectDep,
    model: Annotated[Name | None, Query()] = None,
    accept: Annotated[str, Header()] = "",
) -> MapOut | Response:
    """Every image with a vector on the map; images new since the layout are placed on it.
    As JSON, or as bytes when asked (a million points: 12 MB sent as they are stored, where
    the JSON is 47 MB and takes about 350 ms to write)."""
    ids, xy = map_coordinates(project, model=model)
    if POINTS_BYTES in accept:
        return _points_bytes(ids, xy)
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
