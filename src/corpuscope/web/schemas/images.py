"""Images: the filter and sort language, pages of images, one image in full."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from corpuscope.services.images import ConditionSpec, FilterSpec, SortSpec
from corpuscope.web.schemas.common import Id, IdList, Ref, Scalar, Strict, Text

ConditionOpIn = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "contains", "empty", "not_empty", "any", "all", "none"
]
Value = bool | int | float | str | list[int]


class ConditionIn(Strict):
    """A test on a property: ``eq`` ... ``contains`` take ``value``; ``any``, ``all``, ``none``
    take ``tags`` (with the tags below them unless ``descendants`` is false); ``empty`` and
    ``not_empty`` take nothing. ``ne`` and ``none`` also match images without a value."""

    property: Ref
    op: ConditionOpIn
    value: Scalar | None = None
    tags: list[Ref] = Field(default_factory=list, max_length=1000)
    descendants: bool = True

    def to_spec(self) -> ConditionSpec:
        return ConditionSpec(self.property, self.op, self.value, self.tags, self.descendants)


class FilterIn(Strict):
    """Every given part must hold (AND). ``group_id``: members of a clustering group."""

    folder_ids: list[Id] = Field(default_factory=list, max_length=10_000)
    status: Literal["ok", "missing"] | None = None
    path_contains: Text | None = None
    image_ids: IdList | None = None
    group_id: Id | None = None
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=50)

    def to_spec(self) -> FilterSpec:
        return FilterSpec(
            self.folder_ids,
            self.status,
            self.path_contains,
            self.image_ids,
            self.group_id,
            [condition.to_spec() for condition in self.conditions],
        )


class SortIn(Strict):
    """``rank`` orders a clustering group's members typical -> odd (needs ``filter.group_id``)."""

    key: Literal["id", "path", "property", "rank"] = "id"
    property: Ref | None = None
    descending: bool = False

    def to_spec(self) -> SortSpec:
        return SortSpec(self.key, self.property, self.descending)


class ImageQueryIn(Strict):
    filter: FilterIn = Field(default_factory=FilterIn)
    sort: SortIn = Field(default_factory=SortIn)
    offset: int = Field(default=0, ge=0, le=10**9)
    limit: int = Field(default=100, ge=1, le=1000)
    properties: list[Ref] = Field(
        default_factory=list, max_length=100, description="Values to include on each image."
    )
    total: bool = Field(
        default=True,
        description="Count the matching images (false: the answer's total is null; counting "
        "reads every match, so the pages after the first need not ask for it).",
    )


class IdQueryIn(Strict):
    filter: FilterIn = Field(default_factory=FilterIn)
    sort: SortIn = Field(default_factory=SortIn)
    offset: int = Field(default=0, ge=0, le=10**9)
    limit: int = Field(default=100_000, ge=1, le=100_000)


class ImageOut(BaseModel):
    """``path``: the first file (an ok one if any), relative to folder ``folder_id``;
    ``file_size``: its size in bytes. ``rank``/``score``: position and oddness in the filter's
    clustering group, if any."""

    id: int
    sha1: str
    width: int
    height: int
    format: str
    created_at: str
    folder_id: int | None
    path: str | None
    status: str
    file_size: int | None = None
    rank: int | None = None
    score: float | None = None
    values: dict[int, Value] = Field(default_factory=dict)


class ImagePageOut(BaseModel):
    total: int | None = Field(description="The matching images; null when not asked for.")
    offset: int
    limit: int
    items: list[ImageOut]


class IdPageOut(BaseModel):
    total: int
    offset: int
    ids: list[int]


class FileOut(BaseModel):
    id: int
    folder_id: int
    folder: str
    path: str
    size: int | None
    status: str
    error: str | None
    updated_at: str


class MembershipOut(BaseModel):
    run_id: int
    group_id: int
    group_rank: int
    kind: str
    name: str | None
    rank: int
    score: float | None


class ImageDetailOut(ImageOut):
    """``values``: property id -> value (tag ids for tag properties); ``file_values``: the same
    per file, for properties of mode ``instance``."""

    files: list[FileOut]
    file_values: dict[int, dict[int, Value]]
    groups: list[MembershipOut]
