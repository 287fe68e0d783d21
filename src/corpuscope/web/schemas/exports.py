"""Exports: images into a folder (a task), tables to download."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from corpuscope.services.export_plan import FolderExport
from corpuscope.web.schemas.common import Id, IdList, PathText, Scalar, Strict
from corpuscope.web.schemas.grouping import Level, level_refs
from corpuscope.web.schemas.images import FilterIn


class ExportImagesIn(Strict):
    """Copy (``link``: symbolically link) images into ``folder`` (an absolute path, made if
    needed), with ``images.csv`` beside them. Give exactly one of: ``image_ids`` (straight into
    the folder), ``run_id`` (a sub-folder per group, nested runs nested), ``group_id`` (one
    cluster), ``levels`` (the grid's grouping, a sub-folder per value; ``key`` picks one group,
    one key per level from the top; ``filter`` narrows the images)."""

    folder: PathText
    link: bool = False
    image_ids: IdList | None = None
    run_id: Id | None = None
    group_id: Id | None = None
    levels: list[Level] = Field(default_factory=list, max_length=4)
    key: list[Scalar | None] = Field(default_factory=list, max_length=4)
    filter: FilterIn = Field(default_factory=FilterIn)

    def to_spec(self) -> FolderExport:
        return FolderExport(
            Path(self.folder).expanduser(),
            link=self.link,
            image_ids=None if self.image_ids is None else tuple(self.image_ids),
            run_id=self.run_id,
            group_id=self.group_id,
            levels=tuple(level_refs(self.levels)),
            key=tuple(self.key),
            filter=self.filter.to_spec() if self.levels else None,
        )
