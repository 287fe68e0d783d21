"""Exports: images into a folder, as a task; a run, the map or the values as CSV or Parquet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from corpuscope.services.folder_export import export_params
from corpuscope.services.table_exports import (
    MEDIA_TYPES,
    Table,
    TableFormat,
    map_table,
    run_table,
    table_bytes,
    values_table,
)
from corpuscope.web.deps import OpenDep, ProjectDep, RunnerDep
from corpuscope.web.routes.convert import task_out
from corpuscope.web.schemas.common import MAX_ID, Name
from corpuscope.web.schemas.exports import ExportImagesIn
from corpuscope.web.schemas.projects import TaskOut

router = APIRouter(prefix="/api/projects/{pid}/exports", tags=["exports"])
FormatQuery = Annotated[TableFormat, Query(alias="format")]
TABLE = {
    200: {
        "content": {"text/csv": {}, "application/vnd.apache.parquet": {}},
        "description": "The table as a file to download.",
    }
}


async def _download(table: Table, fmt: TableFormat, name: str) -> Response:
    body = await run_in_threadpool(table_bytes, table, fmt)
    filename = f"{name}.{fmt}".replace('"', "")
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/images", status_code=status.HTTP_202_ACCEPTED)
def export_images(body: ExportImagesIn, runner: RunnerDep) -> TaskOut:
    """Copy or link images into a folder, as a task (checked now: 4xx with the reason)."""
    return task_out(runner.queue_export(export_params(body.to_spec())))


@router.get("/values", response_class=Response, responses=TABLE)  # type: ignore[arg-type]
async def export_values(
    entry: OpenDep,
    fmt: FormatQuery = "csv",
    properties: Annotated[list[Name] | None, Query(max_length=1000)] = None,
) -> Response:
    """Every file with the values of ``properties`` (default: all), as ``corpuscope export``."""
    table = await run_in_threadpool(values_table, entry.project, properties=properties)
    return await _download(table, fmt, f"{entry.root.name}-values")


@router.get("/runs/{run_id}", response_class=Response, responses=TABLE)  # type: ignore[arg-type]
async def export_run(
    project: ProjectDep,
    run_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    fmt: FormatQuery = "csv",
) -> Response:
    """Each image of a run with its deepest group, group path, score and typicality."""
    table = await run_in_threadpool(run_table, project, run_id)
    return await _download(table, fmt, f"run-{run_id}")


@router.get("/map", response_class=Response, responses=TABLE)  # type: ignore[arg-type]
async def export_map(
    project: ProjectDep,
    fmt: FormatQuery = "csv",
    model: Annotated[Name | None, Query()] = None,
) -> Response:
    """Each image's x, y on the 2-D map of a model's vectors."""
    table = await run_in_threadpool(lambda: map_table(project, model=model))
    return await _download(table, fmt, "map")
