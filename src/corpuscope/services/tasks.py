"""Long work in the background: a queue per project, recorded in the project, resumed on start.

:meth:`TaskRunner.submit` writes the task as ``queued`` before anything runs, so a crash or a
restart never loses it: :meth:`TaskRunner.start` puts tasks left ``running`` back in the queue
and runs the queue in order on worker threads, one task at a time per lane (the kinds are in
:mod:`corpuscope.services.task_kinds`). Import and vectors skip what they already committed,
so running an interrupted task again resumes it.

Progress is kept in memory for live views (every change bumps :attr:`TaskRunner.version`) and
written to the project at most once a second. Cancelling sets the task's ``threading.Event``,
which the services check between batches (or raise ``Cancelled``); stopping the runner
interrupts the running tasks and leaves them queued for next time. A task that raises fails
with a sentence; its lane goes on with the next task.

One process runs a project's queue at a time: the runner that holds the lock file
``tasks.lock`` in the project folder (released by the operating system if the process dies).
A second server on the same project queues tasks, follows their stored progress and asks for
cancels through the project (once a second each way); it takes the queue over, re-queueing
what was interrupted, only once the first has let go.
"""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from filelock import FileLock, Timeout

from corpuscope.errors import Cancelled, CorpuscopeError, InvalidInput
from corpuscope.services.run_requests import RunRequest, task_kind_of
from corpuscope.store import tasks as taskstore
from corpuscope.store.db import Project
from corpuscope.store.folders import load_folder
from corpuscope.store.tasks import TaskRecord as TaskRecord

log = logging.getLogger(__name__)

#: A task interrupted this many times by crashes is failed rather than started again.
MAX_ATTEMPTS = 3
PERSIST_EVERY = 1.0  # seconds between progress writes to the project
POLL_EVERY = 5.0  # seconds between looks at the queue when nothing wakes the worker
FOLLOW_EVERY = 1.0  # the same while another process runs the queue (its progress is stored)
QUEUE_LOCK = "tasks.lock"
#: The lane of long background work (import, vectors, map), and of kinds no lane claims.
BACKGROUND = "background"


@dataclass(frozen=True)
class TaskContext:
    """What a running task gets: its cancel flag and a ``report(done, total, message)``."""

    cancel: threading.Event
    report: Callable[[int, int, str], None]


@dataclass(frozen=True)
class TaskKind:
    """``check`` validates and normalises parameters when queued; ``run`` does the work.

    Tasks of one ``lane`` run one at a time, in order; lanes run side by side.
    """

    check: Callable[[Project, dict[str, Any]], dict[str, Any]]
    run: Callable[[Project, dict[str, Any], TaskContext], dict[str, Any]]
    lane: str = BACKGROUND


@dataclass
class _Running:
    record: TaskRecord
    cancel: threading.Event
    by_user: bool = False
    persisted_at: float = 0.0


class TaskRunner:
    """The task queue of one project. ``start()`` once; ``stop()`` before closing the project.

    Each lane (see :attr:`TaskKind.lane`) runs its tasks one at a time, in order, on its own
    worker thread: a clustering does not wait for an hour-long import, and two imports never
    run at once. Tasks of a kind this runner does not know go to the background lane, which
    fails them with a sentence.
    """

    def __init__(self, project: Project, *, kinds: dict[str, TaskKind]) -> None:
        self.project = project
        self.kinds = kinds
        self.version = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._running: dict[str, _Running] = {}
        self._threads: builtins.list[threading.Thread] = []
        self._queue_lock = FileLock(project.root / QUEUE_LOCK, thread_local=False)
        self._take_lock = threading.Lock()

    # --- public -------------------------------------------------------------------------------

    @property
    def lanes(self) -> builtins.list[str]:
        """The lanes of this runner's kinds, the background lane first."""
        return list(dict.fromkeys([BACKGROUND, *(kind.lane for kind in self.kinds.values())]))

    def start(self) -> builtins.list[int]:
        """Take the queue if no other process holds it (re-queueing interrupted tasks) and start
        the workers; returns the re-queued ids."""
        requeued = self._take_queue() or []
        name = self.project.root.name
        for lane in self.lanes:
            thread = threading.Thread(
                target=self._work, args=(lane,), name=f"corpuscope-{lane}-{name}", daemon=True
            )
            self._threads.append(thread)
            thread.start()
        threading.Thread(
            target=self._watch_cancel_requests, name=f"corpuscope-cancels-{name}", daemon=True
        ).start()
        return requeued

    def stop(self, timeout: float = 60.0) -> None:
        """Interrupt the running tasks (they stay queued) and wait for the workers to end."""
        self._stopping.set()
        with self._lock:
            for running in self._running.values():
                running.cancel.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._queue_lock.is_locked and not any(t.is_alive() for t in self._threads):
            self._queue_lock.release(force=True)

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

    def queue_import(self, folders: builtins.list[str]) -> TaskRecord:
        """Queue the import of folders (checked now: they exist, are folders, can be read)."""
        return self.submit("import", {"folders": folders})

    def queue_reimport(self, folder_id: int) -> TaskRecord:
        """Queue a re-import of one of the project's folders."""
        folder = load_folder(self.project.read(), folder_id)
        return self.submit("import", {"folders": [folder.shown]})

    def queue_vectors(self, model: str | None) -> TaskRecord:
        """Queue computing the vectors a model still lacks (None: the project's model)."""
        return self.submit("vectors", {"model": model})

    def queue_map(self, model: str | None, *, refit: bool = False) -> TaskRecord:
        """Queue laying out the 2-D map (``refit``: start over instead of extending it)."""
        return self.submit("map", {"model": model, "refit": refit})

    def queue_export(self, params: dict[str, Any]) -> TaskRecord:
        """Queue an export of images to a folder (checked now; see services.folder_export)."""
        return self.submit("export", params)

    def queue_run(self, request: RunRequest) -> TaskRecord:
        """Queue a clustering, near-duplicate or by-tags run (checked now)."""
        return self.submit(task_kind_of(request), request.to_params())

    def cancel(self, task_id: int) -> TaskRecord:
        """Cancel a queued task at once, or ask the running one to stop after its batch."""
        with self._lock:
            for running in self._running.values():
                if running.record.id == task_id:
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
        live = self._live()
        if task_id in live:
            return live[task_id]
        return taskstore.load_task(self.project.read(), task_id)

    def list(self, *, active_only: bool = False, limit: int = 50) -> builtins.list[TaskRecord]:
        """Newest first, with the running tasks' live progress."""
        if not 1 <= limit <= 1000:
            raise InvalidInput("List between 1 and 1000 tasks.")
        records = taskstore.list_tasks(self.project.read(), active_only=active_only, limit=limit)
        live = self._live()
        return [live.get(record.id, record) for record in records]

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

    def _live(self) -> dict[int, TaskRecord]:
        with self._lock:
            return {running.record.id: running.record for running in self._running.values()}

    def _changed(self) -> None:
        with self._lock:
            self.version += 1

    def _work(self, lane: str) -> None:
        seen: builtins.list[TaskRecord] = []
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                owns = self.owns_queue or self._take_queue() is not None
                record = self._claim(lane) if owns else None
                if record is None:
                    if not owns and lane == BACKGROUND:
                        seen = self._follow(seen)
                    self._wake.wait(timeout=POLL_EVERY if owns else FOLLOW_EVERY)
                    continue
                self._run(lane, record)
            except Exception:  # a bug in the runner itself: logged, and the worker goes on
                log.exception("the %s task worker of %s failed", lane, self.project.root)
                self._stopping.wait(FOLLOW_EVERY)

    def _follow(self, seen: builtins.list[TaskRecord]) -> builtins.list[TaskRecord]:
        """While another process runs the queue, bump :attr:`version` when the tasks it stores
        change, so that live views here follow its progress."""
        now = taskstore.list_tasks(self.project.read(), limit=20)
        if now != seen:
            self._changed()
        return now

    def _watch_cancel_requests(self) -> None:
        """Cancel a running task when another process asked for it through the project."""
        while not self._stopping.wait(FOLLOW_EVERY):
            with self._lock:
                running = [r for r in self._running.values() if not r.cancel.is_set()]
            for item in running:
                if taskstore.cancel_requested(self.project.read(), item.record.id):
                    with self._lock:
                        item.by_user = True
                        item.cancel.set()

    def _take_queue(self) -> builtins.list[int] | None:
        """Hold the project's queue lock and re-queue what a dead holder left running; the
        re-queued ids, or None while another process holds the lock."""
        with self._take_lock:
            if self.owns_queue:
                return []
            try:
                self._queue_lock.acquire(timeout=0)
            except Timeout:
                return None
            with self.project.write() as conn:
                requeued = taskstore.requeue_interrupted(conn)
        if requeued:
            self._changed()
        return requeued

    def _claim(self, lane: str) -> TaskRecord | None:
        mine = [name for name, kind in self.kinds.items() if kind.lane == lane]
        others = [name for name, kind in self.kinds.items() if kind.lane != lane]
        with self.project.write() as conn:
            if lane == BACKGROUND:  # its kinds, and any kind this runner does not know
                record = taskstore.next_queued_task(conn, other_than=others)
            else:
                record = taskstore.next_queued_task(conn, kinds=mine)
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
                return self._claim(lane)
            record = taskstore.mark_task_running(conn, record.id)
        with self._lock:
            self._running[lane] = _Running(record, threading.Event())
            self.version += 1
        return record

    def _run(self, lane: str, record: TaskRecord) -> None:
        running = self._running[lane]
        context = TaskContext(running.cancel, self._progress_reporter(running))
        kind = self.kinds.get(record.kind)
        try:
            if kind is None:
                raise InvalidInput(f"This corpuscope cannot run tasks of kind {record.kind!r}.")
            result = kind.run(self.project, record.params, context)
        except Cancelled:
            result = {}
            if not running.cancel.is_set():  # the work gave up by itself: as a user's cancel
                running.by_user = True
                running.cancel.set()
        except CorpuscopeError as error:
            self._finish(lane, "failed", error=str(error))
            return
        except Exception as error:  # a bug: recorded on the task, the runner goes on
            log.exception("task %s (%s) failed", record.id, record.kind)
            self._finish(lane, "failed", error=_bug_sentence(error))
            return
        if running.cancel.is_set() and not running.by_user:
            self._requeue(lane)
        elif running.cancel.is_set():
            self._finish(lane, "cancelled", result=result)
        else:
            self._finish(lane, "done", result=result)

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
        lane: str,
        status: taskstore.TaskStatus,
        *,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        """Record the end of the lane's task; a result that cannot be stored fails the task."""
        live = self._running[lane].record
        try:
            with self.project.write() as conn:
                taskstore.save_task_progress(conn, live.id, live.done, live.total, live.message)
                final = taskstore.finish_task(conn, live.id, status, result=result, error=error)
        except Exception as problem:  # a bug: the task fails, the lane goes on
            log.exception("task %s (%s) could not be recorded", live.id, live.kind)
            with self.project.write() as conn:
                final = taskstore.finish_task(conn, live.id, "failed", error=_bug_sentence(problem))
        finally:
            with self._lock:
                self._running.pop(lane, None)
                self.version += 1
        log.info("task %s (%s) %s", final.id, final.kind, final.status)

    def _requeue(self, lane: str) -> None:
        live = self._running[lane].record
        try:
            with self.project.write() as conn:
                taskstore.save_task_progress(conn, live.id, live.done, live.total, live.message)
                taskstore.requeue_task(conn, live.id, count_attempt=False)
        finally:
            with self._lock:
                self._running.pop(lane, None)
                self.version += 1


def _bug_sentence(error: Exception) -> str:
    what = str(error).strip().rstrip(".") or type(error).__name__
    return f"The task stopped on an unexpected error ({what}); the server's log has the details."
