"""Properties, tags and values: every change is one undo step."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, status

from corpuscope.services import annotations as notes
from corpuscope.services.grouping import list_property_tags
from corpuscope.web.deps import ProjectDep
from corpuscope.web.schemas.annotations import (
    MergeIn,
    MergeOut,
    ParentIn,
    PropertyIn,
    PropertyOut,
    PropertyPatch,
    TagIn,
    TagOut,
    TagPatch,
    ValuesBatchIn,
    ValuesClearIn,
    ValuesSetIn,
    ValuesTagsIn,
)
from corpuscope.web.schemas.common import MAX_ID, ChangedOut, OkOut

router = APIRouter(prefix="/api/projects/{pid}", tags=["properties, tags and values"])
PropertyId = Annotated[int, Path(ge=1, le=MAX_ID)]
TagId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _tag(tag: notes.Tag) -> TagOut:
    return TagOut(**asdict(tag))


@router.get("/properties")
def get_properties(project: ProjectDep) -> list[PropertyOut]:
    """Every property; tag properties with their tags (parents and image counts)."""
    return [
        PropertyOut(**asdict(prop), tags=[TagOut(**asdict(tag), count=n) for tag, n in tags])
        for prop, tags in list_property_tags(project)
    ]


@router.post("/properties", status_code=status.HTTP_201_CREATED)
def create_property(body: PropertyIn, project: ProjectDep) -> PropertyOut:
    return PropertyOut(**asdict(notes.create_property(project, body.name, body.type, body.mode)))


@router.patch("/properties/{property_id}")
def rename_property(
    property_id: PropertyId, body: PropertyPatch, project: ProjectDep
) -> PropertyOut:
    return PropertyOut(**asdict(notes.rename_property(project, property_id, body.name)))


@router.delete("/properties/{property_id}")
def delete_property(property_id: PropertyId, project: ProjectDep) -> OkOut:
    """Delete a property with its tags and values (undo brings them back)."""
    notes.delete_property(project, property_id)
    return OkOut()


@router.post("/properties/{property_id}/tags", status_code=status.HTTP_201_CREATED)
def create_tag(property_id: PropertyId, body: TagIn, project: ProjectDep) -> TagOut:
    tag = notes.create_tag(project, property_id, body.name, color=body.color, parents=body.parents)
    return _tag(tag)


@router.patch("/tags/{tag_id}")
def change_tag(tag_id: TagId, body: TagPatch, project: ProjectDep) -> TagOut:
    """Rename, recolour and/or replace the parents: one undo step, all or nothing (409 and no
    change when a parent would make a cycle or the name is taken)."""
    tag = notes.change_tag(project, tag_id, name=body.name, color=body.color, parents=body.parents)
    return _tag(tag)


@router.delete("/tags/{tag_id}")
def delete_tag(tag_id: TagId, project: ProjectDep) -> OkOut:
    """Delete a tag; its children move up to its parents."""
    notes.delete_tag(project, tag_id)
    return OkOut()


@router.post("/tags/{tag_id}/parents")
def add_parent(tag_id: TagId, body: ParentIn, project: ProjectDep) -> TagOut:
    """Put the tag under another (409 when that would make a cycle)."""
    return _tag(notes.add_parent(project, tag_id, body.parent_id))


@router.delete("/tags/{tag_id}/parents/{parent_id}")
def remove_parent(tag_id: TagId, parent_id: TagId, project: ProjectDep) -> TagOut:
    return _tag(notes.remove_parent(project, tag_id, parent_id))


@router.post("/tags/{tag_id}/merge")
def merge_tags(tag_id: TagId, body: MergeIn, project: ProjectDep) -> MergeOut:
    """Merge ``others`` into this tag: their images, parents and children move over."""
    result = notes.merge_tags(project, tag_id, body.others)
    return MergeOut(
        survivor=_tag(result.survivor), merged=result.merged, links_dropped=result.links_dropped
    )


@router.post("/properties/{property_id}/values/set")
def set_values(property_id: PropertyId, body: ValuesSetIn, project: ProjectDep) -> ChangedOut:
    """Set one value on many images (tag properties: the list of tags replaces theirs)."""
    return ChangedOut(changed=notes.set_values(project, property_id, body.ids, body.value))


@router.post("/properties/{property_id}/values/add-tags")
def add_tags(property_id: PropertyId, body: ValuesTagsIn, project: ProjectDep) -> ChangedOut:
    return ChangedOut(changed=notes.add_tags(project, property_id, body.ids, body.tags))


@router.post("/properties/{property_id}/values/remove-tags")
def remove_tags(property_id: PropertyId, body: ValuesTagsIn, project: ProjectDep) -> ChangedOut:
    return ChangedOut(changed=notes.remove_tags(project, property_id, body.ids, body.tags))


@router.post("/properties/{property_id}/values/clear")
def clear_values(property_id: PropertyId, body: ValuesClearIn, project: ProjectDep) -> ChangedOut:
    return ChangedOut(changed=notes.clear_values(project, property_id, body.ids))


@router.post("/values/batch")
def change_values(body: ValuesBatchIn, project: ProjectDep) -> ChangedOut:
    """Several property changes on the same images as one undo step (accepting a
    recommendation into a group of the grid grouped by several properties, for instance)."""
    changes = [notes.Change(c.property, c.op, c.value) for c in body.changes]
    return ChangedOut(changed=notes.apply_changes(project, body.ids, changes, label=body.label))
