"""Tasks: list with progress, one task, cancel, and live progress as server-sent events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from corpuscope.services.tasks import TaskRunner
from corpuscope.web.deps import RunnerDep
from corpuscope.web.routes.convert import task_out
from corpuscope.web.schemas.common import MAX_ID
from corpuscope.web.schemas.projects import TaskListOut, TaskOut

router = APIRouter(prefix="/api/projects/{pid}", tags=["tasks"])
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]
POLL_SECONDS = 0.2
PING_SECONDS = 15.0
SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {}},
        "description": "Events named `tasks`, each with the JSON of TaskListOut.",
    }
}


@router.get("/tasks")
def list_tasks(
    runner: RunnerDep,
    active: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> TaskListOut:
    """Newest first, with live progress; ``active``: only queued and running tasks."""
    return TaskListOut(tasks=[task_out(t) for t in runner.list(active_only=active, limit=limit)])


@router.get("/tasks/events", response_class=StreamingResponse, responses=SSE_RESPONSES)
async def task_events(
    request: Request,
    runner: RunnerDep,
    until_idle: bool = False,
    timeout: Annotated[float, Query(gt=0, le=3600)] = 600.0,
) -> StreamingResponse:
    """Server-sent events: the recent tasks (as in GET /tasks) each time one changes.

    The stream ends after ``timeout`` seconds (EventSource reconnects by itself) or, with
    ``until_idle``, once nothing is queued or running.
    """
    return StreamingResponse(
        _events(request, runner, until_idle=until_idle, timeout=timeout),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(
    request: Request, runner: TaskRunner, *, until_idle: bool, timeout: float
) -> AsyncIterator[str]:
    started = last_sent = time.monotonic()
    seen = -1
    yield "retry: 2000\n\n"
    while time.monotonic() - started < timeout:
        if await request.is_disconnected():
            return
        version = runner.version
        if version != seen:
            seen = version
            tasks = await run_in_threadpool(runner.list, limit=20)
            data = TaskListOut(tasks=[task_out(task) for task in tasks]).model_dump_json()
            yield f"event: tasks\nid: {version}\ndata: {data}\n\n"
            last_sent = time.monotonic()
            if until_idle and not any(task.active for task in tasks):
                return
        elif time.monotonic() - last_sent > PING_SECONDS:
            yield ": ping\n\n"
            last_sent = time.monotonic()
        await asyncio.sleep(POLL_SECONDS)
    yield f"event: timeout\ndata: {json.dumps({'seconds': timeout})}\n\n"


@router.get("/tasks/{task_id}")
def get_task(task_id: TaskId, runner: RunnerDep) -> TaskOut:
    return task_out(runner.get(task_id))


@router.post("/tasks/{task_id}/cancel")
def cancel_task(task_id: TaskId, runner: RunnerDep) -> TaskOut:
    """Cancel: a queued task at once, a running one after its current batch."""
    return task_out(runner.cancel(task_id))
