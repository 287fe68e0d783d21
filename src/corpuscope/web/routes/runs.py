"""Clustering runs: list, open, discard, name groups, save as a tag property (one undo step)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path

from corpuscope.errors import InvalidInput
from corpuscope.services import naming
from corpuscope.services import runs as runservice
from corpuscope.services.clustering import run_clustering
from corpuscope.services.duplicates import run_duplicates
from corpuscope.services.levels import run_level_step
from corpuscope.services.runs import RunView
from corpuscope.services.tag_groups import DEFAULT_MIN_SIMILARITY, run_by_tags
from corpuscope.web.deps import ProjectDep
from corpuscope.web.schemas.annotations import PropertyOut
from corpuscope.web.schemas.common import MAX_ID, OkOut
from corpuscope.web.schemas.runs import (
    ClusterIn,
    GroupNameIn,
    LevelStepIn,
    MembersIn,
    NamesIn,
    NamesOut,
    NameSuggestionOut,
    RunGroupOut,
    RunOut,
    SaveRunIn,
)

router = APIRouter(prefix="/api/projects/{pid}", tags=["clustering"])
RunId = Annotated[int, Path(ge=1, le=MAX_ID)]
GroupId = Annotated[int, Path(ge=1, le=MAX_ID)]


def run_out(view: RunView) -> RunOut:
    data = asdict(view.run)
    data.pop("vector_set_id")
    data["groups"] = [
        RunGroupOut.model_validate(group, from_attributes=True) for group in view.groups
    ]
    return RunOut(**data)


@router.get("/runs")
def list_runs(project: ProjectDep) -> list[RunOut]:
    """Every run, oldest first, with its groups (nested runs name their parent group)."""
    return [
        run_out(runservice.load_run(project, run.id, members=False))
        for run in runservice.list_runs(project)
    ]


@router.post("/runs", status_code=201)
def create_run(body: ClusterIn, project: ProjectDep) -> RunOut:
    """Start a run and wait for it: k-means (``k``; -1 or ``auto``: chosen), near-duplicates.

    On all images, on ``image_ids``, or nested in one group of an earlier run (``within``).
    """
    within = (body.within.run_id, body.within.group_id) if body.within else None
    if body.algorithm in ("kmeans", "auto"):
        view = run_clustering(
            project,
            k=-1 if body.algorithm == "auto" else body.k,
            model=body.model,
            seed=body.seed,
            within=within,
            image_ids=body.image_ids,
            stability=body.stability,
            level=body.level,
        )
    elif within is not None:
        raise InvalidInput(f"A {body.algorithm} run covers all images or a list of images.")
    elif body.algorithm == "duplicates":
        view = run_duplicates(
            project, threshold=body.threshold, image_ids=body.image_ids, model=body.model
        )
    else:
        if body.property is None:
            raise InvalidInput("A run by tags needs the tag property whose tags to use.")
        view = run_by_tags(
            project,
            body.property,
            min_similarity=DEFAULT_MIN_SIMILARITY if body.threshold is None else body.threshold,
            text_weight=body.text_weight,
            image_ids=body.image_ids,
            model=body.model,
        )
    return run_out(view)


@router.post("/runs/{run_id}/level")
def step_level(run_id: RunId, body: LevelStepIn, project: ProjectDep) -> RunOut:
    """An automatic run (or one cluster) one level finer or coarser, from its stored levels.

    Returns the run to show: the run itself, or the nested run of a cluster made finer. When
    there is nothing finer (or coarser): 409 with a sentence ("No finer grouping found ...").
    """
    return run_out(run_level_step(project, run_id, step=body.step, group_id=body.group_id))


@router.get("/runs/{run_id}")
def get_run(run_id: RunId, project: ProjectDep) -> RunOut:
    return run_out(runservice.load_run(project, run_id, members=False))


@router.delete("/runs/{run_id}")
def discard_run(run_id: RunId, project: ProjectDep) -> OkOut:
    """Forget a run and the runs nested under it (a saved property stays)."""
    runservice.discard_run(project, run_id)
    return OkOut()


@router.post("/runs/{run_id}/save", status_code=201)
def save_run(run_id: RunId, body: SaveRunIn, project: ProjectDep) -> PropertyOut:
    """Save a run and its nested runs as a tag property (tags mirror the nesting)."""
    prop = runservice.save_run(project, run_id, flat=body.flat, name=body.name)
    return PropertyOut(**asdict(prop))


@router.patch("/groups/{group_id}")
def name_group(group_id: GroupId, body: GroupNameIn, project: ProjectDep) -> OkOut:
    """Name a group (null: back to its number); the name becomes its tag when saved."""
    runservice.name_group(project, group_id, body.name)
    return OkOut()


@router.post("/runs/{run_id}/names")
def suggest_names(run_id: RunId, body: NamesIn, project: ProjectDep) -> NamesOut:
    """Names for each cluster from a vocabulary, by the model's text tower (CLIP models)."""
    found = naming.suggest_names(project, run_id, body.vocabulary, top=body.top)
    return NamesOut(
        groups={
            str(group_id): [NameSuggestionOut(name=s.name, score=s.score) for s in items]
            for group_id, items in found.items()
        }
    )


@router.post("/groups/{group_id}/members")
def add_members(group_id: GroupId, body: MembersIn, project: ProjectDep) -> RunGroupOut:
    """Put images into a cluster of an unsaved run (accepting recommendations): they leave
    the run's other clusters and the runs nested under those."""
    group = runservice.move_to_group(project, group_id, body.image_ids)
    return RunGroupOut.model_validate(group, from_attributes=True)
