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
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.clustering import compute_clustering
from corpuscope.errors import InvalidInput
from corpuscope.services.progress import Report, report_stage
from corpuscope.services.runs import RunView, load_run
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.runs import GroupRecord, NewGroup, NewRun, RunRecord
from corpuscope.store.vectors import VectorSet

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
        parent_model = _model_of(project, parent.vector_set_id)
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


def _model_of(project: Project, vector_set_id: int) -> str | None:
    from corpuscope.store.vectors import list_vector_sets

    for vector_set, _ in list_vector_sets(project.read()):
        if vector_set.id == vector_set_id:
            return vector_set.model
    return None


def run_clustering(
    project: Project,
    *,
    k: int,
    model: str | None = None,
    seed: int = 0,
    within: tuple[int, int] | None = None,
    image_ids: Sequence[int] | None = None,
    stability: bool = False,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> RunView:
    """Cluster images into ``k`` groups (``-1``: choose the number automatically) and record it.

    ``report(done, total, message)`` hears of each stage; ``cancel`` set between stages raises
    :class:`~corpuscope.errors.Cancelled` (nothing is recorded then).
    """
    check_cluster_count(k)
    report_stage(report, cancel, 0, 3, "loading vectors")
    data = resolve_input(project, model=model, within=within, image_ids=image_ids)
    if len(data.ids) == 0:
        raise InvalidInput("There are no images with vectors to cluster.")
    report_stage(report, cancel, 1, 3, f"clustering {len(data.ids):,} images")
    started = time.perf_counter()
    runs = STABILITY_RUNS if stability else 0
    result = compute_clustering(data.X, n_clusters=k, seed=seed, stability_runs=runs)
    seconds = time.perf_counter() - started
    report_stage(report, cancel, 2, 3, "saving the clusters")
    groups = [
        NewGroup(
            "outliers" if group.is_outliers else "cluster",
            group.score,
            data.ids[group.members].tolist(),
            result.image_scores[group.members].tolist(),
            stability=group.stability,
        )
        for group in result.groups
    ]
    params = {"k": k, "method": result.algorithm, "stability": stability, "found": len(groups)}
    return record_run(project, "kmeans" if k > 0 else "auto", params, seed, data, groups, seconds)


def record_run(
    project: Project,
    algorithm: str,
    params: dict[str, Any],
    seed: int | None,
    data: RunInput,
    groups: Sequence[NewGroup],
    seconds: float,
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
    )
    with project.write() as conn:
        run_id = runstore.save_run(conn, run)
    return load_run(project, run_id)
