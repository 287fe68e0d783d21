"""Images: query pages, ids of a whole view, one image, its thumbnail and its file (by id only)."""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import FileResponse, Response

from corpuscope.services import images as imgservice
from corpuscope.web.deps import ProjectDep
from corpuscope.web.routes.convert import detail_out, page_out
from corpuscope.web.schemas.common import MAX_ID
from corpuscope.web.schemas.images import (
    IdPageOut,
    IdQueryIn,
    ImageDetailOut,
    ImagePageOut,
    ImageQueryIn,
)

router = APIRouter(prefix="/api/projects/{pid}", tags=["images"])
ImageId = Annotated[int, Path(ge=1, le=MAX_ID)]
CACHE = {"Cache-Control": "private, max-age=3600"}
IMAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/*": {}}, "description": "The picture."}
}


@router.post("/images/query")
def query_images(body: ImageQueryIn, project: ProjectDep) -> ImagePageOut:
    """One page of images matching a filter, in the given order, with chosen property values."""
    page = imgservice.list_images(
        project,
        body.filter.to_spec(),
        body.sort.to_spec(),
        offset=body.offset,
        limit=body.limit,
        properties=body.properties,
        count=body.total,
    )
    return page_out(page)


@router.post("/images/ids")
def query_image_ids(body: IdQueryIn, project: ProjectDep) -> IdPageOut:
    """Only the ids of matching images (up to 100,000), e.g. to select a whole view."""
    found = imgservice.list_image_ids(
        project, body.filter.to_spec(), body.sort.to_spec(), offset=body.offset, limit=body.limit
    )
    return IdPageOut(total=found.total, offset=found.offset, ids=found.ids)


@router.get("/images/{image_id}")
def get_image(image_id: ImageId, project: ProjectDep) -> ImageDetailOut:
    """An image with its files, every property value and the clustering groups it is in."""
    return detail_out(imgservice.load_image(project, image_id))


@router.get("/images/{image_id}/thumbnail", response_class=Response, responses=IMAGE_RESPONSES)
def get_thumbnail(
    image_id: ImageId,
    project: ProjectDep,
    size: Annotated[int, Query(ge=1, le=4096, description="128 or 512.")] = 128,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The JPEG thumbnail (128 px for grids, 512 px for viewers); 304 when the browser's copy
    (its ``ETag``) is still the one on disk."""
    path = imgservice.thumbnail_file(project, image_id, size)
    # sent from memory (a few kilobytes): a file response costs four more hops to worker threads
    # (stat, open, read, close), twice the server's time per thumbnail while the grid scrolls
    with path.open("rb") as handle:
        found = os.fstat(handle.fileno())
        tag = f'W/"{found.st_mtime_ns:x}-{found.st_size:x}"'
        headers = CACHE | {"ETag": tag}
        if if_none_match is not None and tag in if_none_match:
            return Response(status_code=304, headers=headers)
        return Response(handle.read(), media_type="image/jpeg", headers=headers)


@router.get("/images/{image_id}/file", response_class=FileResponse, responses=IMAGE_RESPONSES)
def get_image_file(
    image_id: ImageId,
    project: ProjectDep,
    file_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> FileResponse:
    """The original file of an image (``file_id``: one instance among its copies)."""
    path, media_type = imgservice.image_file(project, image_id, file_id)
    return FileResponse(path, media_type=media_type, headers=CACHE)
