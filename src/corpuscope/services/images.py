"""Listing images (filter, sort, pages) and reading one image: its files, values and groups.

Callers describe a filter with plain references (property and tag ids or names, raw values);
:func:`resolve_filter` checks them once and turns them into the store's filter, so a typo is a
clear error instead of an empty page. Files are served by image id only: the path comes from
the database, never from the caller.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

import numpy as np

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.ingest.decode import DEFAULT_MAX_PIXELS
from corpuscope.ingest.reader import ReadSettings, remake_thumbnails
from corpuscope.ingest.thumbnails import SIZES, thumbnail_path
from corpuscope.services.annotations import resolve_tag
from corpuscope.services.served_files import resolve_inside, resolve_served_file
from corpuscope.services.value_types import normalize_value
from corpuscope.store import files as filestore
from corpuscope.store import folders as folderstore
from corpuscope.store import images as imgstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.folders import load_folder
from corpuscope.store.grouping import Ids, load_filtered_ids
from corpuscope.store.images import (
    Condition,
    ConditionOp,
    ImageFile,
    ImageFilter,
    ImageRow,
    ImageSort,
    Membership,
    SortKey,
)
from corpuscope.store.properties import Property, list_properties, load_property
from corpuscope.store.values import Scalar

PropertyRef = int | str
Value = Scalar | list[int]
MAX_PAGE = 1000
MAX_IDS = 100_000
TAG_OPS = ("any", "all", "none", "empty", "not_empty")
SCALAR_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "contains", "empty", "not_empty")
SORT_KEYS = ("id", "path", "property", "rank")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_MEDIA_TYPES = {
    "JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
    "TIFF": "image/tiff", "BMP": "image/bmp", "AVIF": "image/avif", "HEIF": "image/heif",
}  # fmt: skip


@dataclass(frozen=True)
class ConditionSpec:
    """``op`` on ``property``: scalar ops take ``value``, tag ops (any/all/none) take ``tags``."""

    property: PropertyRef
    op: str
    value: object = None
    tags: Sequence[int | str] = ()
    descendants: bool = True


@dataclass(frozen=True)
class FilterSpec:
    folder_ids: Sequence[int] = ()
    status: str | None = None
    path_contains: str | None = None
    image_ids: Sequence[int] | None = None
    group_id: int | None = None
    conditions: Sequence[ConditionSpec] = field(default=())


@dataclass(frozen=True)
class SortSpec:
    key: str = "id"
    property: PropertyRef | None = None
    descending: bool = False


@dataclass(frozen=True)
class ImageItem:
    row: ImageRow
    values: dict[int, Value]


@dataclass(frozen=True)
class ImagePage:
    total: int | None  # None when not counted
    offset: int
    limit: int
    items: list[ImageItem]


@dataclass(frozen=True)
class IdPage:
    total: int
    offset: int
    ids: list[int]


@dataclass(frozen=True)
class ImageDetail:
    row: ImageRow
    files: list[ImageFile]
    values: dict[int, Value]
    file_values: dict[int, dict[int, Value]]
    groups: list[Membership]


def _condition(conn: sqlite3.Connection, spec: ConditionSpec) -> Condition:
    prop = load_property(conn, spec.property)
    ops = TAG_OPS if prop.is_tags else SCALAR_OPS
    if spec.op not in ops:
        raise InvalidInput(
            f"The filter {spec.op!r} does not apply to {prop.name!r} ({prop.type}); "
            f"use one of {', '.join(ops)}."
        )
    op = cast(ConditionOp, spec.op)
    if op in ("empty", "not_empty"):
        return Condition(prop, op)
    if prop.is_tags:
        if not spec.tags:
            raise InvalidInput(f"The filter {op!r} on {prop.name!r} needs at least one tag.")
        tags = [resolve_tag(conn, prop, ref).id for ref in spec.tags]
        sets = tuple(
            tuple(imgstore.list_descendants(conn, tag)) if spec.descendants else (tag,)
            for tag in tags
        )
        return Condition(prop, op, tag_sets=sets)
    if spec.value is None:
        raise InvalidInput(f"The filter {op!r} on {prop.name!r} needs a value.")
    if op == "contains":
        if not isinstance(spec.value, str):
            raise InvalidInput("The filter 'contains' needs a text value.")
        return Condition(prop, op, value=spec.value)
    return Condition(prop, op, value=normalize_value(prop.type, spec.value))


def resolve_filter(conn: sqlite3.Connection, spec: FilterSpec | None) -> ImageFilter:
    """Check a filter's references and values; NotFound/InvalidInput say what is wrong."""
    spec = spec or FilterSpec()
    if spec.status not in (None, "ok", "missing"):
        raise InvalidInput(f"Unknown status {spec.status!r}; use 'ok' or 'missing'.")
    for folder_id in spec.folder_ids:
        load_folder(conn, folder_id)
    if spec.group_id is not None:
        imgstore.load_group_run(conn, spec.group_id)
    if spec.image_ids is not None and len(spec.image_ids) > MAX_IDS:
        raise InvalidInput(f"A filter can list at most {MAX_IDS} image ids.")
    return ImageFilter(
        folder_ids=tuple(dict.fromkeys(spec.folder_ids)),
        status=cast(Literal["ok", "missing"] | None, spec.status),
        path_contains=spec.path_contains or None,
        image_ids=None if spec.image_ids is None else tuple(spec.image_ids),
        group_id=spec.group_id,
        conditions=tuple(_condition(conn, cond) for cond in spec.conditions),
    )


def resolve_sort(conn: sqlite3.Connection, spec: SortSpec | None, flt: ImageFilter) -> ImageSort:
    spec = spec or SortSpec()
    if spec.key not in SORT_KEYS:
        raise InvalidInput(f"Unknown sort {spec.key!r}; use one of {', '.join(SORT_KEYS)}.")
    key = cast(SortKey, spec.key)
    prop: Property | None = None
    if key == "property":
        if spec.property is None:
            raise InvalidInput("Sorting by property needs the property to sort by.")
        prop = load_property(conn, spec.property)
    if key == "rank" and flt.group_id is None:
        raise InvalidInput("Sorting by rank needs a clustering group in the filter (group_id).")
    return ImageSort(key, prop, spec.descending, flt.group_id)


def _check_page(offset: int, limit: int, most: int) -> None:
    if offset < 0:
        raise InvalidInput("The offset cannot be negative.")
    if not 1 <= limit <= most:
        raise InvalidInput(f"The page size must be between 1 and {most}.")


@in_one_snapshot
def list_images(
    project: Project,
    flt: FilterSpec | None = None,
    sort: SortSpec | None = None,
    *,
    offset: int = 0,
    limit: int = 100,
    properties: Sequence[PropertyRef] = (),
    count: bool = True,
) -> ImagePage:
    """One page of matching images, with the values of ``properties`` on each; without
    ``count``, the matches are not counted (counting reads them all: 50 ms at a million)."""
    _check_page(offset, limit, MAX_PAGE)
    conn = project.read()
    resolved = resolve_filter(conn, flt)
    order = resolve_sort(conn, sort, resolved)
    shown = [load_property(conn, ref) for ref in dict.fromkeys(properties)]
    total = imgstore.count_images(conn, resolved) if count else None
    ids = _page_ids(project, resolved, order, offset, limit)
    rows = imgstore.load_image_rows(conn, ids, group_id=resolved.group_id)
    values = _page_values(conn, shown, rows)
    items = [ImageItem(row, values.get(row.id, {})) for row in rows]
    return ImagePage(total, offset, limit, items)


@in_one_snapshot
def list_image_ids(
    project: Project,
    flt: FilterSpec | None = None,
    sort: SortSpec | None = None,
    *,
    offset: int = 0,
    limit: int = MAX_IDS,
) -> IdPage:
    """Only the ids of matching images, up to 100,000 at a time (to select a whole view)."""
    _check_page(offset, limit, MAX_IDS)
    conn = project.read()
    resolved = resolve_filter(conn, flt)
    order = resolve_sort(conn, sort, resolved)
    total = imgstore.count_images(conn, resolved)
    return IdPage(total, offset, _page_ids(project, resolved, order, offset, limit))


class _OrderCache:
    """Whole-project orders by path or by a property, kept while the project does not change.

    Sorting 100,000 images by a text key in SQLite takes about a second; a grid asks for page
    after page of the same order, so the order is computed once (checked against
    :func:`~corpuscope.store.images.load_order_stamp`) and each page is a numpy lookup.
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[object, ...], tuple[tuple[object, ...], Ids]] = (
            OrderedDict()
        )
        self.lock = threading.Lock()

    def ranks(self, project: Project, sort: ImageSort) -> Ids:
        """``ranks[image_id]``: the image's position in the order (ids past the end: last)."""
        conn = project.read()
        key = (str(project.db_path), sort.key, sort.prop.id if sort.prop else None, sort.descending)
        stamp = imgstore.load_order_stamp(conn, sort)
        with self.lock:
            found = self.entries.get(key)
            if found is not None and found[0] == stamp:
                self.entries.move_to_end(key)
                return found[1]
        order = np.asarray(imgstore.list_sorted_ids(conn, sort), dtype=np.int64)
        ranks = np.full(int(order.max(initial=0)) + 1, len(order), dtype=np.int64)
        ranks[order] = np.arange(len(order))
        with self.lock:
            self.entries[key] = (stamp, ranks)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return ranks


_ORDERS = _OrderCache()


def _page_ids(
    project: Project, flt: ImageFilter, sort: ImageSort, offset: int, limit: int
) -> list[int]:
    """One page of ids in sort order; path and property orders come from the cache."""
    conn = project.read()
    if sort.key not in ("path", "property"):
        return imgstore.list_image_ids(conn, flt, sort, offset=offset, limit=limit)
    ranks = _ORDERS.ranks(project, sort)
    ids = load_filtered_ids(conn, flt)
    positions = np.where(ids < len(ranks), ranks[np.minimum(ids, len(ranks) - 1)], len(ranks))
    ordered = ids[np.lexsort((ids if not sort.descending else -ids, positions))]
    return [int(i) for i in ordered[offset : offset + limit]]


def _page_values(
    conn: sqlite3.Connection, shown: list[Property], rows: list[ImageRow]
) -> dict[int, dict[int, Value]]:
    """Image id -> property id -> value; instance properties show the first file's value."""
    result: dict[int, dict[int, Value]] = {}
    image_ids = [row.id for row in rows]
    files = (
        {row.id: imgstore.list_image_files(conn, row.id) for row in rows}
        if any(prop.mode == "instance" for prop in shown)
        else {}
    )
    for prop in shown:
        if prop.mode == "image":
            for target, value in imgstore.load_values_of(conn, prop, image_ids).items():
                result.setdefault(target, {})[prop.id] = value
            continue
        firsts = {image: found[0].id for image, found in files.items() if found}
        by_file = imgstore.load_values_of(conn, prop, list(firsts.values()))
        for image, file_id in firsts.items():
            if file_id in by_file:
                result.setdefault(image, {})[prop.id] = by_file[file_id]
    return result


@dataclass(frozen=True)
class FolderInfo:
    id: int
    path: str
    added_at: str
    imported_at: str | None
    images: int


@in_one_snapshot
def list_folders(project: Project) -> list[FolderInfo]:
    """The imported folders with their image counts (for the folder filter)."""
    conn = project.read()
    counts = imgstore.count_images_per_folder(conn)
    return [
        FolderInfo(f.id, f.shown, f.added_at, f.imported_at, counts.get(f.id, 0))
        for f in folderstore.list_folders(conn)
    ]


def load_image_paths(project: Project) -> dict[int, str]:
    """Image id -> the relative path of one of its files (an ok file first)."""
    return filestore.load_image_paths(project.read())


def load_image_files(project: Project) -> dict[int, list[str]]:
    """Image id -> the relative paths of all its ok files."""
    return filestore.load_image_files(project.read())


@in_one_snapshot
def load_image(project: Project, image_id: int) -> ImageDetail:
    """One image with its files, every property value and its clustering groups."""
    conn = project.read()
    row = imgstore.load_image_row(conn, image_id)
    files = imgstore.list_image_files(conn, image_id)
    values: dict[int, Value] = {}
    file_values: dict[int, dict[int, Value]] = {file.id: {} for file in files}
    for prop in list_properties(conn):
        if prop.mode == "image":
            found = imgstore.load_values_of(conn, prop, [image_id])
            if image_id in found:
                values[prop.id] = found[image_id]
            continue
        for file_id, value in imgstore.load_values_of(conn, prop, list(file_values)).items():
            file_values[file_id][prop.id] = value
    groups = imgstore.list_memberships(conn, image_id)
    return ImageDetail(row, files, values, file_values, groups)


@in_one_snapshot
def thumbnail_file(project: Project, image_id: int, size: int) -> Path:
    """The thumbnail of an image (128 or 512 px on the long side)."""
    if size not in SIZES:
        raise InvalidInput(f"Thumbnails come in sizes {' and '.join(map(str, SIZES))} only.")
    row = imgstore.load_image_row(project.read(), image_id)
    if not _SHA1.match(row.sha1):
        raise NotFound(f"Image {image_id} has no thumbnail.")
    path = thumbnail_path(project.thumbs_dir, row.sha1, size)
    if not _has_bytes(path) and not _remake_thumbnails(project, image_id, row.sha1):
        raise NotFound(f"The thumbnail of image {image_id} is missing; re-import its folder.")
    return resolve_inside(path, roots=[project.thumbs_dir])


def _has_bytes(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _remake_thumbnails(project: Project, image_id: int, sha1: str) -> bool:
    """Thumbnails missing or left empty (a power loss): made again from an original file."""
    settings = ReadSettings(project.thumbs_dir, DEFAULT_MAX_PIXELS)
    files = imgstore.list_image_files(project.read(), image_id)
    return any(
        remake_thumbnails(file.location, sha1, settings) for file in files if file.status == "ok"
    )


@in_one_snapshot
def image_file(project: Project, image_id: int, file_id: int | None = None) -> tuple[Path, str]:
    """``(path, media type)`` of an image's original file: ``file_id``, or its first ok file."""
    conn = project.read()
    row = imgstore.load_image_row(conn, image_id)
    files = imgstore.list_image_files(conn, image_id)
    chosen = [f for f in files if f.id == file_id] if file_id is not None else files[:1]
    if not chosen:
        raise NotFound(f"Image {image_id} has no file {file_id}.")
    file = chosen[0]
    roots = [folder.path for folder in folderstore.list_folders(conn)]
    path = resolve_served_file(file.location, file.path, roots=roots)
    return path, _MEDIA_TYPES.get(row.format, "application/octet-stream")
