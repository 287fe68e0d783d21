"""Grouping images by properties."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from corpuscope.services.grouping import DatePart, LevelRef
from corpuscope.web.schemas.common import Id, Name, Ref, Scalar, Strict
from corpuscope.web.schemas.images import FilterIn, SortIn


class DatePartIn(Strict):
    """A level by the year or the month of a date property: ``{"property": 4, "by": "year"}``."""

    property: Ref
    by: Literal["year", "month"]


Level = Id | Name | DatePartIn  # a property id or name, "folder", or a date property's part


def level_refs(levels: list[Level]) -> list[LevelRef]:
    """The service's level references."""
    return [
        DatePart(level.property, level.by) if isinstance(level, DatePartIn) else level
        for level in levels
    ]


Key = bool | int | float | str | None


class GroupingIn(Strict):
    """``levels``: 1 to 4 properties (ids or names) or ``"folder"``, outermost first."""

    levels: list[Level] = Field(min_length=1, max_length=4)
    filter: FilterIn = Field(default_factory=FilterIn)
    max_groups: int = Field(default=500, ge=1, le=1000)


class GroupOut(BaseModel):
    """``key``: the tag id, value or folder id (null: images without a value). ``count``: images
    with exactly this key; for tags ``total`` also counts the tags below, and ``depth`` and
    ``parents`` place the tag in its tree. ``children``: the next level, within ``count``."""

    key: Key
    label: str
    count: int
    color: str | None = None
    total: int | None = None
    depth: int = 0
    parents: list[int] = Field(default_factory=list)
    children: list[GroupOut] = Field(default_factory=list)
    truncated: int = 0


class GroupingOut(BaseModel):
    """``truncated``: groups left out beyond ``max_groups`` (at this level)."""

    total: int
    levels: list[str]
    groups: list[GroupOut]
    truncated: int


class MembersIn(Strict):
    """One page of a group's images: ``key`` holds one key per level from the top (a prefix
    selects a whole outer group). ``descendants``: a tag group also takes the tags below it."""

    levels: list[Level] = Field(min_length=1, max_length=4)
    key: list[Scalar | None] = Field(min_length=1, max_length=4)
    filter: FilterIn = Field(default_factory=FilterIn)
    descendants: bool = False
    sort: SortIn = Field(default_factory=SortIn)
    offset: int = Field(default=0, ge=0, le=10**9)
    limit: int = Field(default=100, ge=1, le=1000)
    properties: list[Id | Name] = Field(default_factory=list, max_length=100)


class MemberIdsIn(Strict):
    """The ids of one group's images (up to 100,000), e.g. to set a value on all of them."""

    levels: list[Level] = Field(min_length=1, max_length=4)
    key: list[Scalar | None] = Field(min_length=1, max_length=4)
    filter: FilterIn = Field(default_factory=FilterIn)
    descendants: bool = False
    sort: SortIn = Field(default_factory=SortIn)
    offset: int = Field(default=0, ge=0, le=10**9)
    limit: int = Field(default=100_000, ge=1, le=100_000)
