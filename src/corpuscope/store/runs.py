"""Clustering runs: groups with scores and ranked members, nested under a group of a parent run.

Runs are exploration: they can be listed, reopened and discarded (a discarded run takes its
nested runs with it). Saving a run turns it into a tag property; the run remembers which.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.errors import NotFound

_GROUP_COLUMNS = "id, run_id, rank, kind, name, score, stability, similarity, size, level"


@dataclass(frozen=True)
class NewGroup:
    """A group to store: members ordered typical -> odd, with their per-image scores."""

    kind: str
    score: float | None
    members: Sequence[int]
    member_scores: Sequence[float]
    name: str | None = None
    stability: float | None = None
    similarity: float | None = None  # lowest pairwise similarity inside (near-duplicates)
    level: int | None = None  # the level of the run's hierarchy it was cut from


@dataclass(frozen=True)
class RunLevels:
    """Nested partitions of a run's images: ``labels[l][i]`` is the group of ``image_ids[i]``
    at level ``l`` (0 = finest; -1 = outliers); ``chosen``: the automatic answer's level."""

    image_ids: npt.NDArray[np.int64]
    labels: tuple[npt.NDArray[np.int64], ...]
    chosen: int


@dataclass(frozen=True)
class NewRun:
    algorithm: str
    params: dict[str, Any]
    seed: int | None
    vector_set_id: int | None
    scope: dict[str, Any]
    n_images: int
    seconds: float
    groups: Sequence[NewGroup]
    parent_run_id: int | None = None
    parent_group_id: int | None = None
    levels: RunLevels | None = None


@dataclass(frozen=True)
class GroupRecord:
    id: int
    run_id: int
    rank: int
    kind: str
    name: str | None
    score: float | None
    stability: float | None
    similarity: float | None
    size: int
    level: int | None = None


@dataclass(frozen=True)
class RunRecord:
    id: int
    parent_run_id: int | None
    parent_group_id: int | None
    algorithm: str
    params: dict[str, Any]
    seed: int | None
    vector_set_id: int | None
    scope: dict[str, Any]
    n_images: int
    seconds: float | None
    saved_property_id: int | None
    created_at: str
    groups: tuple[GroupRecord, ...] = field(default=())


def save_run(conn: sqlite3.Connection, run: NewRun) -> int:
    """Store a run with its groups (ranked in the given order) and members; return its id."""
    row = conn.execute(
        """INSERT INTO runs (parent_run_id, parent_group_id, algorithm, params, seed,
               vector_set_id, scope, n_images, seconds)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            run.parent_run_id,
            run.parent_group_id,
            run.algorithm,
            json.dumps(run.params),
            run.seed,
            run.vector_set_id,
            json.dumps(run.scope),
            run.n_images,
            run.seconds,
        ),
    ).fetchone()
    run_id = int(row[0])
    for rank, group in enumerate(run.groups):
        save_group(conn, run_id, rank, group)
    if run.levels is not None:
        save_levels(conn, run_id, run.levels)
    return run_id


def save_group(conn: sqlite3.Connection, run_id: int, rank: int, group: NewGroup) -> int:
    """Store one group of a run with its members; return its id."""
    group_id = int(
        conn.execute(
            """INSERT INTO run_groups
                   (run_id, rank, kind, name, score, stability, similarity, size, level)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                run_id,
                rank,
                group.kind,
                group.name,
                group.score,
                group.stability,
                group.similarity,
                len(group.members),
                group.level,
            ),
        ).fetchone()[0]
    )
    members = list(zip(group.members, range(len(group.members)), group.member_scores, strict=True))
    members.sort()  # in the key's order, so each row lands after the last one (1.25x at 300k)
    conn.executemany(
        "INSERT INTO run_members (group_id, image_id, rank, score) VALUES (?, ?, ?, ?)",
        (
            (group_id, int(image_id), position, float(score))
            for image_id, position, score in members
        ),
    )
    return group_id


def _run(row: sqlite3.Row, groups: tuple[GroupRecord, ...] = ()) -> RunRecord:
    return RunRecord(
        row["id"],
        row["parent_run_id"],
        row["parent_group_id"],
        row["algorithm"],
        json.loads(row["params"]),
        row["seed"],
        row["vector_set_id"],
        json.loads(row["scope"]),
        row["n_images"],
        row["seconds"],
        row["saved_property_id"],
        row["created_at"],
        groups,
    )


def load_run(conn: sqlite3.Connection, run_id: int) -> RunRecord:
    row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no clustering run {run_id} in this project.")
    groups = tuple(
        GroupRecord(*tuple(g))
        for g in conn.execute(
            f"SELECT {_GROUP_COLUMNS} FROM run_groups WHERE run_id = ? ORDER BY rank",
            (run_id,),
        )
    )
    return _run(row, groups)


def list_runs(conn: sqlite3.Connection) -> list[RunRecord]:
    """Every run (without groups), oldest first."""
    return [_run(row) for row in conn.execute("SELECT * FROM runs ORDER BY id")]


def list_child_runs(conn: sqlite3.Connection, run_id: int) -> list[RunRecord]:
    rows = conn.execute("SELECT id FROM runs WHERE parent_run_id = ? ORDER BY id", (run_id,))
    return [load_run(conn, row[0]) for row in rows.fetchall()]


def load_group(conn: sqlite3.Connection, group_id: int) -> GroupRecord:
    row = conn.execute(
        f"SELECT {_GROUP_COLUMNS} FROM run_groups WHERE id = ?",
        (group_id,),
    ).fetchone()
    if row is None:
        raise NotFound(f"There is no cluster {group_id} in this project.")
    return GroupRecord(*tuple(row))


def load_members(conn: sqlite3.Connection, group_id: int) -> list[tuple[int, float]]:
    """(image id, image score) of a group, typical -> odd."""
    rows = conn.execute(
        "SELECT image_id, score FROM run_members WHERE group_id = ? ORDER BY rank", (group_id,)
    )
    return [(int(r[0]), float(r[1]) if r[1] is not None else 0.0) for r in rows]


def delete_run(conn: sqlite3.Connection, run_id: int) -> None:
    """Discard a run and every run nested under it."""
    load_run(conn, run_id)
    conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))


def save_run_params(conn: sqlite3.Connection, run_id: int, params: dict[str, Any]) -> None:
    conn.execute("UPDATE runs SET params = ? WHERE id = ?", (json.dumps(params), run_id))


def rename_group(conn: sqlite3.Connection, group_id: int, name: str | None) -> None:
    load_group(conn, group_id)
    conn.execute("UPDATE run_groups SET name = ? WHERE id = ?", (name, group_id))


def mark_run_saved(conn: sqlite3.Connection, run_ids: Sequence[int], property_id: int) -> None:
    conn.executemany(
        "UPDATE runs SET saved_property_id = ? WHERE id = ?",
        ((property_id, run_id) for run_id in run_ids),
    )


def list_descendant_runs(conn: sqlite3.Connection, group_id: int) -> list[int]:
    """Ids of every run nested (at any depth) under a group."""
    rows = conn.execute(
        """WITH RECURSIVE below(id) AS (
               SELECT id FROM runs WHERE parent_group_id = ?
               UNION SELECT runs.id FROM runs JOIN below ON runs.parent_run_id = below.id
           ) SELECT id FROM below ORDER BY id""",
        (group_id,),
    )
    return [row[0] for row in rows]


def move_members(
    conn: sqlite3.Connection, group: GroupRecord, image_ids: Sequence[int], scores: Sequence[float]
) -> None:
    """Move images into ``group``: out of the other groups of its run (and of the runs nested
    under those groups), appended after the group's members, sizes kept right."""
    run_groups = [
        r[0] for r in conn.execute("SELECT id FROM run_groups WHERE run_id = ?", (group.run_id,))
    ]
    others = [g for g in run_groups if g != group.id]
    nested = [run for other in others for run in list_descendant_runs(conn, other)]
    nested_groups = [
        r[0]
        for run in nested
        for r in conn.execute("SELECT id FROM run_groups WHERE run_id = ?", (run,)).fetchall()
    ]
    affected = others + nested_groups
    for chunk_start in range(0, len(affected), 500):
        chunk = affected[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        conn.executemany(
            f"DELETE FROM run_members WHERE image_id = ? AND group_id IN ({marks})",
            ((int(image_id), *chunk) for image_id in image_ids),
        )
    last = conn.execute(
        "SELECT COALESCE(MAX(rank), -1) FROM run_members WHERE group_id = ?", (group.id,)
    ).fetchone()[0]
    conn.executemany(
        "INSERT OR IGNORE INTO run_members (group_id, image_id, rank, score) VALUES (?, ?, ?, ?)",
        (
            (group.id, int(image_id), last + 1 + position, float(score))
            for position, (image_id, score) in enumerate(zip(image_ids, scores, strict=True))
        ),
    )
    conn.execute(
        """UPDATE run_groups SET size = (SELECT COUNT(*) FROM run_members WHERE group_id = run_groups.id)
           WHERE run_id = ? OR run_id IN (SELECT value FROM json_each(?))""",
        (group.run_id, json.dumps(nested)),
    )


def save_levels(conn: sqlite3.Connection, run_id: int, levels: RunLevels) -> None:
    """Keep a run's nested levels (replacing any it had)."""
    conn.execute("DELETE FROM run_hierarchies WHERE run_id = ?", (run_id,))
    conn.execute(
        "INSERT INTO run_hierarchies (run_id, image_ids, chosen) VALUES (?, ?, ?)",
        (run_id, levels.image_ids.astype("<i8").tobytes(), levels.chosen),
    )
    conn.executemany(
        "INSERT INTO run_levels (run_id, level, labels) VALUES (?, ?, ?)",
        (
            (run_id, level, labels.astype("<i4").tobytes())
            for level, labels in enumerate(levels.labels)
        ),
    )


def load_levels(conn: sqlite3.Connection, run_id: int) -> RunLevels | None:
    """A run's nested levels, or None when it has none (k-means, duplicates, older runs)."""
    head = conn.execute(
        "SELECT image_ids, chosen FROM run_hierarchies WHERE run_id = ?", (run_id,)
    ).fetchone()
    if head is None:
        return None
    rows = conn.execute(
        "SELECT labels FROM run_levels WHERE run_id = ? ORDER BY level", (run_id,)
    ).fetchall()
    return RunLevels(
        np.frombuffer(head[0], dtype="<i8").astype(np.int64),
        tuple(np.frombuffer(row[0], dtype="<i4").astype(np.int64) for row in rows),
        int(head[1]),
    )


def replace_groups(
    conn: sqlite3.Connection,
    run_id: int,
    *,
    removed: Sequence[int],
    added: Sequence[tuple[int, NewGroup]],
    kept: Sequence[tuple[int, int, int | None]] = (),
) -> None:
    """Take groups out of a run (with the runs nested under them), add ``(rank, group)`` and
    give kept groups ``(group id, rank, level)``."""
    conn.executemany(
        "DELETE FROM run_groups WHERE id = ? AND run_id = ?",
        ((group_id, run_id) for group_id in removed),
    )
    conn.executemany(
        "UPDATE run_groups SET rank = ?, level = ? WHERE id = ? AND run_id = ?",
        ((rank, level, group_id, run_id) for group_id, rank, level in kept),
    )
    for rank, group in added:
        save_group(conn, run_id, rank, group)
