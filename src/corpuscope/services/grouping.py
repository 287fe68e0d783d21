"""Images grouped by one or several properties (nested), counted on the server.

Each level is a property or ``"folder"``. A group's ``count`` is the number of images with
exactly that value; for tag properties ``total`` also counts images whose tag lies below it in
the hierarchy, and groups come in tree order with their ``depth`` and ``parents`` so a client can
draw the tag tree. An image with several tags is in each of their groups; images without a value
form the group whose key is ``None``. The next level subdivides a group's own images.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

from corpuscope.errors import InvalidInput
from corpuscope.services.images import (
    MAX_IDS,
    ConditionSpec,
    FilterSpec,
    IdPage,
    ImagePage,
    PropertyRef,
    SortSpec,
    list_image_ids,
    list_images,
    resolve_filter,
)
from corpuscope.services.value_types import format_value
from corpuscope.store import grouping as groupstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.folders import list_folders
from corpuscope.store.grouping import Ids, Level
from corpuscope.store.images import count_tag_images
from corpuscope.store.properties import Property, list_properties, load_property
from corpuscope.store.tags import Tag, list_tags
from corpuscope.store.values import Scalar

DATE_PARTS = ("year", "month")


@dataclass(frozen=True)
class DatePart:
    """A grouping level by the year or the month of a date property's values."""

    property: PropertyRef
    part: Literal["year", "month"]


LevelRef = PropertyRef | Literal["folder"] | DatePart
GroupKey = tuple[object, ...]
Codes = npt.NDArray[np.int64]
MAX_LEVELS = 4
MAX_GROUPS = 1000


@dataclass
class GroupNode:
    key: object
    label: str
    count: int
    color: str | None = None
    total: int | None = None
    depth: int = 0
    parents: tuple[int, ...] = ()
    children: list[GroupNode] = field(default_factory=list)
    truncated: int = 0


@dataclass(frozen=True)
class Grouping:
    total: int
    levels: list[str]
    groups: list[GroupNode]
    truncated: int


class _LevelInfo:
    """Labels, colours and order of one level's keys."""

    def __init__(self, conn: sqlite3.Connection, level: Level) -> None:
        self.level = level
        self.tags: dict[int, Tag] = {}
        self.order: dict[object, int] = {}
        self.depths: dict[int, int] = {}
        prop = level.prop
        if prop is None:
            self.name = "folder"
            self.folders = {folder.id: folder.shown for folder in list_folders(conn)}
            ordered = sorted(self.folders, key=lambda key: self.folders[key])
            self.order = {key: rank for rank, key in enumerate(ordered)}
        else:
            self.name = prop.name if level.part is None else f"{prop.name} ({level.part})"
            if prop.is_tags:
                self.tags = {tag.id: tag for tag in list_tags(conn, prop.id)}
                self._tree_order()

    def _tree_order(self) -> None:
        children: dict[int | None, list[Tag]] = {}
        for tag in self.tags.values():
            for parent in tag.parents or (None,):
                children.setdefault(parent, []).append(tag)
        stack = [(tag, 0) for tag in sorted(children.get(None, []), key=_tag_key, reverse=True)]
        while stack:
            tag, depth = stack.pop()
            if tag.id in self.order:
                continue
            self.order[tag.id] = len(self.order)
            self.depths[tag.id] = depth
            below = sorted(children.get(tag.id, []), key=_tag_key, reverse=True)
            stack.extend((child, depth + 1) for child in below)

    def node(self, key: object, count: int) -> GroupNode:
        if key is None:
            return GroupNode(None, "(no value)", count)
        prop = self.level.prop
        if prop is None:
            return GroupNode(key, self.folders.get(int(str(key)), str(key)), count)
        if prop.is_tags:
            tag = self.tags[int(str(key))]
            return GroupNode(
                key, tag.name, count, tag.color, 0, self.depths.get(tag.id, 0), tag.parents
            )
        if self.level.part is not None:
            return GroupNode(key, str(key), count)
        return GroupNode(key, format_value(prop.type, cast(Scalar, key)), count)

    def sort_key(self, node: GroupNode) -> tuple[int, object, str]:
        if node.key is None:
            return (2, 0, "")
        if node.key in self.order:
            return (0, self.order[node.key], "")
        if isinstance(node.key, int | float):
            return (0, float(node.key), "")
        return (1, 0, str(node.key))


@in_one_snapshot
def list_property_tags(project: Project) -> list[tuple[Property, list[tuple[Tag, int]]]]:
    """Every property; for tag properties, each tag with how many images carry it directly."""
    conn = project.read()
    result: list[tuple[Property, list[tuple[Tag, int]]]] = []
    for prop in list_properties(conn):
        if not prop.is_tags:
            result.append((prop, []))
            continue
        counts = count_tag_images(conn, prop)
        result.append((prop, [(tag, counts.get(tag.id, 0)) for tag in list_tags(conn, prop.id)]))
    return result


def _tag_key(tag: Tag) -> tuple[str, int]:
    return (tag.name.lower(), tag.id)


def resolve_levels(conn: sqlite3.Connection, refs: Sequence[LevelRef]) -> list[Level]:
    """Check grouping levels (1 to 4, each once) and load their properties."""
    if not 1 <= len(refs) <= MAX_LEVELS:
        raise InvalidInput(f"Group by 1 to {MAX_LEVELS} properties.")
    if len(set(refs)) != len(refs):
        raise InvalidInput("Each property can appear only once in a grouping.")
    return [_level(conn, ref) for ref in refs]


def _level(conn: sqlite3.Connection, ref: LevelRef) -> Level:
    if ref == "folder":
        return Level(None)
    if not isinstance(ref, DatePart):
        return Level(load_property(conn, ref))
    prop = load_property(conn, ref.property)
    if prop.type != "date" or ref.part not in DATE_PARTS:
        raise InvalidInput(
            f"Only date properties can be grouped by year or month; {prop.name!r} is {prop.type}."
        )
    return Level(prop, ref.part)


def date_part_key(value: object, part: str) -> str | None:
    """``"2019-07-14T10:30:00"`` -> ``"2019"`` (year) or ``"2019-07"`` (month)."""
    size = 4 if part == "year" else 7
    text = str(value)[:size]
    valid = len(text) == size and text[:4].isdigit() and (size == 4 or text[5:7].isdigit())
    return text if valid else None


def _date_part_range(key: object, part: str) -> tuple[str, str]:
    """The first day of a year or month group, and the first day after it."""
    if not isinstance(key, str) or date_part_key(key, part) != key:
        raise InvalidInput(
            f"A group by {part} is keyed like {'2019' if part == 'year' else '2019-07'}."
        )
    year = int(key[:4])
    if part == "year":
        return f"{year:04d}-01-01", f"{year + 1:04d}-01-01"
    month = int(key[5:7])
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}-01", f"{after[0]:04d}-{after[1]:02d}-01"


@in_one_snapshot
def group_images(
    project: Project,
    levels: Sequence[LevelRef],
    flt: FilterSpec | None = None,
    *,
    max_groups: int = MAX_GROUPS,
) -> Grouping:
    """The nested groups of the images matching ``flt``, with counts."""
    if not 1 <= max_groups <= MAX_GROUPS:
        raise InvalidInput(f"Ask for 1 to {MAX_GROUPS} groups per level.")
    conn = project.read()
    resolved = resolve_filter(conn, flt)
    found = resolve_levels(conn, levels)
    infos = [_LevelInfo(conn, level) for level in found]
    images = groupstore.load_filtered_ids(conn, resolved)
    counts, totals = _Counter(conn, images).count(found)
    builder = _TreeBuilder(infos, counts, totals, max_groups)
    groups, truncated = builder.children(())
    return Grouping(len(images), [info.name for info in infos], groups, truncated)


class _Counter:
    """Counts per nested key, in numpy: rows of (image, key codes) grow one level at a time.

    Tag and folder keys are their ids; other values get codes. ``-1`` codes "no value".
    """

    def __init__(self, conn: sqlite3.Connection, images: Ids) -> None:
        self.conn = conn
        self.images = images

    def count(
        self, levels: list[Level]
    ) -> tuple[list[dict[GroupKey, int]], list[dict[GroupKey, int]]]:
        """Per depth: counts of each key prefix, and for tag levels the rolled-up totals."""
        rows, codes = self.images, np.empty((len(self.images), 0), dtype=np.int64)
        decoders: list[list[object] | None] = []
        counts: list[dict[GroupKey, int]] = []
        totals: list[dict[GroupKey, int]] = []
        for level in levels:
            pair_images, keys = groupstore.load_level_pairs(self.conn, level)
            if level.part is not None:
                pair_images, keys = date_part_pairs(pair_images, keys, level.part)
            pair_codes, decoder = _encode(level, keys)
            decoders.append(decoder)
            if level.prop is not None and level.prop.is_tags:
                up_images, up_codes = self._ancestors(level.prop, pair_images, pair_codes)
                totals.append(_tally(*_expand(rows, codes, up_images, up_codes), decoders))
            else:
                totals.append({})
            rows, codes = _expand(rows, codes, pair_images, pair_codes)
            counts.append(_tally(rows, codes, decoders))
        return counts, totals

    def _ancestors(self, prop: Property, images: Ids, tags: Codes) -> tuple[Ids, Codes]:
        """``(image, tag)`` pairs become distinct ``(image, ancestor)`` pairs, tag included."""
        ancestry = np.array(groupstore.load_tag_ancestry(self.conn, prop), dtype=np.int64)
        if len(ancestry) == 0 or len(tags) == 0:
            return images, tags
        index, up = _join(tags, ancestry[:, 0], ancestry[:, 1])
        joined, _ = _unique_rows(np.column_stack([images[index], up]))
        return joined[:, 0], joined[:, 1]


def date_part_pairs(images: Ids, values: list[object] | Ids, part: str) -> tuple[Ids, list[object]]:
    """Each (image, date) pair as (image, year or month), once per image and key."""
    seen: dict[tuple[int, str], None] = {}
    for image, value in zip(images.tolist(), values, strict=True):
        key = date_part_key(value, part)
        if key is not None:
            seen.setdefault((image, key), None)
    pairs = list(seen)
    return np.array([p[0] for p in pairs], dtype=np.int64), [p[1] for p in pairs]


def _encode(level: Level, keys: list[object] | Ids) -> tuple[Codes, list[object] | None]:
    """Integer codes for a level's keys; ids stay ids (decoder None)."""
    if isinstance(keys, np.ndarray):
        return keys, None
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(key, len(index)) for key in keys), np.int64, len(keys))
    return codes, list(index)


def _expand(rows: Ids, codes: Codes, pair_images: Ids, pair_codes: Codes) -> tuple[Ids, Codes]:
    """Each row once per pair of its image (or once with -1 when it has none), code appended."""
    index, new = _join(rows, pair_images, pair_codes)
    return rows[index], np.column_stack([codes[index], new])


def _join(rows: Ids, pair_keys: Ids, pair_values: Codes) -> tuple[Ids, Codes]:
    """A left join: ``(row index, value)`` for each pair whose key is the row's, -1 for none."""
    order = np.argsort(pair_keys, kind="stable")
    sorted_keys, sorted_values = pair_keys[order], pair_values[order]
    start = np.searchsorted(sorted_keys, rows, "left")
    found = np.searchsorted(sorted_keys, rows, "right") - start
    repeat = np.maximum(found, 1)
    index = np.repeat(np.arange(len(rows)), repeat)
    within = np.arange(len(index)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    new = np.full(len(index), -1, dtype=np.int64)
    has = found[index] > 0
    new[has] = sorted_values[start[index][has] + within[has]]
    return index, new


def _tally(rows: Ids, codes: Codes, decoders: list[list[object] | None]) -> dict[GroupKey, int]:
    if len(rows) == 0:
        return {}
    unique, counts = _unique_rows(codes)
    return {
        tuple(
            _decode(int(code), decoder) for code, decoder in zip(key, decoders, strict=True)
        ): int(n)
        for key, n in zip(unique, counts, strict=True)
    }


def _unique_rows(codes: Codes) -> tuple[Codes, Codes]:
    """``np.unique(codes, axis=0, return_counts=True)``, through one int64 key when it fits."""
    shifted = codes + 1  # -1 (no value) becomes 0
    radices = [int(column.max(initial=0)) + 1 for column in shifted.T]
    if np.prod(np.array(radices, dtype=np.float64)) >= 2**62:
        found, counts = np.unique(codes, axis=0, return_counts=True)
        return found, counts
    combined = np.zeros(len(codes), dtype=np.int64)
    for column, radix in zip(shifted.T, radices, strict=True):
        combined = combined * radix + column
    keys, counts = np.unique(combined, return_counts=True)
    rows = np.empty((len(keys), len(radices)), dtype=np.int64)
    for position in range(len(radices) - 1, -1, -1):
        keys, rows[:, position] = np.divmod(keys, radices[position])
    return rows - 1, counts


def _decode(code: int, decoder: list[object] | None) -> object:
    if code < 0:
        return None
    return code if decoder is None else decoder[code]


def _by_prefix(counts: dict[GroupKey, int]) -> dict[GroupKey, dict[object, int]]:
    """``(k1, k2, k3) -> n`` as ``(k1, k2) -> {k3: n}``."""
    index: dict[GroupKey, dict[object, int]] = {}
    for key, count in counts.items():
        index.setdefault(key[:-1], {})[key[-1]] = count
    return index


class _TreeBuilder:
    def __init__(
        self,
        infos: list[_LevelInfo],
        counts: list[dict[GroupKey, int]],
        totals: list[dict[GroupKey, int]],
        max_groups: int,
    ) -> None:
        self.infos, self.max_groups = infos, max_groups
        self.counts = [_by_prefix(level) for level in counts]
        self.totals = [_by_prefix(level) for level in totals]

    def children(self, prefix: GroupKey) -> tuple[list[GroupNode], int]:
        depth = len(prefix)
        info = self.infos[depth]
        keys = dict(self.counts[depth].get(prefix, {}))
        rolled = self.totals[depth].get(prefix, {})
        for key in rolled:
            keys.setdefault(key, 0)
        nodes = [info.node(key, count) for key, count in keys.items()]
        if info.tags:
            nodes = [replace(node, total=rolled.get(node.key, node.count)) for node in nodes]
        nodes.sort(key=info.sort_key)
        kept, dropped = nodes[: self.max_groups], max(0, len(nodes) - self.max_groups)
        if depth + 1 < len(self.infos):
            for node in kept:
                if node.count:
                    node.children, node.truncated = self.children((*prefix, node.key))
        return kept, dropped


@in_one_snapshot
def group_filter(
    project: Project,
    levels: Sequence[LevelRef],
    key: Sequence[object],
    flt: FilterSpec | None = None,
    *,
    descendants: bool = False,
) -> FilterSpec:
    """``flt`` narrowed to the group at ``key`` (one key per level from the top; a prefix
    selects an outer group). With ``descendants``, a tag key takes the tags below it too."""
    conn = project.read()
    found = resolve_levels(conn, levels)
    if not 1 <= len(key) <= len(found):
        raise InvalidInput("Give one key per grouping level, from the top (at most one per level).")
    spec = flt or FilterSpec()
    conditions = list(spec.conditions)
    folder_ids = list(spec.folder_ids)
    image_ids = spec.image_ids
    for level, value in zip(found, key, strict=False):
        if level.prop is None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidInput("A folder group's key is the folder's id.")
            image_ids = () if folder_ids and value not in folder_ids else image_ids
            folder_ids = [value]
        elif value is None:
            conditions.append(ConditionSpec(level.prop.id, "empty"))
        elif level.part is not None:
            first, after = _date_part_range(value, level.part)
            conditions.append(ConditionSpec(level.prop.id, "ge", value=first))
            conditions.append(ConditionSpec(level.prop.id, "lt", value=after))
        elif level.prop.is_tags:
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidInput(f"A group of {level.prop.name!r} is keyed by a tag id.")
            conditions.append(
                ConditionSpec(level.prop.id, "any", tags=[value], descendants=descendants)
            )
        else:
            conditions.append(ConditionSpec(level.prop.id, "eq", value=value))
    return replace(spec, conditions=conditions, folder_ids=folder_ids, image_ids=image_ids)


@in_one_snapshot
def list_group_members(
    project: Project,
    levels: Sequence[LevelRef],
    key: Sequence[object],
    flt: FilterSpec | None = None,
    *,
    descendants: bool = False,
    sort: SortSpec | None = None,
    offset: int = 0,
    limit: int = 100,
    properties: Sequence[PropertyRef] = (),
) -> ImagePage:
    """One page of the images of the group at ``key`` (see :func:`group_filter`)."""
    narrowed = group_filter(project, levels, key, flt, descendants=descendants)
    return list_images(project, narrowed, sort, offset=offset, limit=limit, properties=properties)


@in_one_snapshot
def list_group_member_ids(
    project: Project,
    levels: Sequence[LevelRef],
    key: Sequence[object],
    flt: FilterSpec | None = None,
    *,
    descendants: bool = False,
    sort: SortSpec | None = None,
    offset: int = 0,
    limit: int = MAX_IDS,
) -> IdPage:
    """The ids of a group's images (up to 100,000), e.g. to set a value on the whole group."""
    narrowed = group_filter(project, levels, key, flt, descendants=descendants)
    return list_image_ids(project, narrowed, sort, offset=offset, limit=limit)
