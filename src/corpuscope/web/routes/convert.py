"""Turning service results (dataclasses) into response models."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from corpuscope.services.images import ImageDetail, ImageItem, ImagePage
from corpuscope.services.tasks import TaskRecord
from corpuscope.web.schemas.images import (
    FileOut,
    ImageDetailOut,
    ImageOut,
    ImagePageOut,
    MembershipOut,
)
from corpuscope.web.schemas.projects import TaskOut


def image_out(item: ImageItem) -> ImageOut:
    return ImageOut(**asdict(item.row), values=item.values)


def page_out(page: ImagePage) -> ImagePageOut:
    items = [image_out(item) for item in page.items]
    return ImagePageOut(total=page.total, offset=page.offset, limit=page.limit, items=items)


def detail_out(detail: ImageDetail) -> ImageDetailOut:
    data: dict[str, Any] = asdict(detail.row)
    return ImageDetailOut(
        **data,
        values=detail.values,
        files=[FileOut(**asdict(file)) for file in detail.files],
        file_values=detail.file_values,
        groups=[MembershipOut(**asdict(group)) for group in detail.groups],
    )


def task_out(record: TaskRecord) -> TaskOut:
    """A task as the API shows it; a list of image ids in its parameters is given by its
    length (``image_count``), so that progress events stay small."""
    data = asdict(record)
    ids = data["params"].pop("image_ids", None)
    if ids is not None:
        data["params"]["image_count"] = len(ids)
    return TaskOut(**data, active=record.active)
