"""Images grouped by one or several properties, counted on the server; pages of a group."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from corpuscope.services.grouping import group_images, list_group_member_ids, list_group_members
from corpuscope.web.deps import ProjectDep
from corpuscope.web.routes.convert import page_out
from corpuscope.web.schemas.grouping import (
    GroupingIn,
    GroupingOut,
    MemberIdsIn,
    MembersIn,
    level_refs,
)
from corpuscope.web.schemas.images import IdPageOut, ImagePageOut

router = APIRouter(prefix="/api/projects/{pid}", tags=["grouping"])


@router.post("/grouping")
def grouping(body: GroupingIn, project: ProjectDep) -> GroupingOut:
    """Nested groups with counts; tag levels in tree order with their totals."""
    result = group_images(
        project, level_refs(body.levels), body.filter.to_spec(), max_groups=body.max_groups
    )
    return GroupingOut.model_validate(asdict(result))


@router.post("/grouping/members")
def group_members(body: MembersIn, project: ProjectDep) -> ImagePageOut:
    """One page of the images of one group (``key``: one key per level from the top)."""
    page = list_group_members(
        project,
        level_refs(body.levels),
        body.key,
        body.filter.to_spec(),
        descendants=body.descendants,
        sort=body.sort.to_spec(),
        offset=body.offset,
        limit=body.limit,
        properties=body.properties,
    )
    return page_out(page)


@router.post("/grouping/member-ids")
def group_member_ids(body: MemberIdsIn, project: ProjectDep) -> IdPageOut:
    """The ids of one group's images (up to 100,000), e.g. to set a value on the whole group."""
    found = list_group_member_ids(
        project,
        level_refs(body.levels),
        body.key,
        body.filter.to_spec(),
        descendants=body.descendants,
        sort=body.sort.to_spec(),
        offset=body.offset,
        limit=body.limit,
    )
    return IdPageOut(total=found.total, offset=found.offset, ids=found.ids)
