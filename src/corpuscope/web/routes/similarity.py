"""Similar images, text search and recommendations (accept = set a value; refuse = remembered)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from corpuscope.services import recommendations, similarity
from corpuscope.web.deps import ProjectDep
from corpuscope.web.schemas.common import OkOut
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
