"""Clustering runs: list, open, discard, name groups, save as a tag property (one undo step)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, status

from corpuscope.services import naming
from corpuscope.services import runs as runservice
from corpuscope.services.levels import run_level_step
from corpuscope.services.runs import RunView
from corpuscope.web.deps import ProjectDep, RunnerDep
from corpuscope.web.routes.convert import task_out
from corpuscope.web.schemas.annotations import PropertyOut
from corpuscope.web.schemas.common import MAX_ID, OkOut
from corpuscope.web.schemas.projects import TaskOut
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


def run_out(project: ProjectDep, view: RunView, *, members: bool = False) -> RunOut:
    return RunOut.model_validate(runservice.describe_run(project, view, members=members))


@router.get("/runs")
def list_runs(project: ProjectDep) -> list[RunOut]:
    """Every run, oldest first, with its groups (nested runs name their parent group)."""
    return [RunOut.model_validate(run) for run in runservice.describe_runs(project)]


@router.post("/runs", status_code=status.HTTP_202_ACCEPTED)
def create_run(body: ClusterIn, runner: RunnerDep) -> TaskOut:
    """Start a run as a task (checked now; 202): k-means (``k``; -1 or ``auto``: chosen),
    near-duplicates, or by tags. When the task is done, its ``result.run_id`` names the run.

    On all images, on ``image_ids``, or nested in one group of an earlier run (``within``).
    """
    return task_out(runner.queue_run(body.to_request()))


@router.post("/runs/{run_id}/level")
def step_level(run_id: RunId, body: LevelStepIn, project: ProjectDep) -> RunOut:
    """An automatic run (or one cluster) one level finer or coarser, from its stored levels.

    Returns the run to show: the run itself, or the nested run of a cluster made finer. When
    there is nothing finer (or coarser): 409 with a sentence ("No finer grouping found ...").
    """
    return run_out(project, run_level_step(project, run_id, step=body.step, group_id=body.group_id))


@router.get("/runs/{run_id}")
def get_run(run_id: RunId, project: ProjectDep, members: bool = False) -> RunOut:
    """One run with its groups; ``members=true`` lists each group's images inline (the
    document the CLI's ``cluster --json`` prints)."""
    return run_out(project, runservice.load_run(project, run_id, members=members), members=members)


@router.delete("/runs/{run_id}")
def discard_run(run_id: RunId, project: ProjectDep) -> OkOut:
    """Forget a run and the runs nested under it (a saved property stays)."""
    runservice.discard_run(project, run_id)
    return OkOut()


@router.post("/runs/{run_id}/save", status_code=201)
def save_run(run_id: RunId, body: SaveRunIn, project: ProjectDep) -> PropertyOut:
    """Save a run and its nested runs as a tag property (tags mirror the nesting)."""
    words = runservice.GroupWords(**body.words.model_dump()) if body.words else runservice.ENGLISH
    prop = runservice.save_run(project, run_id, flat=body.flat, name=body.name, words=words)
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
    return RunGroupOut.model_validate(runservice.describe_group(group))
