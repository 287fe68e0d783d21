"""Exporting images to a folder: copies or symbolic links, one sub-folder per group.

What is exported and into which folders is planned by :mod:`export_plan`; folder names are
made safe by :mod:`export_names`. Beside the images, ``images.csv`` lists each exported file
with the values of every property, in the shape ``corpuscope import-csv`` reads back.

Nothing existing is ever overwritten: a file name already taken (in the folder, or by another
image of the export) gets `` (2)``, `` (3)``... before its extension; each file is created
with an exclusive open, so even a file that appears meanwhile is kept.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services.csv_io import FIXED, INFORMATIONAL, ValueColumn, header_of
from corpuscope.services.export_names import FolderNames, numbered
from corpuscope.services.export_plan import FolderExport, plan_export
from corpuscope.services.grouping import DatePart, group_filter, resolve_levels
from corpuscope.services.images import ConditionSpec, FilterSpec, resolve_filter
from corpuscope.services.paths import file_name, source_path
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project
from corpuscope.store.exports import ImageSource, load_image_sources
from corpuscope.store.folders import list_folders
from corpuscope.store.properties import list_properties
from corpuscope.store.values import existing_images

Report = Callable[[int, int, str], None]
CSV_NAME = "images.csv"


@dataclass
class ExportSummary:
    destination: str
    exported: int = 0
    missing: int = 0
    failed: int = 0
    folders: int = 0
    csv: str = ""
    cancelled: bool = False
    problems: list[str] = field(default_factory=list)


# --- checking ---------------------------------------------------------------------------------


def check_folder_export(project: Project, spec: FolderExport) -> None:
    """Refuse, with a sentence, an export that cannot be done, before anything is written."""
    given = [
        spec.image_ids is not None,
        spec.run_id is not None,
        spec.group_id is not None,
        bool(spec.levels),
    ]
    if sum(given) != 1:
        raise InvalidInput(
            "Export one thing: a selection of images, a run, a cluster, or groups by properties."
        )
    _check_destination(project, spec.destination)
    conn = project.read()
    if spec.image_ids is not None:
        if not spec.image_ids:
            raise InvalidInput("No images were given to export.", code="images.none_given")
        unknown = set(spec.image_ids) - existing_images(conn, spec.image_ids)
        if unknown:
            shown = ", ".join(str(i) for i in sorted(unknown)[:5])
            raise NotFound(
                f"There is no image with id {shown} in this project.",
                code="image.not_found",
                params={"id": shown},
            )
    if spec.run_id is not None:
        runstore.load_run(conn, spec.run_id)
    if spec.group_id is not None:
        runstore.load_group(conn, spec.group_id)
    if spec.levels:
        resolve_levels(conn, spec.levels)
        if spec.key:
            group_filter(project, spec.levels, spec.key, spec.filter, descendants=True)
        resolve_filter(conn, spec.filter)


def _check_destination(project: Project, destination: Path) -> None:
    if not destination.is_absolute():
        raise InvalidInput(
            f"Give the full path of the folder to export to ({destination} is relative)."
        )
    if destination.exists() and not destination.is_dir():
        raise InvalidInput(f"{destination} is a file; export to a folder.")
    existing = next(path for path in (destination, *destination.parents) if path.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise InvalidInput(f"The folder {existing} cannot be written to (permission denied).")
    resolved = destination.resolve()
    if resolved.is_relative_to(project.root.resolve()):
        raise InvalidInput("Export to a folder outside the project's own folder.")
    for folder in list_folders(project.read()):
        if resolved.is_relative_to(Path(folder.path)):
            raise InvalidInput(
                f"{destination} is inside the imported folder {folder.path}; export to a folder "
                "outside it (a re-import would import the exported copies again)."
            )


# --- doing it ---------------------------------------------------------------------------------


def run_folder_export(
    project: Project,
    spec: FolderExport,
    *,
    report: Report | None = None,
    cancel: threading.Event | None = None,
) -> ExportSummary:
    """Export images to a folder (see the module's text); returns what was done."""
    check_folder_export(project, spec)
    plan = plan_export(project, spec)
    sources = load_image_sources(project.read())
    destination = spec.destination.resolve()
    destination.mkdir(parents=True, exist_ok=True)
    summary = ExportSummary(str(destination))
    folders = FolderNames()
    made: set[tuple[str, ...]] = set()
    written: list[tuple[ImageSource, str, str]] = []  # source, exported path, group path
    report = report or (lambda done, total, message: None)
    verb = "linking" if spec.link else "copying"
    for done, (image_id, parts) in enumerate(plan):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            break
        if done % 50 == 0:
            report(done, len(plan), f"{verb} images to {destination.name}")
        source = sources.get(image_id)
        if source is None or source.status != "ok":
            summary.missing += 1
            continue
        names = folders.path(parts)
        folder = destination.joinpath(*names)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(names)
            target = place_file(source_path(source.folder, source.path), folder, link=spec.link)
        except FileNotFoundError:
            summary.missing += 1
            continue
        except OSError as error:
            summary.failed += 1
            if len(summary.problems) < 20:
                reason = (error.strerror or str(error)).lower()
                summary.problems.append(f"{source.folder}/{source.path}: {reason}")
            continue
        summary.exported += 1
        written.append((source, target.relative_to(destination).as_posix(), "/".join(names)))
    summary.folders = len({prefix for names in made for prefix in _prefixes(names)})
    summary.csv = write_listing(project, destination, written).name
    report(len(plan) if not summary.cancelled else summary.exported, len(plan), "exported")
    return summary


def _prefixes(names: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    return (names[:depth] for depth in range(1, len(names) + 1))


def place_file(source: Path, folder: Path, *, link: bool) -> Path:
    """Copy (or link) ``source`` into ``folder`` under its own name, numbered when taken;
    never replaces a file. FileNotFoundError: the source is gone."""
    name = file_name(source.as_posix())
    for number in itertools.count(1):
        target = folder / numbered(name, number)
        try:
            if link:
                if not source.exists():
                    raise FileNotFoundError(source)
                os.symlink(source, target)
            else:
                _copy_new(source, target)
            return target
        except FileExistsError:
            continue
    raise AssertionError("unreachable")


def _copy_new(source: Path, target: Path) -> None:
    """Copy bytes and times into a file that must not exist yet (exclusive create)."""
    with source.open("rb") as reading, target.open("xb") as writing:
        try:
            shutil.copyfileobj(reading, writing, 1 << 20)
        except BaseException:
            writing.close()
            target.unlink(missing_ok=True)
            raise
    with contextlib.suppress(OSError):  # times and permission bits are a courtesy
        shutil.copystat(source, target)


def write_listing(
    project: Project, destination: Path, written: Sequence[tuple[ImageSource, str, str]]
) -> Path:
    """``images.csv`` (numbered if taken) beside the images: each exported file with its
    folder, path and sha1 in the project, where it went, and every property's value."""
    conn = project.read()
    properties = list_properties(conn)
    columns = [ValueColumn(conn, prop) for prop in properties]
    for number in itertools.count(1):
        path = destination / numbered(CSV_NAME, number)
        try:
            out = path.open("x", newline="", encoding="utf-8")
        except FileExistsError:
            continue
        with out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([*FIXED, *INFORMATIONAL, *(header_of(p) for p in properties)])
            for source, exported, group in written:
                cells = [
                    column(source.image_id if prop.mode == "image" else source.file_id)
                    for prop, column in zip(properties, columns, strict=True)
                ]
                writer.writerow([source.folder, source.path, source.sha1, exported, group, *cells])
        return path
    raise AssertionError("unreachable")


# --- as a task --------------------------------------------------------------------------------


class _Context(Protocol):
    @property
    def cancel(self) -> threading.Event: ...

    @property
    def report(self) -> Report: ...


def export_params(spec: FolderExport) -> dict[str, Any]:
    """The export as JSON-ready task parameters."""
    return {
        "destination": str(spec.destination),
        "link": spec.link,
        "image_ids": None if spec.image_ids is None else list(spec.image_ids),
        "run_id": spec.run_id,
        "group_id": spec.group_id,
        "levels": [
            asdict(level) if isinstance(level, DatePart) else level for level in spec.levels
        ],
        "key": list(spec.key),
        "filter": None if spec.filter is None else asdict(spec.filter),
    }


def export_from_params(params: dict[str, Any]) -> FolderExport:
    """The export described by task parameters (as :func:`export_params` writes them)."""
    try:
        flt = params.get("filter")
        return FolderExport(
            destination=Path(str(params["destination"])),
            link=bool(params.get("link", False)),
            image_ids=None if params.get("image_ids") is None else tuple(params["image_ids"]),
            run_id=params.get("run_id"),
            group_id=params.get("group_id"),
            levels=tuple(
                DatePart(**level) if isinstance(level, dict) else level
                for level in params.get("levels") or ()
            ),
            key=tuple(params.get("key") or ()),
            filter=None
            if flt is None
            else FilterSpec(
                **{
                    **flt,
                    "conditions": [ConditionSpec(**cond) for cond in flt.get("conditions", ())],
                }
            ),
        )
    except (KeyError, TypeError) as error:
        raise InvalidInput(f"The export's parameters are incomplete ({error}).") from None


def check_export_task(project: Project, params: dict[str, Any]) -> dict[str, Any]:
    spec = export_from_params(params)
    check_folder_export(project, spec)
    return export_params(spec)


def run_export_task(project: Project, params: dict[str, Any], context: _Context) -> dict[str, Any]:
    summary = run_folder_export(
        project, export_from_params(params), report=context.report, cancel=context.cancel
    )
    return asdict(summary)
