"""Projects, folders, models and tasks."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, computed_field

from corpuscope.services.text_codes import TASK_MESSAGES
from corpuscope.web.schemas.common import Name, PathText, Strict


class ProjectIn(Strict):
    """``path``: the project folder (absolute). ``create``: make it if it is not a project."""

    path: PathText
    create: bool = False


class ProjectOut(BaseModel):
    id: str
    path: str
    name: str
    open: bool
    opened_at: str | None = None


class ProjectListOut(BaseModel):
    """``start``: the id of the project the server was started with (``corpuscope serve
    PROJECT``), which the interface opens first; null when none was named."""

    projects: list[ProjectOut]
    start: str | None = None


class FolderIn(Strict):
    path: PathText


class FolderOut(BaseModel):
    id: int
    path: str
    added_at: str
    imported_at: str | None
    images: int


class FileProblemOut(BaseModel):
    folder: str
    path: str
    status: str
    reason: str | None


class VectorSetOut(BaseModel):
    model: str
    version: str
    dim: int
    count: int


class ProjectStatusOut(BaseModel):
    """``model``: the model the project works with (its vectors are in ``vector_sets``)."""

    id: str
    path: str
    name: str
    files: int
    images: int
    ok: int
    errors: int
    missing: int
    properties: int
    folders: list[FolderOut]
    vector_sets: list[VectorSetOut]
    model: str
    error_files: list[FileProblemOut]
    missing_files: list[FileProblemOut]


class ModelOut(BaseModel):
    """``available`` false: ``reason`` says why and ``how_to_enable`` what to do. ``source``:
    bundled, hugging-face, file (added from an ONNX file) or plugin (an installed package);
    ``looks_in``: where its files are looked for; ``needs``: the files it needs there."""

    name: str
    title: str
    dim: int
    has_text: bool
    available: bool
    reason: str
    how_to_enable: str
    size: str
    speed: str
    location: str
    is_default: bool
    source: str
    looks_in: list[str]
    needs: list[str]


class ModelChoiceIn(Strict):
    model: Name


class ModelChoiceOut(BaseModel):
    """``chosen`` false: nobody chose, the default rule picked it; ``vectors``: how many
    images have its vectors."""

    model: str
    chosen: bool
    vectors: int


class VectorsIn(Strict):
    model: Name | None = None


class TaskOut(BaseModel):
    """``status``: queued, running, done, failed or cancelled; ``done``/``total``: progress of
    the current step, described by ``message``; ``result``: the summary once finished."""

    id: int
    kind: str
    params: dict[str, Any]
    status: str
    active: bool
    done: int
    total: int
    message: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: str
    started_at: str | None
    finished_at: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message_code(self) -> str | None:
        """The code of ``message``'s template, for the front-end to say it in the user's
        language; null for a message that fits none (show ``message``)."""
        found = TASK_MESSAGES.compute(self.message)
        return None if found is None else found[0]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message_params(self) -> dict[str, str | int]:
        """The values ``message`` holds, by the names of its template's fields."""
        found = TASK_MESSAGES.compute(self.message)
        return {} if found is None else found[1]


class TaskListOut(BaseModel):
    tasks: list[TaskOut]
