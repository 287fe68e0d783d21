"""Similar images, search with an outside image, text search and recommendations."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from corpuscope.errors import InvalidInput, TooLarge
from corpuscope.services import recommendations, similarity
from corpuscope.web.deps import ProjectDep
from corpuscope.web.schemas.common import Name, OkOut
from corpuscope.web.schemas.similarity import (
    MatchListOut,
    MatchOut,
    RecommendationListOut,
    RecommendationOut,
    RecommendIn,
    RefuseIn,
    SearchIn,
    SimilarIn,
    TargetIn,
)

router = APIRouter(prefix="/api/projects/{pid}", tags=["similarity"])


@router.post("/similar")
def similar_images(body: SimilarIn, project: ProjectDep) -> MatchListOut:
    """Images ranked by similarity to one or several images (``min_score``: a threshold)."""
    found = similarity.similar_images(
        project,
        body.image_ids,
        limit=body.limit,
        offset=body.offset,
        min_score=body.min_score,
        model=body.model,
    )
    return MatchListOut(items=[MatchOut(**asdict(match)) for match in found])


@router.post("/search")
def search_text(body: SearchIn, project: ProjectDep) -> MatchListOut:
    """Images ranked by similarity to a text (422 when the model cannot read text)."""
    found = similarity.search_text(
        project,
        body.text,
        limit=body.limit,
        offset=body.offset,
        min_score=body.min_score,
        model=body.model,
    )
    return MatchListOut(items=[MatchOut(**asdict(match)) for match in found])


IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The image file itself (JPEG, PNG, WebP, ...), as the request body.",
        "content": {
            "image/*": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post("/search/image", openapi_extra=IMAGE_BODY)
async def search_image(
    request: Request,
    project: ProjectDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    min_score: Annotated[float | None, Query(ge=-1, le=1)] = None,
    model: Annotated[Name | None, Query()] = None,
) -> MatchListOut:
    """Images ranked by similarity to an image file sent as the body (not kept; 413 when larger
    than the server's upload limit, 422 when it is not an image)."""
    cap: int = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"The image is larger than {cap // (1024 * 1024)} MiB.")
    data = await request.body()
    if len(data) > cap:
        raise TooLarge(f"The image is larger than {cap // (1024 * 1024)} MiB.")
    if not data:
        raise InvalidInput("Send an image file as the request body.")
    found = await run_in_threadpool(
        similarity.search_image,
        project,
        data,
        limit=limit,
        offset=offset,
        min_score=min_score,
        model=model,
    )
    return MatchListOut(items=[MatchOut(**asdict(match)) for match in found])


@router.post("/recommendations")
def recommend(body: RecommendIn, project: ProjectDep) -> RecommendationListOut:
    """Images like a group that are not in it, best first; refused ones never come back."""
    found = recommendations.recommend(
        project,
        target=body.target,
        image_ids=body.image_ids,
        limit=body.limit,
        offset=body.offset,
        restrict_to=body.restrict_to,
        min_score=body.min_score,
        model=body.model,
    )
    items = [RecommendationOut(**asdict(item)) for item in found]
    return RecommendationListOut(target=body.target, items=items)


@router.post("/recommendations/refuse")
def refuse(body: RefuseIn, project: ProjectDep) -> OkOut:
    """Never propose these images for this target again."""
    recommendations.refuse(project, body.target, body.image_ids)
    return OkOut()


@router.post("/recommendations/forget")
def forget_refusals(body: TargetIn, project: ProjectDep) -> OkOut:
    """Forget the refusals of a target (its images may be proposed again)."""
    recommendations.forget_refusals(project, body.target)
    return OkOut()
