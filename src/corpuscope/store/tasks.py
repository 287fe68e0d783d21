"""Tasks: long work (import, vectors, map) queued and tracked in the project.

A task is written as ``queued`` before it runs, so work a crash or a restart interrupted is
still known afterwards: :func:`requeue_interrupted` puts it back in the queue.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from corpuscope.errors import NotFound

TaskStatus = Literal["queued", "running", "done", "failed", "cancelled"]
ACTIVE: tuple[TaskStatus, ...] = ("queued", "running")
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


@dataclass(frozen=True)
class TaskRecord:
    id: int
    kind: str
    params: dict[str, Any]
    status: TaskStatus
    done: int
    total: int
    message: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: str
    started_at: str | None
    finished_at: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _task(row: sqlite3.Row) -> TaskRecord:
    return TaskRecord(
        id=row["id"],
        kind=row["kind"],
        params=json.loads(row["params"]),
        status=cast(TaskStatus, row["status"]),
        done=row["done"],
        total=row["total"],
        message=row["message"],
        result=None if row["result"] is None else json.loads(row["result"]),
        error=row["error"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def save_task(conn: sqlite3.Connection, kind: str, params: dict[str, Any]) -> TaskRecord:
    """Queue a new task."""
    row = conn.execute(
        "INSERT INTO tasks (kind, params, status) VALUES (?, ?, 'queued') RETURNING *",
        (kind, json.dumps(params, sort_keys=True)),
    ).fetchone()
    return _task(row)


def find_active_task(
    conn: sqlite3.Connection, kind: str, params: dict[str, Any]
) -> TaskRecord | None:
    """A queued or running task of the same kind and parameters, if there is one."""
    row = conn.execute(
        "SELECT * FROM tasks WHERE kind = ? AND params = ? AND status IN ('queued', 'running') "
        "ORDER BY id LIMIT 1",
        (kind, json.dumps(params, sort_keys=True)),
    ).fetchone()
    return None if row is None else _task(row)


def load_task(conn: sqlite3.Connection, task_id: int) -> TaskRecord:
    row = conn.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no task {task_id} in this project.")
    return _task(row)


def list_tasks(
    conn: sqlite3.Connection, *, active_only: bool = False, limit: int = 50
) -> list[TaskRecord]:
    """Newest first; ``active_only`` keeps the queued and running ones."""
    where = "WHERE status IN ('queued', 'running')" if active_only else ""
    rows = conn.execute(f"SELECT * FROM tasks {where} ORDER BY id DESC LIMIT ?", (limit,))
    return [_task(row) for row in rows]


def next_queued_task(
    conn: sqlite3.Connection,
    *,
    kinds: Sequence[str] | None = None,
    other_than: Sequence[str] = (),
) -> TaskRecord | None:
    """The oldest queued task (of ``kinds`` when given, and of none of ``other_than``)."""
    where, args = ["status = 'queued'"], list[str]()
    if kinds is not None:
        where.append(f"kind IN ({', '.join('?' * len(kinds))})")
        args.extend(kinds)
    if other_than:
        where.append(f"kind NOT IN ({', '.join('?' * len(other_than))})")
        args.extend(other_than)
    row = conn.execute(
        f"SELECT * FROM tasks WHERE {' AND '.join(where)} ORDER BY id LIMIT 1", args
    ).fetchone()
    return None if row is None else _task(row)


def mark_task_running(conn: sqlite3.Connection, task_id: int) -> TaskRecord:
    conn.execute(
        f"UPDATE tasks SET status = 'running', attempts = attempts + 1, started_at = {_NOW}, "
        "error = NULL WHERE id = ?",
        (task_id,),
    )
    return load_task(conn, task_id)


def save_task_progress(
    conn: sqlite3.Connection, task_id: int, done: int, total: int, message: str
) -> None:
    conn.execute(
        "UPDATE tasks SET done = ?, total = ?, message = ? WHERE id = ?",
        (done, total, message, task_id),
    )


def finish_task(
    conn: sqlite3.Connection,
    task_id: int,
    status: TaskStatus,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> TaskRecord:
    """Record the end of a task (``done``, ``failed`` or ``cancelled``)."""
    conn.execute(
        f"UPDATE tasks SET status = ?, result = ?, error = ?, finished_at = {_NOW} WHERE id = ?",
        (status, None if result is None else json.dumps(result), error, task_id),
    )
    return load_task(conn, task_id)


def requeue_task(conn: sqlite3.Connection, task_id: int, *, count_attempt: bool = True) -> None:
    """Put a task stopped before it finished back in the queue.

    ``count_attempt=False`` (a clean stop, not a crash) does not count the start as an attempt.
    """
    conn.execute(
        "UPDATE tasks SET status = 'queued', attempts = attempts - ? WHERE id = ?",
        (0 if count_attempt else 1, task_id),
    )


def requeue_interrupted(conn: sqlite3.Connection) -> list[int]:
    """Tasks left ``running`` by a crash or a stop go back to ``queued``; their ids."""
    rows = conn.execute(
        "UPDATE tasks SET status = 'queued' WHERE status = 'running' RETURNING id"
    ).fetchall()
    return sorted(int(row[0]) for row in rows)


def request_cancel(conn: sqlite3.Connection, task_id: int) -> None:
    """Ask the process running task ``task_id`` to cancel it (see :func:`cancel_requested`)."""
    conn.execute(
        "UPDATE tasks SET cancel_requested = 1 WHERE id = ? AND status = 'running'", (task_id,)
    )


def cancel_requested(conn: sqlite3.Connection, task_id: int) -> bool:
    row = conn.execute("SELECT cancel_requested FROM tasks WHERE id = ?", (task_id,)).fetchone()
    return bool(row is not None and row[0])
