"""Finer and coarser views of an automatic run, read from the levels it kept.

An automatic run stores every level of its hierarchy (see ``analysis.levels``), so these steps
compute no graph; they only load the vectors of the images concerned to score the groups.

- the whole run, finer or coarser: its groups become those of the next level (groups that stay
  the same keep their id, name and nested runs);
- one cluster, finer: a run nested under it, made of its parts at the nearest finer level that
  splits it (``NoFinerGrouping`` when none does);
- one cluster, coarser: it merges, in place, with the clusters that share its group at the
  nearest coarser level that joins it to any; a nested run left with one cluster is discarded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.analysis.clustering import clustering_from_labels
from corpuscope.errors import Conflict, InvalidInput, NoFinerGrouping
from corpuscope.services.clustering import RunInput, new_groups, no_finer_message, record_run
from corpuscope.services.runs import RunView, group_label, load_run
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project
from corpuscope.store.runs import GroupRecord, RunLevels, RunRecord
from corpuscope.store.vectors import find_vector_set_by_id, model_of_set

FINER = -1
COARSER = 1


def run_level_step(
    project: Project, run_id: int, *, step: int, group_id: int | None = None
) -> RunView:
    """Show a run (or one of its clusters) one level finer (``step=-1``) or coarser (``1``).

    Returns the run to show: the run itself, or the new nested run of a cluster made finer.
    """
    if step not in (FINER, COARSER):
        raise InvalidInput("The step must be -1 (finer) or 1 (coarser).")
    conn = project.read()
    run = runstore.load_run(conn, run_id)
    levels = runstore.load_levels(conn, run_id)
    if levels is None:
        raise InvalidInput(
            f"Run {run_id} was not made by automatic clustering: it has no finer or coarser levels."
        )
    if group_id is None:
        return _step_run(project, run, levels, step)
    group = runstore.load_group(conn, group_id)
    if group.run_id != run.id:
        raise InvalidInput(f"Cluster {group_id} does not belong to run {run_id}.")
    if group.kind != "cluster":
        raise InvalidInput("The outliers have no finer or coarser grouping; cluster them instead.")
    if step == FINER:
        return _split_group(project, run, levels, group)
    return _merge_group(project, run, levels, group)


def _current_level(run: RunRecord, levels: RunLevels) -> int:
    return levels.chosen + int(run.params.get("level", 0))


def _vectors(
    project: Project, run: RunRecord, image_ids: npt.NDArray[np.int64]
) -> npt.NDArray[np.float32]:
    """Vectors of ``image_ids`` (sorted) in the run's vector set."""
    model = model_of_set(project.read(), run.vector_set_id)
    _, X, _ = load_project_vectors(project, model, image_ids=image_ids.tolist())
    return X


def _members(project: Project, group_id: int) -> npt.NDArray[np.int64]:
    rows = runstore.load_members(project.read(), group_id)
    return np.sort(np.asarray([image_id for image_id, _ in rows], dtype=np.int64))


def _step_run(project: Project, run: RunRecord, levels: RunLevels, step: int) -> RunView:
    target = _current_level(run, levels) + step
    if not 0 <= target < len(levels.labels):
        which = "finer" if step == FINER else "coarser"
        raise NoFinerGrouping(
            f"Run {run.id} has no {which} level: it already shows the {which[:-2]}est."
        )
    ids = levels.image_ids
    if run.parent_run_id is not None and len(np.unique(levels.labels[target])) == 1:
        return _undo(project, run)
    result = clustering_from_labels(_vectors(project, run, ids), levels.labels[target])
    fresh = new_groups(ids, result, level=target)
    existing = {
        frozenset(_members(project, group.id).tolist()): group
        for group in run.groups
        if group.kind == "cluster"
    }
    kept: list[tuple[int, int, int | None]] = []
    added = []
    for rank, group in enumerate(fresh):
        same = existing.pop(frozenset(group.members), None) if group.kind == "cluster" else None
        if same is not None:
            kept.append((same.id, rank, target))
        else:
            added.append((rank, group))
    removed = [g.id for g in run.groups if g.id not in {k[0] for k in kept}]
    params: dict[str, Any] = {
        **run.params,
        "level": target - levels.chosen,
        "found": len(fresh),
    }
    with project.write() as conn:
        runstore.replace_groups(conn, run.id, removed=removed, added=added, kept=kept)
        runstore.save_run_params(conn, run.id, params)
    return load_run(project, run.id)


def _split_group(
    project: Project, run: RunRecord, levels: RunLevels, group: GroupRecord
) -> RunView:
    members = _members(project, group.id)
    positions = np.searchsorted(levels.image_ids, members)
    start = _current_level(run, levels) if group.level is None else group.level
    for target in range(start - 1, -1, -1):
        parts = levels.labels[target][positions]
        if len(np.unique(parts[parts >= 0])) < 2:
            continue
        X = _vectors(project, run, members)
        result = clustering_from_labels(X, parts)
        vector_set = find_vector_set_by_id(project.read(), run.vector_set_id)
        data = RunInput(
            members,
            X,
            vector_set,
            {"kind": "group", "run": run.id, "group": group.id},
            run.id,
            group.id,
        )
        # the levels below the cluster's, and on top the cluster itself (coarser: undo)
        whole = np.zeros(len(members), dtype=np.int64)
        below = tuple(lab[positions] for lab in levels.labels[: target + 1])
        nested = RunLevels(members, (*below, whole), target)
        params = {
            "k": -1,
            "method": "levels",
            "stability": False,
            "found": len(result.groups),
            "level": 0,
            "levels": target + 2,
            "from_run": run.id,
        }
        groups = new_groups(members, result, level=target)
        return record_run(project, "auto", params, run.seed, data, groups, 0.0, levels=nested)
    raise NoFinerGrouping(no_finer_message(project, group.id))


def _merge_group(
    project: Project, run: RunRecord, levels: RunLevels, group: GroupRecord
) -> RunView:
    ids = levels.image_ids
    start = _current_level(run, levels) if group.level is None else group.level
    clusters = {g.id: _members(project, g.id) for g in run.groups if g.kind == "cluster"}
    outliers = [g for g in run.groups if g.kind != "cluster"]
    first = np.searchsorted(ids, clusters[group.id][0])
    for target in range(start + 1, len(levels.labels)):
        labels = levels.labels[target]
        node = labels[first]
        siblings = [
            gid for gid, m in clusters.items() if labels[np.searchsorted(ids, m[0])] == node
        ]
        if len(siblings) < 2:
            continue
        if run.parent_run_id is not None and len(siblings) == len(clusters):
            return _undo(project, run)
        joined = np.sort(np.concatenate([clusters[gid] for gid in siblings]))
        added, removed = _merged_groups(project, run, ids, labels, node, joined, outliers, target)
        last = max(g.rank for g in run.groups)
        with project.write() as conn:
            runstore.replace_groups(
                conn,
                run.id,
                removed=[*siblings, *removed],
                added=[(last + 1 + i, new) for i, new in enumerate(added)],
            )
        return load_run(project, run.id)
    label = group_label(project, group.id)
    raise Conflict(f"No coarser grouping found above {label}: it is at the coarsest level.")


def _undo(project: Project, run: RunRecord) -> RunView:
    """Discard a nested run that would be left with one cluster; show its parent."""
    assert run.parent_run_id is not None
    with project.write() as conn:
        runstore.delete_run(conn, run.id)
    return load_run(project, run.parent_run_id)


def _merged_groups(
    project: Project,
    run: RunRecord,
    ids: npt.NDArray[np.int64],
    labels: npt.NDArray[np.int64],
    node: int,
    joined: npt.NDArray[np.int64],
    outliers: list[GroupRecord],
    target: int,
) -> tuple[list[runstore.NewGroup], list[int]]:
    """The merged group (with the outliers that belong to it at ``target``) and, when some
    outliers joined it, the outliers group left; plus the ids of the groups they replace."""
    removed: list[int] = []
    rest = np.zeros(0, dtype=np.int64)
    for group in outliers:
        members = _members(project, group.id)
        joining = labels[np.searchsorted(ids, members)] == node
        if joining.any():
            joined = np.sort(np.concatenate([joined, members[joining]]))
            rest = members[~joining]
            removed.append(group.id)
    everyone = np.concatenate([joined, rest])
    order = np.argsort(everyone)
    raw = np.concatenate([np.zeros(len(joined), np.int64), np.full(len(rest), -1, np.int64)])
    result = clustering_from_labels(_vectors(project, run, everyone[order]), raw[order])
    return new_groups(everyone[order], result, level=target), removed
