"""Undo, redo and the list of changes (kept in the project: they survive a restart)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from corpuscope.services import annotations as notes
from corpuscope.services.text_codes import HISTORY_LABELS
from corpuscope.web.deps import ProjectDep
from corpuscope.web.schemas.annotations import HistoryOut, JournalEntryOut, UndoOut

router = APIRouter(prefix="/api/projects/{pid}", tags=["undo and redo"])


def _out(entry: notes.JournalEntry) -> JournalEntryOut:
    code, params = HISTORY_LABELS.compute(entry.label) or (None, {})
    return JournalEntryOut(**asdict(entry), code=code, params=params)


def _entry(entry: notes.JournalEntry | None) -> UndoOut:
    return UndoOut(entry=None if entry is None else _out(entry))


@router.post("/undo")
def undo(project: ProjectDep) -> UndoOut:
    """Undo the last change (values, tags, properties, a saved clustering)."""
    return _entry(notes.undo(project))


@router.post("/redo")
def redo(project: ProjectDep) -> UndoOut:
    """Redo the last undone change (a new change drops what could be redone)."""
    return _entry(notes.redo(project))


@router.get("/history")
def history(project: ProjectDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> HistoryOut:
    entries = notes.list_history(project, limit=limit)
    return HistoryOut(entries=[_out(entry) for entry in entries])
