"""Long work in the background: a queue per project, recorded in the project, resumed on start.

:meth:`TaskRunner.submit` writes the task as ``queued`` before anything runs, so a crash or a
restart never loses it: :meth:`TaskRunner.start` puts tasks left ``running`` back in the queue
and runs the queue in order, one task at a time, on a worker thread. Import and vectors skip what
they already committed, so running an interrupted task again resumes it.

Progress is kept in memory for live views (every change bumps :attr:`TaskRunner.version`) and
written to the project at most once a second. Cancelling sets the task's ``threading.Event``,
which the services check between batches; stopping the runner interrupts the running task and
leaves it queued for next time.

One process runs a project's queue at a time: the runner that holds the lock file
``tasks.lock`` in the project folder (released by the operating system if the process dies).
A second server on the same project queues tasks, follows their stored progress and asks for
cancels through the project (once a second each way); it takes the queue over, re-queueing
what was interrupted, only once the first has let go.
"""

from __future__ import annotations

import builtins
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from corpuscope.embed.registry import find_model
from corpuscope.errors import CorpuscopeError, InvalidInput, ModelUnavailable
from corpuscope.services.folder_export import check_export_task, run_export_task
from corpuscope.services.importing import ImportOptions, ImportProgress, run_import
from corpuscope.services.maps import map_coordinates
from corpuscope.services.models import project_model
from corpuscope.services.vectors import VectorOptions, VectorProgress, run_vectors
from corpuscope.store import tasks as taskstore
from corpuscope.store.db import Project
from corpuscope.store.folders import load_folder
from corpuscope.store.tasks import TaskRecord

log = logging.getLogger(__name__)

#: A task interrupted this many times by crashes is failed rather than started again.
MAX_ATTEMPTS = 3
PERSIST_EVERY = 1.0  # seconds between progress writes to the project
POLL_EVERY = 5.0  # seconds between looks at the queue when nothing wakes the worker
FOLLOW_EVERY = 1.0  # the same while another process runs the queue (its progress is stored)
QUEUE_LOCK = "tasks.lock"


@dataclass(frozen=True)
class TaskContext:
    """What a running task gets: its cancel flag and a ``report(done, total, message)``."""

    cancel: threading.Event
    report: Callable[[int, int, str], None]


@dataclass(frozen=True)
class TaskKind:
    """``check`` validates and normalises parameters when queued; ``run`` does the work."""

    check: Callable[[Project, dict[str, Any]], dict[str, Any]]
    run: Callable[[Project, dict[str, Any], TaskContext], dict[str, Any]]


def check_folder(text: object) -> str:
    """A folder a user asked to import: exists, is a folder, readable; as a resolved path."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("Give the folder to import as a path.")
    if "\x00" in text:
        raise InvalidInput("A folder path cannot contain a NUL character.")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise InvalidInput(f"Give the full path of the folder ({text!r} is relative).")
    if not path.exists():
        raise InvalidInput(f"The folder {text} does not exist.")
    if not path.is_dir():
        raise InvalidInput(f"{text} is a file, not a folder; import the folder that holds it.")
    if not os.access(path, os.R_OK | os.X_OK):
        raise InvalidInput(f"The folder {text} cannot be read (permission denied).")
    return str(path.resolve())


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
    summary = run_import(project, [Path(folder) for folder in params["folders"]], options)
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
    ids, _ = map_coordinates(project, model=params["model"], refit=params["refit"])
    context.report(1, 1, "map ready")
    return {"points": len(ids)}


KINDS: dict[str, TaskKind] = {
    "import": TaskKind(_check_import, _run_import),
    "vectors": TaskKind(_check_vectors, _run_vectors),
    "map": TaskKind(_check_map, _run_map),
    "export": TaskKind(check_export_task, run_export_task),
}


@dataclass
class _Running:
    record: TaskRecord
    cancel: threading.Event
    by_user: bool = False
    persisted_at: float = 0.0


class TaskRunner:
    """The task queue of one project. ``start()`` once; ``stop()`` before closing the project."""

    def __init__(self, project: Project, *, kinds: dict[str, TaskKind] | None = None) -> None:
        self.project = project
        self.kinds = KINDS if kinds is None else kinds
        self.version = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._running: _Running | None = None
        self._thread: threading.Thread | None = None
        self._queue_lock = FileLock(project.root / QUEUE_LOCK, thread_local=False)

    # --- public -------------------------------------------------------------------------------

    def start(self) -> list[int]:
        """Take the queue if no other process holds it (re-queueing interrupted tasks) and start
        the worker; returns the re-queued ids."""
        requeued = self._take_queue() or []
        self._thread = threading.Thread(
            target=self._work, name=f"corpuscope-tasks-{self.project.root.name}", daemon=True
        )
        self._thread.start()
        threading.Thread(
            target=self._watch_cancel_requests,
            name=f"corpuscope-cancels-{self.project.root.name}",
            daemon=True,
        ).start()
        return requeued

    def stop(self, timeout: float = 60.0) -> None:
        """Interrupt the running task (it stays queued) and wait for the worker to end."""
        self._stopping.set()
        with self._lock:
            if self._running is not None:
                self._running.cancel.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._queue_lock.is_locked and (self._thread is None or not self._thread.is_alive()):
            self._queue_lock.release()

    @property
    def owns_queue(self) -> bool:
        """Whether this runner runs the project's tasks (False: another process does)."""
        return self._queue_lock.is_locked

    def submit(self, kind: str, params: dict[str, Any]) -> TaskRecord:
        """Queue a task (or return the same one already queued or running)."""
        task_kind = self.kinds.get(kind)
        if task_kind is None:
            raise InvalidInput(f"Unknown task kind {kind!r}; use one of {', '.join(self.kinds)}.")
        checked = task_kind.check(self.project, params)
        with self.project.write() as conn:
            record = taskstore.find_active_task(conn, kind, checked)
            if record is None:
                record = taskstore.save_task(conn, kind, checked)
        self._changed()
        self._wake.set()
        return self.get(record.id)

    def queue_import(self, folders: list[str]) -> TaskRecord:
        """Queue the import of folders (checked now: they exist, are folders, can be read)."""
        return self.submit("import", {"folders": folders})

    def queue_reimport(self, folder_id: int) -> TaskRecord:
        """Queue a re-import of one of the project's folders."""
        folder = load_folder(self.project.read(), folder_id)
        return self.submit("import", {"folders": [str(folder.path)]})

    def queue_vectors(self, model: str | None) -> TaskRecord:
        """Queue computing the vectors a model still lacks (None: the project's model)."""
        return self.submit("vectors", {"model": model})

    def queue_map(self, model: str | None, *, refit: bool = False) -> TaskRecord:
        """Queue laying out the 2-D map (``refit``: start over instead of extending it)."""
        return self.submit("map", {"model": model, "refit": refit})

    def queue_export(self, params: dict[str, Any]) -> TaskRecord:
        """Queue an export of images to a folder (checked now; see services.folder_export)."""
        return self.submit("export", params)

    def cancel(self, task_id: int) -> TaskRecord:
        """Cancel a queued task at once, or ask the running one to stop after its batch."""
        with self._lock:
            running = self._running
            if running is not None and running.record.id == task_id:
                running.by_user = True
                running.cancel.set()
                return running.record
        with self.project.write() as conn:
            record = taskstore.load_task(conn, task_id)
            if record.status == "running" and not self.owns_queue:
                taskstore.request_cancel(conn, task_id)  # the process running it stops it
            if record.status == "queued":
                record = taskstore.finish_task(conn, task_id, "cancelled")
        self._changed()
        return record

    def get(self, task_id: int) -> TaskRecord:
        with self._lock:
            if self._running is not None and self._running.record.id == task_id:
                return self._running.record
        return taskstore.load_task(self.project.read(), task_id)

    def list(self, *, active_only: bool = False, limit: int = 50) -> list[TaskRecord]:
        """Newest first, with the running task's live progress."""
        if not 1 <= limit <= 1000:
            raise InvalidInput("List between 1 and 1000 tasks.")
        records = taskstore.list_tasks(self.project.read(), active_only=active_only, limit=limit)
        with self._lock:
            live = self._running.record if self._running is not None else None
        return [live if live is not None and r.id == live.id else r for r in records]

    def is_idle(self) -> bool:
        return not self.list(active_only=True, limit=1)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is queued or running (for scripts and tests)."""
        deadline = time.monotonic() + timeout
        while not self.is_idle():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    # --- worker -------------------------------------------------------------------------------

    def _changed(self) -> None:
        with self._lock:
            self.version += 1

    def _work(self) -> None:
        seen: builtins.list[TaskRecord] = []
        while not self._stopping.is_set():
            self._wake.clear()
            record = self._claim() if self.owns_queue or self._take_queue() is not None else None
            if record is None:
                if not self.owns_queue:
                    seen = self._follow(seen)
                self._wake.wait(timeout=POLL_EVERY if self.owns_queue else FOLLOW_EVERY)
                continue
            self._run(record)

    def _follow(self, seen: builtins.list[TaskRecord]) -> builtins.list[TaskRecord]:
        """While another process runs the queue, bump :attr:`version` when the tasks it stores
        change, so that live views here follow its progress."""
        now = taskstore.list_tasks(self.project.read(), limit=20)
        if now != seen:
            self._changed()
        return now

    def _watch_cancel_requests(self) -> None:
        """Cancel the running task when another process asked for it through the project."""
        while not self._stopping.wait(FOLLOW_EVERY):
            with self._lock:
                running = self._running
            if running is None or running.cancel.is_set():
                continue
            if taskstore.cancel_requested(self.project.read(), running.record.id):
                with self._lock:
                    running.by_user = True
                    running.cancel.set()

    def _take_queue(self) -> builtins.list[int] | None:
        """Hold the project's queue lock and re-queue what a dead holder left running; the
        re-queued ids, or None while another process holds the lock."""
        try:
            self._queue_lock.acquire(timeout=0)
        except Timeout:
            return None
        with self.project.write() as conn:
            requeued = taskstore.requeue_interrupted(conn)
        if requeued:
            self._changed()
        return requeued

    def _claim(self) -> TaskRecord | None:
        with self.project.write() as conn:
            record = taskstore.next_queued_task(conn)
            if record is None:
                return None
            if record.attempts >= MAX_ATTEMPTS:
                taskstore.finish_task(
                    conn,
                    record.id,
                    "failed",
                    error=f"The task was interrupted {record.attempts} times before it could "
                    "finish; start it again to retry.",
                )
                self._changed()
                return self._claim()
            record = taskstore.mark_task_running(conn, record.id)
        with self._lock:
            self._running = _Running(record, threading.Event())
            self.version += 1
        return record

    def _run(self, record: TaskRecord) -> None:
        assert self._running is not None
        running = self._running
        context = TaskContext(running.cancel, self._progress_reporter(running))
        kind = self.kinds.get(record.kind)
        try:
            if kind is None:
                raise InvalidInput(f"This corpuscope cannot run tasks of kind {record.kind!r}.")
            result = kind.run(self.project, record.params, context)
        except CorpuscopeError as error:
            self._finish(running, "failed", error=str(error))
        except Exception as error:  # a bug: recorded on the task, the runner goes on
            log.exception("task %s (%s) failed", record.id, record.kind)
            self._finish(running, "failed", error=f"Unexpected error: {error!r}")
        else:
            if running.cancel.is_set() and not running.by_user:
                self._requeue(running)
            elif running.cancel.is_set():
                self._finish(running, "cancelled", result=result)
            else:
                self._finish(running, "done", result=result)

    def _progress_reporter(self, running: _Running) -> Callable[[int, int, str], None]:
        def report(done: int, total: int, message: str) -> None:
            with self._lock:
                running.record = replace(running.record, done=done, total=total, message=message)
                self.version += 1
            now = time.monotonic()
            if now - running.persisted_at >= PERSIST_EVERY:
                running.persisted_at = now
                with self.project.write() as conn:
                    taskstore.save_task_progress(conn, running.record.id, done, total, message)

        return report

    def _finish(
        self,
        running: _Running,
        status: taskstore.TaskStatus,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        live = running.record
        with self.project.write() as conn:
            taskstore.save_task_progress(conn, live.id, live.done, live.total, live.message)
            final = taskstore.finish_task(conn, live.id, status, result=result, error=error)
        with self._lock:
            self._running = None
            self.version += 1
        log.info("task %s (%s) %s", final.id, final.kind, final.status)

    def _requeue(self, running: _Running) -> None:
        live = running.record
        with self.project.write() as conn:
            taskstore.save_task_progress(conn, live.id, live.done, live.total, live.message)
            taskstore.requeue_task(conn, live.id, count_attempt=False)
        with self._lock:
            self._running = None
            self.version += 1
