"""Importing folders: scan, read new or changed files in worker processes, commit in batches.

Each batch is committed on its own, so a killed import keeps everything committed before the
kill, and the next import skips those files (same size and modification time) and goes on.
A batch the database refuses is split in halves until the record at fault is found; that file
is recorded as an error with the database's reason and the others are saved.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from corpuscope.atomic import sync_filesystem
from corpuscope.errors import InvalidInput
from corpuscope.filenames import format_name
from corpuscope.ingest.decode import DEFAULT_MAX_PIXELS
from corpuscope.ingest.reader import DEFAULT_MAX_BYTES, ReadSettings, read_file
from corpuscope.ingest.readers import read_files
from corpuscope.ingest.records import FileRecord
from corpuscope.ingest.scan import ScannedFile, ScanProblem, scan_folder
from corpuscope.services.metadata import refresh_metadata, save_record_metadata
from corpuscope.store.db import Project
from corpuscope.store.files import SavedBatch, load_file_states, mark_missing, save_file_records
from corpuscope.store.folders import Folder, mark_folder_imported, save_folder

log = logging.getLogger(__name__)
#: Faults of one record (a value the database cannot hold, a constraint): worth splitting the
#: batch for. A locked or full database is not one record's fault and stops the import.
_RECORD_FAULTS = (
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.InterfaceError,
    sqlite3.ProgrammingError,
    OverflowError,
    ValueError,
)

#: Below this many files to read, the import runs in this process: starting workers costs more.
IN_PROCESS_LIMIT = 24


@dataclass(frozen=True)
class ImportProgress:
    folder: str
    done: int
    total: int
    errors: int
    skipped: int


@dataclass
class ImportSummary:
    folders: int = 0
    seen: int = 0
    skipped: int = 0
    added: int = 0
    updated: int = 0
    moved: int = 0
    errors: int = 0
    missing: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    unrecorded: list[str] = field(default_factory=list)  # "path: reason", the database refused


@dataclass(frozen=True)
class ImportOptions:
    workers: int | None = None
    max_pixels: int = DEFAULT_MAX_PIXELS
    batch_size: int = 256
    on_progress: Callable[[ImportProgress], None] | None = None
    cancel: threading.Event | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


def run_import(
    project: Project, folders: Sequence[Path], options: ImportOptions | None = None
) -> ImportSummary:
    """Import (or re-import) folders into the project; bad files are recorded, never fatal."""
    options = options or ImportOptions()
    if min(options.max_pixels, options.batch_size, options.max_bytes) <= 0:
        raise InvalidInput("The pixel limit, the size cap and the batch size must be positive.")
    roots = [_check_folder(folder) for folder in folders]
    summary = ImportSummary()
    started = time.perf_counter()
    for root in roots:
        _import_folder(project, root, options, summary)
        summary.folders += 1
        if summary.cancelled:
            break
    summary.seconds = time.perf_counter() - started
    return summary


def _check_folder(folder: Path) -> Path:
    path = Path(folder).expanduser()
    shown = format_name(folder)
    if not path.exists():
        raise InvalidInput(f"The folder {shown} does not exist.")
    if not path.is_dir():
        raise InvalidInput(f"{shown} is a file, not a folder; import the folder that holds it.")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InvalidInput(f"The folder {shown} cannot be read (permission denied).")
    return path.resolve()


def _import_folder(
    project: Project, root: Path, options: ImportOptions, summary: ImportSummary
) -> None:
    with project.write() as conn:
        folder = save_folder(conn, root)
    known = load_file_states(project.read(), folder.id)
    seen: list[str] = []
    problems: list[FileRecord] = []
    todo: list[ScannedFile] = []
    for entry in scan_folder(root, exclude=_derived_folders(project, root)):
        if options.cancel is not None and options.cancel.is_set():  # a scan can take minutes
            summary.cancelled = True
            return
        seen.append(entry.rel_path)
        if isinstance(entry, ScanProblem):
            problems.append(FileRecord(entry.rel_path, 0, 0, error=entry.reason))
        elif known.get(entry.rel_path) == (entry.size, entry.mtime_ns, "ok"):
            summary.skipped += 1
        else:
            todo.append(entry)
    summary.seen += len(seen)
    _save(project, folder, problems, summary)
    settings = ReadSettings(project.thumbs_dir, options.max_pixels, options.max_bytes)
    progress = _Progress(format_name(root), len(todo), summary.skipped, options.on_progress)
    batch: list[FileRecord] = []
    last_commit = time.monotonic()
    for record in _read_all(root, todo, settings, options.workers, options.cancel):
        batch.append(record)
        progress.step(record.error is not None)
        if len(batch) >= options.batch_size or time.monotonic() - last_commit > 2.0:
            _save(project, folder, batch, summary)
            batch, last_commit = [], time.monotonic()
    _save(project, folder, batch, summary)
    refresh_metadata(project, folder, root, cancel=options.cancel)
    if options.cancel is not None and options.cancel.is_set():
        summary.cancelled = True
        return
    with project.write() as conn:
        summary.missing += mark_missing(conn, folder.id, seen)
        mark_folder_imported(conn, folder.id)


def _derived_folders(project: Project, root: Path) -> list[Path]:
    """The project's own folders are never imported; the project folder itself only if nested."""
    derived = [project.thumbs_dir, project.cache_dir]
    if project.root.resolve() != root:
        derived.append(project.root)
    return derived


def _save(
    project: Project, folder: Folder, batch: list[FileRecord], summary: ImportSummary
) -> None:
    """Commit a batch; if the database refuses it, save the halves, down to the faulty file."""
    if not batch:
        return
    if any(record.image is not None for record in batch):
        sync_filesystem(project.thumbs_dir)  # their thumbnails on the disk before the records
    try:
        with project.write() as conn:
            saved = save_file_records(conn, folder, batch, exists=os.path.exists)
            save_record_metadata(conn, batch)
    except _RECORD_FAULTS as fault:
        if len(batch) > 1:
            middle = len(batch) // 2
            _save(project, folder, batch[:middle], summary)
            _save(project, folder, batch[middle:], summary)
        else:
            _save_refused(project, folder, batch[0], fault, summary)
        return
    _count(summary, saved)


def _count(summary: ImportSummary, saved: SavedBatch) -> None:
    summary.added += saved.added
    summary.updated += saved.updated
    summary.moved += saved.moved
    summary.errors += saved.errors


def _save_refused(
    project: Project, folder: Folder, record: FileRecord, fault: Exception, summary: ImportSummary
) -> None:
    """Record a file whose record the database refused as an error with the reason; should
    even that be refused, list it in the summary (and the log)."""
    reason = f"the database refused this file's record ({fault})"
    for fallback in (
        replace(record, image=None, error=reason),
        FileRecord(record.rel_path, 0, 0, error=reason),
    ):
        try:
            with project.write() as conn:
                saved = save_file_records(conn, folder, [fallback], exists=os.path.exists)
        except _RECORD_FAULTS:
            continue
        _count(summary, saved)
        return
    summary.errors += 1
    summary.unrecorded.append(f"{format_name(folder.path / record.rel_path)}: {reason}")
    log.warning("could not record %s: %s", format_name(record.rel_path), fault)


def _read_all(
    root: Path,
    todo: list[ScannedFile],
    settings: ReadSettings,
    workers: int | None,
    cancel: threading.Event | None,
) -> Iterator[FileRecord]:
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers <= 1 or len(todo) < IN_PROCESS_LIMIT:
        for scanned in todo:
            if cancel is not None and cancel.is_set():
                return
            yield read_file(root, scanned, settings)
        return
    chunk_size = max(1, min(16, len(todo) // (workers * 8)))
    yield from read_files(
        root, todo, settings, workers=workers, cancel=cancel, chunk_size=chunk_size
    )


class _Progress:
    def __init__(
        self,
        folder: str,
        total: int,
        skipped: int,
        callback: Callable[[ImportProgress], None] | None,
    ) -> None:
        self.folder, self.total, self.skipped, self.callback = folder, total, skipped, callback
        self.done = self.errors = 0
        self._report()

    def step(self, failed: bool) -> None:
        self.done += 1
        self.errors += failed
        self._report()

    def _report(self) -> None:
        if self.callback is not None:
            self.callback(
                ImportProgress(self.folder, self.done, self.total, self.errors, self.skipped)
            )
