"""Creating clustering runs: k-means or automatic k, near-duplicates, nearest tag.

Every run is recorded (algorithm, parameters, seed, input, groups with scores and ranked
members) so that it can be reopened, nested, discarded and saved (see :mod:`runs`).
The input is the whole project, an explicit list of images, or one group of an earlier run
(nesting: the new run hangs under that group).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.clustering import AUTOMATIC, Clustering, compute_clustering
from corpuscope.errors import InvalidInput, NoFinerGrouping
from corpuscope.services.progress import Report, report_stage
from corpuscope.services.runs import RunView, load_run
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.runs import GroupRecord, NewGroup, NewRun, RunLevels, RunRecord
from corpuscope.store.vectors import VectorSet, model_of_set

#: Largest k accepted: beyond this, groups are too small to look at.
MAX_CLUSTERS = 1000
#: Reruns on subsamples used to measure each cluster's stability, when asked for.
STABILITY_RUNS = 5


@dataclass(frozen=True)
class RunInput:
    """The images a run works on, with their vectors, and where it hangs in the run tree."""

    ids: npt.NDArray[np.int64]
    X: npt.NDArray[np.float32]
    vector_set: VectorSet | None
    scope: dict[str, Any]
    parent_run_id: int | None = None
    parent_group_id: int | None = None


@in_one_snapshot
def resolve_input(
    project: Project,
    *,
    model: str | None = None,
    within: tuple[int, int] | None = None,
    image_ids: Sequence[int] | None = None,
) -> RunInput:
    """The images to cluster: one group of an earlier run, a list of images, or all images."""
    check_scope(within, image_ids)
    if within is None:
        ids, X, vector_set = load_project_vectors(project, model, image_ids=image_ids)
        scope = {"kind": "all"} if image_ids is None else {"kind": "images", "count": len(ids)}
        return RunInput(ids, X, vector_set, scope)
    run_id, group_id = within
    conn = project.read()
    parent, _ = load_parent_group(conn, run_id, group_id)
    members = [image_id for image_id, _ in runstore.load_members(conn, group_id)]
    parent_model = model
    if parent_model is None and parent.vector_set_id is not None:
        parent_model = model_of_set(project.read(), parent.vector_set_id)
    ids, X, vector_set = load_project_vectors(project, parent_model, image_ids=members)
    scope = {"kind": "group", "run": run_id, "group": group_id}
    return RunInput(ids, X, vector_set, scope, run_id, group_id)


def check_scope(within: tuple[int, int] | None, image_ids: Sequence[int] | None) -> None:
    """Refuse a run asked for both within a group and on a list of images."""
    if within is not None and image_ids is not None:
        raise InvalidInput(
            "Cluster either a group of an earlier run or a list of images, not both."
        )


def load_parent_group(
    conn: sqlite3.Connection, run_id: int, group_id: int
) -> tuple[RunRecord, GroupRecord]:
    """The run and its group that a nested run hangs under (``NotFound``, or refused when the
    group belongs to another run)."""
    parent = runstore.load_run(conn, run_id)
    group = runstore.load_group(conn, group_id)
    if group.run_id != parent.id:
        raise InvalidInput(f"Cluster {group_id} does not belong to run {run_id}.")
    return parent, group


def check_cluster_count(k: int) -> None:
    """Refuse a number of clusters other than -1 (automatic) or 1 to :data:`MAX_CLUSTERS`."""
    if k == 0 or k < -1 or k > MAX_CLUSTERS:
        raise InvalidInput(f"The number of clusters must be -1 (automatic) or 1 to {MAX_CLUSTERS}.")


def run_clustering(
    project: Project,
    *,
    k: int,
    model: str | None = None,
    seed: int = 0,
    within: tuple[int, int] | None = None,
    image_ids: Sequence[int] | None = None,
    stability: bool = False,
    level: int = 0,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> RunView:
    """Cluster images into ``k`` groups (``-1``: choose the number automatically) and record it.

    ``level`` (automatic only): steps from the automatic answer to a finer (< 0) or coarser
    (> 0) level. The automatic run keeps its levels, so that it can be shown finer or coarser
    later without computing the graph again (see :mod:`levels`). Nested in a group
    (``within``), an automatic run that finds no finer grouping raises ``NoFinerGrouping``
    instead of recording a run of one group. ``report(done, total, message)`` hears of each
    stage; ``cancel`` set between stages raises ``Cancelled``.
    """
    check_cluster_count(k)
    if level and k != AUTOMATIC:
        raise InvalidInput("Only automatic clustering (k = -1) has finer and coarser levels.")
    stages = {"load": (0, "Loading vectors"), **_STAGES}

    def stage(name: str) -> None:
        done, message = stages[name]
        report_stage(report, cancel, done, len(stages), message)

    stage("load")
    data = resolve_input(project, model=model, within=within, image_ids=image_ids)
    if len(data.ids) == 0:
        raise InvalidInput("There are no images with vectors to cluster.")
    report_stage(report, cancel, 0, len(stages), f"Clustering {len(data.ids):,} images")
    started = time.perf_counter()
    runs = STABILITY_RUNS if stability else 0
    result = compute_clustering(
        data.X, n_clusters=k, seed=seed, stability_runs=runs, level=level, stage=stage
    )
    seconds = time.perf_counter() - started
    stage("save")
    ordinary = [group for group in result.groups if not group.is_outliers]
    if within is not None and k == AUTOMATIC and len(ordinary) < 2:
        raise NoFinerGrouping(no_finer_message(project, within[1]))
    hierarchy = result.hierarchy
    groups = new_groups(data.ids, result, level=result.level if hierarchy else None)
    params: dict[str, Any] = {
        "k": k,
        "method": result.algorithm,
        "stability": stability,
        "found": len(groups),
    }
    levels = None
    if hierarchy is not None:
        params |= {"level": result.level - hierarchy.chosen, "levels": len(hierarchy.levels)}
        levels = RunLevels(data.ids, hierarchy.levels, hierarchy.chosen)
    algorithm = "kmeans" if k > 0 else "auto"
    view = record_run(project, algorithm, params, seed, data, groups, seconds, levels=levels)
    if report is not None:
        report(len(stages), len(stages), "Done")
    return view


_STAGES = {
    "graph": (1, "Linking each image to its nearest neighbours"),
    "levels": (2, "Finding groups at every level"),
    "scores": (3, "Scoring the groups"),
    "save": (4, "Saving the run"),
}


def new_groups(
    ids: npt.NDArray[np.int64], result: Clustering, *, level: int | None = None
) -> list[NewGroup]:
    """Groups to store for a computed clustering of the images ``ids``."""
    return [
        NewGroup(
            "outliers" if group.is_outliers else "cluster",
            group.score,
            ids[group.members].tolist(),
            result.image_scores[group.members].tolist(),
            stability=group.stability,
            level=level,
        )
        for group in result.groups
    ]


def no_finer_message(project: Project, group_id: int) -> str:
    """The sentence for a group in which the automatic mode found nothing finer."""
    from corpuscope.services.runs import group_label

    label = group_label(project, group_id)
    return f"No finer grouping found in {label}: its images form one group."


def record_run(
    project: Project,
    algorithm: str,
    params: dict[str, Any],
    seed: int | None,
    data: RunInput,
    groups: Sequence[NewGroup],
    seconds: float,
    *,
    levels: RunLevels | None = None,
) -> RunView:
    """Store a computed run and return it as the user sees it."""
    run = NewRun(
        algorithm,
        params,
        seed,
        data.vector_set.id if data.vector_set else None,
        data.scope,
        len(data.ids),
        seconds,
        groups,
        data.parent_run_id,
        data.parent_group_id,
        levels,
    )
    with project.write() as conn:
        run_id = runstore.save_run(conn, run)
    view = load_run(project, run_id, members=False)
    # The members just written, without reading a million rows back (groups are in rank order).
    return RunView(
        view.run,
        tuple(
            replace(shown, members=tuple(zip(new.members, new.member_scores, strict=True)))
            for shown, new in zip(view.groups, groups, strict=True)
        ),
    )
