"""The kinds of task a project runs, each with its parameter check, its work and its lane.

Import, vectors and the map share the background lane (one at a time, in order); clustering
runs (k-means, automatic, by tags) and near-duplicate runs share the analysis lane, so a
clustering the user is waiting for never queues behind an hour-long import.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from corpuscope.embed.registry import find_model
from corpuscope.errors import InvalidInput, ModelUnavailable
from corpuscope.filenames import format_name, name_text, parse_name
from corpuscope.services.folder_export import check_export_task, run_export_task
from corpuscope.services.importing import ImportOptions, ImportProgress, run_import
from corpuscope.services.maps import map_coordinates
from corpuscope.services.models import project_model
from corpuscope.services.run_requests import (
    check_run_request,
    request_from_params,
    run_request,
    task_kind_of,
)
from corpuscope.services.tasks import TaskContext, TaskKind
from corpuscope.services.vectors import VectorOptions, VectorProgress, run_vectors
from corpuscope.store.db import Project

#: The lane of runs a user waits for (see :class:`TaskKind`).
ANALYSIS = "analysis"


def check_folder(text: object) -> str:
    """A folder a user asked to import: exists, is a folder, readable; as the shown form of
    its resolved path (:mod:`corpuscope.filenames`: JSON-safe, and gives the bytes back).

    The text is the path as typed, or its shown form (``caf\\xe9``) when no folder has the
    name as typed."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("Give the folder to import as a path.")
    if "\x00" in text:
        raise InvalidInput("A folder path cannot contain a NUL character.")
    path = Path(text).expanduser()
    if not path.exists():
        path = Path(name_text(parse_name(text))).expanduser()
    if not path.is_absolute():
        raise InvalidInput(f"Give the full path of the folder ({text!r} is relative).")
    if not path.exists():
        raise InvalidInput(f"The folder {text} does not exist.")
    if not path.is_dir():
        raise InvalidInput(f"{text} is a file, not a folder; import the folder that holds it.")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InvalidInput(f"The folder {text} cannot be read (permission denied).")
    return format_name(path.resolve())


def _check_import(project: Project, params: dict[str, Any]) -> dict[str, Any]:
    folders = params.get("folders")
    if not isinstance(folders, list) or not folders:
        raise InvalidInput("Give at least one folder to import.")
    return {"folders": list(dict.fromkeys(check_folder(folder) for folder in folders))}


def _run_import(project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
    def on_progress(report: ImportProgress) -> None:
        errors = f", {report.errors} errors" if report.errors else ""
        context.report(report.done, report.total, f"importing {Path(report.folder).name}{errors}")

    options = ImportOptions(on_progress=on_progress, cancel=context.cancel)
    folders = [Path(name_text(parse_name(folder))) for folder in params["folders"]]
    summary = run_import(project, folders, options)
    return asdict(summary)


def _check_vectors(project: Project, params: dict[str, Any]) -> dict[str, Any]:
    model = params.get("model")
    if model is not None and not isinstance(model, str):
        raise InvalidInput("The model must be given by its name.")
    info = find_model(model or project_model(project))
    if not info.available:
        raise ModelUnavailable(
            f"The model {info.name} cannot run here: {info.reason}. {info.how_to_enable}"
        )
    return {"model": info.name}


def _run_vectors(project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
    def on_progress(report: VectorProgress) -> None:
        failed = f", {report.failed} failed" if report.failed else ""
        context.report(report.done, report.total, f"{report.model} vectors{failed}")

    options = VectorOptions(model=params["model"], on_progress=on_progress, cancel=context.cancel)
    return asdict(run_vectors(project, options))


def _check_map(project: Project, params: dict[str, Any]) -> dict[str, Any]:
    model, refit = params.get("model"), params.get("refit", False)
    if model is not None and not isinstance(model, str):
        raise InvalidInput("The model must be given by its name.")
    if not isinstance(refit, bool):
        raise InvalidInput("refit is true or false.")
    return {"model": model, "refit": refit}


def _run_map(project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
    context.report(0, 1, "laying out the map")
    ids, _ = map_coordinates(
        project, model=params["model"], refit=params["refit"], cancel=context.cancel
    )
    context.report(1, 1, "map ready")
    return {"points": len(ids)}


def _run_check(kind: str) -> Callable[[Project, dict[str, Any]], dict[str, Any]]:
    def check(project: Project, params: dict[str, Any]) -> dict[str, Any]:
        request = request_from_params(params)
        if task_kind_of(request) != kind:
            raise InvalidInput(
                f"A {request.algorithm} run is a task of kind {task_kind_of(request)}."
            )
        return check_run_request(project, request).to_params()

    return check


def _run_run(project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
    request = request_from_params(params)
    view = run_request(project, request, report=context.report, cancel=context.cancel)
    return {"run_id": view.run.id, "groups": len(view.groups), "images": view.run.n_images}


KINDS: dict[str, TaskKind] = {
    "import": TaskKind(_check_import, _run_import),
    "vectors": TaskKind(_check_vectors, _run_vectors),
    "map": TaskKind(_check_map, _run_map),
    "export": TaskKind(check_export_task, run_export_task),
    "cluster": TaskKind(_run_check("cluster"), _run_run, lane=ANALYSIS),
    "duplicates": TaskKind(_run_check("duplicates"), _run_run, lane=ANALYSIS),
}
