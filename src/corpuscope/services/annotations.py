"""Properties, tags and values: every change is one write transaction and one undo step."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services.metadata import ensure_editable
from corpuscope.services.text_codes import HISTORY_LABELS
from corpuscope.services.value_types import normalize_value
from corpuscope.store import journal
from corpuscope.store import properties as props
from corpuscope.store import tags as tagstore
from corpuscope.store import values as valstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.journal import JournalEntry as JournalEntry
from corpuscope.store.journal import Scope
from corpuscope.store.properties import PROPERTY_TYPES as PROPERTY_TYPES
from corpuscope.store.properties import Property as Property
from corpuscope.store.tags import MergeResult as MergeResult
from corpuscope.store.tags import Tag as Tag

PropertyRef = int | str
TagRef = int | str


def _label(what: str, **params: str | int) -> str:
    """The undo label of ``history.<what>`` (services/text_codes.py holds each template)."""
    return HISTORY_LABELS.write(f"history.{what}", **params)


@contextmanager
def journaled(
    project: Project, label: str, scope: Scope | Callable[[sqlite3.Connection], Scope]
) -> Iterator[sqlite3.Connection]:
    """A write transaction whose effect on ``scope`` is recorded as one undoable change.

    ``scope`` may be a function of the connection, evaluated inside the transaction (for
    changes that create rows: their ids are only known there).
    """
    with project.write() as conn:
        if callable(scope):
            scope = scope(conn)
        before = journal.capture(conn, scope)
        yield conn
        journal.record_change(conn, label, scope, before, journal.capture(conn, scope))


# --- properties -------------------------------------------------------------------------------


def list_properties(project: Project) -> list[Property]:
    return props.list_properties(project.read())


def load_property(project: Project, ref: PropertyRef) -> Property:
    """A property by id or by name (case-insensitive)."""
    return props.load_property(project.read(), ref)


def create_property(project: Project, name: str, type_: str, mode: str = "image") -> Property:
    def scope(conn: sqlite3.Connection) -> Scope:
        return journal.property_scope(props.next_property_id(conn))

    with journaled(project, _label("create_property", name=name), scope) as conn:
        new_id = props.next_property_id(conn)
        return props.save_property(conn, name, type_, mode, property_id=new_id)


def rename_property(project: Project, ref: PropertyRef, name: str) -> Property:
    prop = _editable(project, ref)
    scope = journal.property_scope(prop.id)
    with journaled(project, _label("rename_property", old=prop.name, new=name), scope) as conn:
        return props.rename_property(conn, prop, name)


def delete_property(project: Project, ref: PropertyRef) -> None:
    prop = _editable(project, ref)
    with journaled(
        project, _label("delete_property", name=prop.name), journal.property_scope(prop.id)
    ) as conn:
        props.delete_property(conn, prop)


# --- values -----------------------------------------------------------------------------------


def _editable(project: Project, ref: PropertyRef) -> Property:
    """A property the user may change (not one holding metadata read from the files)."""
    prop = props.load_property(project.read(), ref)
    ensure_editable(prop)
    return prop


def _targets(conn: sqlite3.Connection, prop: Property, targets: Sequence[int]) -> list[int]:
    unique = sorted(set(targets))
    if not unique:
        raise InvalidInput("No images were given.", code="images.none_given")
    missing = set(unique) - valstore.existing_targets(conn, prop, unique)
    if missing:
        what = "image" if prop.mode == "image" else "file"
        shown = ", ".join(str(i) for i in sorted(missing)[:5])
        if what == "file":
            raise NotFound(f"There is no file with id {shown} in this project.")
        raise NotFound(
            f"There is no image with id {shown} in this project.",
            code="image.not_found",
            params={"id": shown},
        )
    return unique


def set_values(project: Project, ref: PropertyRef, targets: Sequence[int], value: object) -> int:
    """Set one value on many images; for tag properties ``value`` is a list of tags (replaced)."""
    prop = _editable(project, ref)
    ids = _targets(project.read(), prop, targets)
    scope = journal.values_scope(prop.id, prop.mode, ids)
    with journaled(
        project, _label("set_values", property=prop.name, count=len(ids)), scope
    ) as conn:
        if prop.is_tags:
            tag_ids = _tag_list(conn, prop, value)
            valstore.clear_values(conn, prop, ids)
            valstore.add_tag_values(conn, prop, ids, tag_ids)
        else:
            valstore.set_scalar_values(conn, prop, ids, normalize_value(prop.type, value))
    return len(ids)


def add_tags(
    project: Project, ref: PropertyRef, targets: Sequence[int], tags: Sequence[TagRef]
) -> int:
    """Add tags to many images (a single-tag property replaces its tag instead)."""
    prop = _editable(project, ref)
    if prop.type == "tag":
        return set_values(project, ref, targets, list(tags))
    ids = _targets(project.read(), prop, targets)
    scope = journal.values_scope(prop.id, prop.mode, ids)
    with journaled(
        project, _label("tag_images", count=len(ids), property=prop.name), scope
    ) as conn:
        valstore.add_tag_values(conn, prop, ids, _tag_list(conn, prop, list(tags)))
    return len(ids)


def remove_tags(
    project: Project, ref: PropertyRef, targets: Sequence[int], tags: Sequence[TagRef]
) -> int:
    prop = _editable(project, ref)
    ids = _targets(project.read(), prop, targets)
    scope = journal.values_scope(prop.id, prop.mode, ids)
    with journaled(
        project, _label("untag_images", count=len(ids), property=prop.name), scope
    ) as conn:
        valstore.remove_tag_values(conn, prop, ids, _tag_list(conn, prop, list(tags)))
    return len(ids)


def clear_values(project: Project, ref: PropertyRef, targets: Sequence[int]) -> int:
    prop = _editable(project, ref)
    ids = _targets(project.read(), prop, targets)
    scope = journal.values_scope(prop.id, prop.mode, ids)
    with journaled(
        project, _label("clear_values", property=prop.name, count=len(ids)), scope
    ) as conn:
        valstore.clear_values(conn, prop, ids)
    return len(ids)


@dataclass(frozen=True)
class Change:
    """One part of a batch: ``op`` is "set" (a value, or a list of tags), "add-tags",
    "remove-tags" or "clear"."""

    property: PropertyRef
    op: str
    value: object = None


def apply_changes(
    project: Project, targets: Sequence[int], changes: Sequence[Change], *, label: str | None = None
) -> int:
    """Several property changes on the same images as one transaction and one undo step
    (accepting a recommendation into a group of several properties, for instance)."""
    if not changes:
        raise InvalidInput("No changes were given.")
    conn = project.read()
    resolved = [(props.load_property(conn, change.property), change) for change in changes]
    for prop, _ in resolved:
        ensure_editable(prop)
    if len({prop.mode for prop, _ in resolved}) > 1:
        raise InvalidInput("A batch of changes must be all per-image or all per-file properties.")
    ids = _targets(conn, resolved[0][0], targets)
    slices = tuple(
        piece
        for prop, _ in resolved
        for piece in journal.values_scope(prop.id, prop.mode, ids).slices
    )
    names = ", ".join(dict.fromkeys(prop.name for prop, _ in resolved))
    text = label or _label("change_values", properties=names, count=len(ids))
    with journaled(project, text, Scope(slices, tuple(ids))) as conn:
        for prop, change in resolved:
            _apply(conn, prop, ids, change)
    return len(ids)


def _apply(conn: sqlite3.Connection, prop: Property, ids: list[int], change: Change) -> None:
    if change.op == "clear":
        valstore.clear_values(conn, prop, ids)
    elif change.op == "set" and not prop.is_tags:
        valstore.set_scalar_values(conn, prop, ids, normalize_value(prop.type, change.value))
    elif change.op == "set" or (change.op == "add-tags" and prop.type == "tag"):
        tag_ids = _tag_list(conn, prop, change.value)
        valstore.clear_values(conn, prop, ids)
        valstore.add_tag_values(conn, prop, ids, tag_ids)
    elif change.op in ("add-tags", "remove-tags") and prop.is_tags:
        tag_ids = _tag_list(conn, prop, change.value)
        action = valstore.add_tag_values if change.op == "add-tags" else valstore.remove_tag_values
        action(conn, prop, ids, tag_ids)
    else:
        raise InvalidInput(f"Cannot {change.op} on the property {prop.name!r} ({prop.type}).")


def _tag_list(conn: sqlite3.Connection, prop: Property, value: object) -> list[int]:
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"{prop.name!r} is a tag property: give a list of tags.")
    tag_ids = sorted({resolve_tag(conn, prop, ref).id for ref in value})
    if prop.type == "tag" and len(tag_ids) > 1:
        raise InvalidInput(f"{prop.name!r} holds one tag per image; use a multi_tags property.")
    return tag_ids


def resolve_tag(conn: sqlite3.Connection, prop: Property, ref: object) -> Tag:
    """A tag of ``prop`` by id or by name."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        tag = tagstore.load_tag(conn, ref)
        if tag.property_id != prop.id:
            raise InvalidInput(f"Tag {ref} does not belong to the property {prop.name!r}.")
        return tag
    if isinstance(ref, str):
        found = tagstore.find_tag(conn, prop.id, ref)
        if found is None:
            raise NotFound(f"The property {prop.name!r} has no tag named {ref!r}.")
        return found
    raise InvalidInput(f"{ref!r} is not a tag name or id.")


# --- tags -------------------------------------------------------------------------------------


@in_one_snapshot
def list_tags(project: Project, ref: PropertyRef) -> list[Tag]:
    """The tags of a property (by id or name), with their parents."""
    return tagstore.list_tags(project.read(), props.load_property(project.read(), ref).id)


def find_tag(project: Project, prop: Property, ref: TagRef) -> Tag:
    """A tag of ``prop`` by id or by name."""
    return resolve_tag(project.read(), prop, ref)


def create_tag(
    project: Project,
    ref: PropertyRef,
    name: str,
    *,
    color: str | None = None,
    parents: Sequence[int] = (),
) -> Tag:
    prop = _editable(project, ref)

    def scope(conn: sqlite3.Connection) -> Scope:
        return journal.tags_scope([tagstore.next_tag_id(conn), *parents])

    with journaled(project, _label("create_tag", name=name), scope) as conn:
        return tagstore.save_tag(conn, prop, name, color=color, parents=parents)


def _tag(project: Project, tag_id: int) -> Tag:
    return tagstore.load_tag(project.read(), tag_id)


def change_tag(
    project: Project,
    tag_id: int,
    *,
    name: str | None = None,
    color: str | None = None,
    parents: Sequence[int] | None = None,
) -> Tag:
    """Rename, recolour and/or replace the parents of a tag, as one transaction and one undo
    step: when a part is refused (a name taken, a parent making a cycle), nothing changes."""
    if name is None and color is None and parents is None:
        raise InvalidInput("Give a new name, colour or list of parents for the tag.")
    tag = _tag(project, tag_id)
    label = _change_label(tag, name=name, color=color, parents=parents)
    with journaled(project, label, journal.tags_scope([tag.id])) as conn:
        if name is not None:
            tagstore.rename_tag(conn, tag, name)
        if color is not None:
            tagstore.recolor_tag(conn, tag, color)
        if parents is not None:
            for parent in tag.parents:
                tagstore.remove_parent(conn, tag.id, parent)
            for parent in dict.fromkeys(parents):
                tagstore.add_parent(conn, tag.id, parent)
        return tagstore.load_tag(conn, tag.id)


def _change_label(
    tag: Tag, *, name: str | None, color: str | None, parents: Sequence[int] | None
) -> str:
    """The undo label: the one change, or what changed together."""
    parts = {
        "name": None if name is None else _label("rename_tag", old=tag.name, new=name),
        "colour": None if color is None else _label("recolour_tag", tag=tag.name),
        "parents": None if parents is None else _label("set_parents", tag=tag.name),
    }
    given = {what: text for what, text in parts.items() if text is not None}
    if len(given) == 1:
        return next(iter(given.values()))
    return f"change tag {tag.name} ({', '.join(given)})"


def rename_tag(project: Project, tag_id: int, name: str) -> Tag:
    return change_tag(project, tag_id, name=name)


def recolor_tag(project: Project, tag_id: int, color: str) -> Tag:
    return change_tag(project, tag_id, color=color)


def add_parent(project: Project, tag_id: int, parent_id: int) -> Tag:
    tag = _tag(project, tag_id)
    with journaled(
        project, _label("add_parent", tag=tag.name), journal.tags_scope([tag.id])
    ) as conn:
        tagstore.add_parent(conn, tag.id, parent_id)
        return tagstore.load_tag(conn, tag.id)


def remove_parent(project: Project, tag_id: int, parent_id: int) -> Tag:
    tag = _tag(project, tag_id)
    with journaled(
        project, _label("remove_parent", tag=tag.name), journal.tags_scope([tag.id])
    ) as conn:
        tagstore.remove_parent(conn, tag.id, parent_id)
        return tagstore.load_tag(conn, tag.id)


def delete_tag(project: Project, tag_id: int) -> None:
    conn = project.read()
    tag = tagstore.load_tag(conn, tag_id)
    children = tagstore.list_children(conn, tag.id)
    scope = journal.tags_scope([tag.id, *children], values_of=[tag.id])
    with journaled(project, _label("delete_tag", name=tag.name), scope) as conn:
        tagstore.delete_tag(conn, tag)


def merge_tags(project: Project, survivor_id: int, other_ids: Sequence[int]) -> MergeResult:
    """Merge tags into ``survivor_id``: their images, parents and children move over."""
    conn = project.read()
    survivor = tagstore.load_tag(conn, survivor_id)
    others = [tagstore.load_tag(conn, tag_id) for tag_id in dict.fromkeys(other_ids)]
    if not [tag for tag in others if tag.id != survivor.id]:
        raise InvalidInput(
            "Choose at least one other tag to merge into this one.", code="tag.merge_needs_two"
        )
    ids = [survivor.id, *(tag.id for tag in others)]
    scope = journal.tags_scope(ids, values_of=ids)
    names = ", ".join(tag.name for tag in others)
    with journaled(
        project, _label("merge_tags", tags=names, survivor=survivor.name), scope
    ) as conn:
        return tagstore.merge_tags(conn, survivor, others)


# --- undo -------------------------------------------------------------------------------------


def list_history(project: Project, *, limit: int = 50) -> list[JournalEntry]:
    """The last ``limit`` changes, newest first (undone ones marked)."""
    return journal.list_journal(project.read(), limit=limit)


def undo(project: Project) -> JournalEntry | None:
    """Undo the last change; None when there is nothing to undo."""
    with project.write() as conn:
        return journal.undo_last(conn)


def redo(project: Project) -> JournalEntry | None:
    with project.write() as conn:
        return journal.redo_next(conn)
