"""What an export to a folder takes, and which folders each image goes into.

One of: a selection of images (straight into the folder), a clustering run (a folder per
group, nested runs as nested folders, each image in its deepest group), one cluster (its
folder, its nested runs inside), or the grid's grouping by properties (a folder per value at
each level, tags nested along their paths from the top; with ``key``, one group of it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuscope.services.csv_io import tag_ids_paths
from corpuscope.services.export_names import Part
from corpuscope.services.grouping import LevelRef, date_part_pairs, group_filter, resolve_levels
from corpuscope.services.images import FilterSpec, resolve_filter
from corpuscope.services.runs import load_run
from corpuscope.services.table_exports import place_members
from corpuscope.services.value_types import format_value
from corpuscope.store import grouping as groupstore
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project
from corpuscope.store.folders import list_folders
from corpuscope.store.grouping import Level
from corpuscope.store.tags import list_tags

Placement = tuple[int, tuple[Part, ...]]
NO_VALUE = "(no value)"


@dataclass(frozen=True)
class FolderExport:
    """What to export (exactly one of ``image_ids``, ``run_id``, ``group_id``, ``levels``) and
    where. ``key`` picks one group of ``levels`` (one key per level from the top)."""

    destination: Path
    link: bool = False
    image_ids: tuple[int, ...] | None = None
    run_id: int | None = None
    group_id: int | None = None
    levels: tuple[LevelRef, ...] = ()
    key: tuple[object, ...] = ()
    filter: FilterSpec | None = None


def plan_export(project: Project, spec: FolderExport) -> list[Placement]:
    """Each image to export with the folders it goes into (an image may go into several: a
    multi-tag value, a tag with two parents)."""
    if spec.image_ids is not None:
        return [(image_id, ()) for image_id in dict.fromkeys(spec.image_ids)]
    if spec.run_id is not None or spec.group_id is not None:
        return _run_plan(project, spec)
    return _grid_plan(project, spec)


def _run_plan(project: Project, spec: FolderExport) -> list[Placement]:
    if spec.group_id is not None:
        group = runstore.load_group(project.read(), spec.group_id)
        view, only = load_run(project, group.run_id), group.id
    else:
        assert spec.run_id is not None
        view, only = load_run(project, spec.run_id), None
    placed = place_members(project, view, only=only)
    return [
        (image_id, tuple((("group", g.id), g.label) for g in where.groups))
        for image_id, where in placed.items()
    ]


def _grid_plan(project: Project, spec: FolderExport) -> list[Placement]:
    conn = project.read()
    levels = resolve_levels(conn, spec.levels)
    narrowed = (
        group_filter(project, spec.levels, spec.key, spec.filter, descendants=True)
        if spec.key
        else spec.filter
    )
    images = groupstore.load_filtered_ids(conn, resolve_filter(conn, narrowed))
    per_level = [
        _level_parts(project, level, depth, spec.key[depth] if depth < len(spec.key) else _ANY)
        for depth, level in enumerate(levels)
    ]
    plan: list[Placement] = []
    for image_id in images.tolist():
        options = [
            parts.get(image_id) or [(((depth, None), NO_VALUE),)]
            for depth, parts in enumerate(per_level)
        ]
        plan.extend(
            (image_id, tuple(itertools.chain(*combo))) for combo in itertools.product(*options)
        )
    return plan


_ANY = object()
LevelParts = dict[int, list[tuple[Part, ...]]]


def _level_parts(project: Project, level: Level, depth: int, wanted: object) -> LevelParts:
    """Image id -> the folder paths its values give at one level (only the group ``wanted``
    and, for a tag, the tags below it, when the export is one group)."""
    conn = project.read()
    images, keys = groupstore.load_level_pairs(conn, level)
    if level.part is not None:
        images, keys = date_part_pairs(images, keys, level.part)
    found: LevelParts = {}
    labels = _labeller(project, level, depth, wanted)
    for image_id, key in zip(images.tolist(), list(keys), strict=True):
        for parts in labels(key):
            found.setdefault(image_id, []).append(parts)
    return found


def _labeller(
    project: Project, level: Level, depth: int, wanted: object
) -> Callable[[object], list[tuple[Part, ...]]]:
    conn = project.read()
    prop = level.prop
    if prop is None:
        names = {folder.id: Path(folder.path).name for folder in list_folders(conn)}
        return lambda key: (
            [((("folder", key), names.get(int(str(key)), str(key))),)]
            if wanted is _ANY or key == wanted
            else []
        )
    if prop.is_tags:
        tags = {tag.id: tag for tag in list_tags(conn, prop.id)}
        below = _below(tags, wanted)

        def tag_parts(key: object) -> list[tuple[Part, ...]]:
            tag_id = int(str(key))
            if below is not None and tag_id not in below:
                return []
            return [
                tuple((("tag", step), tags[step].name) for step in path)
                for path in tag_ids_paths(tag_id, tags)
            ]

        return tag_parts

    def value_parts(key: object) -> list[tuple[Part, ...]]:
        if wanted is not _ANY and key != wanted:
            return []
        label = str(key) if level.part is not None else format_value(prop.type, key)  # type: ignore[arg-type]
        return [(((depth, key), label),)]

    return value_parts


def _below(tags: dict[int, Any], wanted: object) -> set[int] | None:
    """The tag ``wanted`` and every tag under it; None for no restriction."""
    if wanted is _ANY:
        return None
    children: dict[int, list[int]] = {}
    for tag in tags.values():
        for parent in tag.parents:
            children.setdefault(parent, []).append(tag.id)
    found: set[int] = set()
    pending = [int(str(wanted))] if wanted is not None else []
    while pending:
        tag_id = pending.pop()
        if tag_id not in found:
            found.add(tag_id)
            pending.extend(children.get(tag_id, []))
    return found
