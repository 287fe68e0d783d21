"""Properties, tags, values, undo history."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, computed_field

from corpuscope.web.schemas.common import Id, IdList, Name, Ref, Scalar, Strict

PropertyTypeIn = Literal["tag", "multi_tags", "text", "number", "date", "url", "checkbox", "color"]
Color = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#4e79a7"])]


class PropertyIn(Strict):
    name: Name
    type: PropertyTypeIn
    mode: Literal["image", "instance"] = "image"


class PropertyPatch(Strict):
    name: Name


class TagIn(Strict):
    name: Name
    color: Color | None = None
    parents: list[Id] = Field(default_factory=list, max_length=1000)


class TagPatch(Strict):
    """The given fields change together, as one undo step (all or nothing); ``parents``
    replaces them all."""

    name: Name | None = None
    color: Color | None = None
    parents: list[Id] | None = Field(default=None, max_length=1000)


class ParentIn(Strict):
    parent_id: Id


class MergeIn(Strict):
    others: list[Id] = Field(min_length=1, max_length=10_000)


class ValuesSetIn(Strict):
    """``ids``: image ids (file ids for ``instance`` properties). ``value``: a scalar, or for
    tag properties a list of tags (ids or names) that replaces the images' tags."""

    ids: IdList = Field(min_length=1)
    value: Scalar | list[Ref]


class ValuesTagsIn(Strict):
    ids: IdList = Field(min_length=1)
    tags: list[Ref] = Field(min_length=1, max_length=1000)


class ValuesClearIn(Strict):
    ids: IdList = Field(min_length=1)


class ChangeIn(Strict):
    """One change of a batch: ``set`` (a value, or a list of tags), ``add-tags``,
    ``remove-tags`` (``value``: a list of tags) or ``clear``."""

    property: Id
    op: Literal["set", "add-tags", "remove-tags", "clear"]
    value: Scalar | list[Ref] | None = None


class ValuesBatchIn(Strict):
    """Several changes on the same images, applied together as one undo step."""

    ids: IdList = Field(min_length=1)
    changes: list[ChangeIn] = Field(min_length=1, max_length=16)
    label: Name | None = None


class TagOut(BaseModel):
    """``count``: images (files for instance properties) carrying this very tag."""

    id: int
    property_id: int
    name: str
    color: str
    parents: list[int]
    count: int = 0


class PropertyOut(BaseModel):
    """``tags``: for tag properties, every tag with its parents (a DAG) and its count.
    ``metadata``: the metadata field a read-only property holds (read from the files at
    import: ``taken``, ``camera_make``, ``latitude``...), null for the user's own properties."""

    id: int
    name: str
    type: str
    mode: str
    metadata: str | None = None
    tags: list[TagOut] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def read_only(self) -> bool:
        """Values read from the files: filter, sort, group and export them, never edit them."""
        return self.metadata is not None


class MergeOut(BaseModel):
    survivor: TagOut
    merged: int
    links_dropped: int


class JournalEntryOut(BaseModel):
    """``label``: the change in English, as stored; ``code`` and ``params``: the template that
    wrote it and its values, for the front-end to say it in the user's language (null and empty
    for a label that fits no template: show ``label``)."""

    id: int
    label: str
    code: str | None = None
    params: dict[str, str | int] = Field(default_factory=dict)
    undone: bool
    created_at: str


class UndoOut(BaseModel):
    """``entry``: the change undone (or redone); null when there was nothing to do."""

    entry: JournalEntryOut | None


class HistoryOut(BaseModel):
    """Newest first; entries with ``undone`` true can be redone, in order."""

    entries: list[JournalEntryOut]


class CsvImportOut(BaseModel):
    rows: int
    values: int
    unmatched: int
    properties_created: int
    tags_created: int
