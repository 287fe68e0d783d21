"""Clustering runs as the user sees them: a tree of runs to list, reopen, discard and save.

Saving turns a run and the runs nested under its groups into one tag property: a tag per group,
nested groups as child tags of their group's tag, and each image tagged with its deepest group
(its leaf). ``flat=True`` keeps only the leaves. The save is one undo step. An unnamed group's
tag is named in English ("Cluster 2.1") unless the caller gives its own words (``GroupWords``:
the web app passes its language's).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from corpuscope.errors import InvalidInput
from corpuscope.services.annotations import journaled
from corpuscope.services.text_codes import HISTORY_LABELS
from corpuscope.store import journal
from corpuscope.store import properties as props
from corpuscope.store import runs as runstore
from corpuscope.store import tags as tagstore
from corpuscope.store import values as valstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.files import load_image_files, load_image_paths
from corpuscope.store.journal import Scope
from corpuscope.store.properties import Property
from corpuscope.store.runs import GroupRecord, RunRecord

DEFAULT_PROPERTY_NAME = "Clustering"


@dataclass(frozen=True)
class GroupWords:
    """What an unnamed group is called, by its kind, ``{number}`` standing for its number."""

    cluster: str = "Cluster {number}"
    outliers: str = "Outliers {number}"
    unassigned: str = "Unassigned {number}"

    def name(self, kind: str, number: str) -> str:
        template = {"outliers": self.outliers, "unassigned": self.unassigned}.get(
            kind, self.cluster
        )
        return template.replace("{number}", number)


ENGLISH = GroupWords()


@dataclass(frozen=True)
class GroupView:
    id: int
    rank: int
    kind: str
    name: str | None
    label: str  # the name shown (and saved as a tag): the group's name or a numbered default
    number: str  # "2.1": cluster 1 of a run nested under cluster 2 (the UI names groups from it)
    score: float | None
    stability: float | None
    similarity: float | None
    size: int
    members: tuple[tuple[int, float], ...]  # (image id, image score), typical -> odd
    child_run_ids: tuple[int, ...]
    level: int | None = None  # the level of the run's hierarchy it was cut from


@dataclass(frozen=True)
class RunView:
    run: RunRecord
    groups: tuple[GroupView, ...]


@in_one_snapshot
def list_runs(project: Project) -> list[RunRecord]:
    return runstore.list_runs(project.read())


@in_one_snapshot
def describe_run(project: Project, view: RunView, *, members: bool) -> dict[str, Any]:
    """The one JSON document of a run: the API's ``RunOut`` and the CLI's ``--json`` alike.

    With ``members``, each group lists its images (id, score, a path and all ok paths), read
    from ``view`` (load it with ``members=True``); without, ``members`` is ``None``.
    """
    run = asdict(view.run)
    run.pop("vector_set_id")
    conn = project.read()
    paths = load_image_paths(conn) if members else None
    files = load_image_files(conn) if members else {}
    run["groups"] = [describe_group(group, paths=paths, files=files) for group in view.groups]
    return run


@in_one_snapshot
def describe_runs(project: Project) -> list[dict[str, Any]]:
    """Every run, oldest first, as :func:`describe_run` writes it (without members)."""
    return [
        describe_run(project, load_run(project, run.id, members=False), members=False)
        for run in list_runs(project)
    ]


def describe_group(
    group: GroupView,
    *,
    paths: dict[int, str] | None = None,
    files: dict[int, list[str]] | None = None,
) -> dict[str, Any]:
    """A group as :func:`describe_run` writes it; its members only when ``paths`` are given."""
    document = asdict(group)
    document["child_run_ids"] = list(group.child_run_ids)
    document["members"] = (
        None
        if paths is None
        else [
            {
                "image_id": image_id,
                "score": score,
                "path": paths.get(image_id, ""),
                "files": (files or {}).get(image_id, []),
            }
            for image_id, score in group.members
        ]
    )
    return document


@in_one_snapshot
def load_run(project: Project, run_id: int, *, members: bool = True) -> RunView:
    conn = project.read()
    run = runstore.load_run(conn, run_id)
    prefix = _label_prefix(conn, run)
    children: dict[int, list[int]] = {}
    for child in runstore.list_child_runs(conn, run.id):
        if child.parent_group_id is not None:
            children.setdefault(child.parent_group_id, []).append(child.id)
    groups = tuple(
        GroupView(
            group.id,
            group.rank,
            group.kind,
            group.name,
            _label(group.name, group.kind, number),
            number,
            group.score,
            group.stability,
            group.similarity,
            group.size,
            tuple(runstore.load_members(conn, group.id)) if members else (),
            tuple(children.get(group.id, [])),
            group.level,
        )
        for group, number in ((group, _number(group, prefix)) for group in run.groups)
    )
    return RunView(run, groups)


def _label_prefix(conn: sqlite3.Connection, run: RunRecord) -> str:
    """``"2.1."`` for a run nested under cluster 1 of a run nested under cluster 2."""
    numbers: list[str] = []
    while run.parent_group_id is not None and run.parent_run_id is not None:
        numbers.append(str(runstore.load_group(conn, run.parent_group_id).rank + 1))
        run = runstore.load_run(conn, run.parent_run_id)
    return "".join(f"{number}." for number in reversed(numbers))


def group_label(project: Project, group_id: int) -> str:
    """The name a group is shown by ("Cluster 2.1", or the name the user gave it)."""
    conn = project.read()
    group = runstore.load_group(conn, group_id)
    number = _number(group, _label_prefix(conn, runstore.load_run(conn, group.run_id)))
    return _label(group.name, group.kind, number)


def _number(group: GroupRecord, prefix: str) -> str:
    """``"2.1"``: the group's rank, counted from 1, after the numbers of the groups above."""
    return f"{prefix}{group.rank + 1}"


def _label(name: str | None, kind: str, number: str, words: GroupWords = ENGLISH) -> str:
    """The name the user gave a group, else its kind and number in ``words``."""
    return name or words.name(kind, number)


def discard_run(project: Project, run_id: int) -> None:
    """Forget a run and the runs nested under it (saved properties stay)."""
    with project.write() as conn:
        runstore.delete_run(conn, run_id)


def name_group(project: Project, group_id: int, name: str | None) -> None:
    """Name a group (the name becomes its tag's name when the run is saved)."""
    cleaned = props.check_name(name, "group") if name else None
    with project.write() as conn:
        runstore.rename_group(conn, group_id, cleaned)


def save_run(
    project: Project,
    run_id: int,
    *,
    flat: bool = False,
    name: str | None = None,
    words: GroupWords = ENGLISH,
) -> Property:
    """Save a run and its nested runs as a tag property (one undo step); ``words`` name the
    tags of unnamed groups."""
    tree = _collect_tree(project, run_id)
    if not tree:
        raise InvalidInput(f"Run {run_id} has no groups to save.")

    def scope(conn: sqlite3.Connection) -> Scope:
        return journal.property_scope(props.next_property_id(conn))

    label = name or DEFAULT_PROPERTY_NAME
    with journaled(
        project, HISTORY_LABELS.write("history.save_clustering", run=run_id, name=label), scope
    ) as conn:
        prop = props.save_property(
            conn,
            props.unique_property_name(conn, label),
            "tag",
            "image",
            property_id=props.next_property_id(conn),
        )
        _write_tags(conn, prop, tree, flat=flat, words=words)
        runstore.mark_run_saved(conn, [view.run.id for view in tree], prop.id)
    return prop


def _collect_tree(project: Project, run_id: int) -> list[RunView]:
    """The run and every run nested below it, parents before children."""
    ordered, pending = [], [run_id]
    while pending:
        view = load_run(project, pending.pop(0))
        ordered.append(view)
        for group in view.groups:
            pending.extend(group.child_run_ids)
    return ordered


def _write_tags(
    conn: sqlite3.Connection,
    prop: Property,
    tree: Sequence[RunView],
    *,
    flat: bool,
    words: GroupWords,
) -> None:
    group_tag: dict[int, int] = {}
    used: set[str] = set()
    leaf_of: dict[int, int] = {}
    for view in tree:  # parents first, so a group's parent tag already exists
        parent_tag = group_tag.get(view.run.parent_group_id or -1)
        for group in view.groups:
            is_leaf = not group.child_run_ids
            if flat and not is_leaf:
                continue
            tag = tagstore.save_tag(
                conn,
                prop,
                _unique(_label(group.name, group.kind, group.number, words), used),
                parents=[parent_tag] if parent_tag is not None and not flat else [],
            )
            group_tag[group.id] = tag.id
            for image_id, _ in group.members:
                leaf_of[image_id] = tag.id  # deeper runs come later and overwrite
    by_tag: dict[int, list[int]] = {}
    for image_id, tag_id in leaf_of.items():
        by_tag.setdefault(tag_id, []).append(image_id)
    for tag_id, image_ids in by_tag.items():
        valstore.add_tag_values(conn, prop, sorted(image_ids), [tag_id])


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    while candidate.casefold() in used:
        number += 1
        candidate = f"{name} ({number})"
    used.add(candidate.casefold())
    return candidate


def move_to_group(project: Project, group_id: int, image_ids: Sequence[int]) -> GroupView:
    """Put images into a cluster (accepting recommendations): they leave the run's other groups
    and the runs nested under those, and score by their similarity to the cluster's centre."""
    from corpuscope.services.vectors import load_project_vectors
    from corpuscope.store.vectors import model_of_set

    conn = project.read()
    group = runstore.load_group(conn, group_id)
    run = runstore.load_run(conn, group.run_id)
    if not image_ids:
        raise InvalidInput("No images were given to add to the cluster.", code="images.none_given")
    model = model_of_set(conn, run.vector_set_id)
    members = [image_id for image_id, _ in runstore.load_members(conn, group.id)]
    _, X_members, _ = load_project_vectors(project, model, image_ids=members)
    ids, X_new, _ = load_project_vectors(project, model, image_ids=image_ids)
    centre = X_members.sum(axis=0)
    centre /= max(float((centre @ centre) ** 0.5), 1e-12)
    with project.write() as conn:
        runstore.move_members(conn, group, ids.tolist(), (X_new @ centre).tolist())
    view = load_run(project, run.id)
    return next(g for g in view.groups if g.id == group_id)
