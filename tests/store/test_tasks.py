"""The task table: queue, progress, end states, and what a restart re-queues."""

from __future__ import annotations

import pytest

from corpuscope.errors import NotFound
from corpuscope.store import tasks as taskstore


def test_a_task_goes_from_queued_to_done(project) -> None:
    with project.write() as conn:
        task = taskstore.save_task(conn, "import", {"folders": ["/a"]})
        assert (task.status, task.attempts, task.active) == ("queued", 0, True)
        assert taskstore.next_queued_task(conn) == task
        running = taskstore.mark_task_running(conn, task.id)
        assert (running.status, running.attempts) == ("running", 1) and running.started_at
        taskstore.save_task_progress(conn, task.id, 5, 10, "halfway")
        done = taskstore.finish_task(conn, task.id, "done", result={"added": 10})
    assert (done.status, done.done, done.total, done.message) == ("done", 5, 10, "halfway")
    assert done.result == {"added": 10} and done.finished_at and not done.active
    assert taskstore.next_queued_task(project.read()) is None


def test_listing_is_newest_first_and_can_keep_active_ones(project) -> None:
    with project.write() as conn:
        first = taskstore.save_task(conn, "import", {"folders": ["/a"]})
        second = taskstore.save_task(conn, "vectors", {"model": "m"})
        taskstore.finish_task(conn, first.id, "failed", error="The folder vanished.")
    conn = project.read()
    assert [t.id for t in taskstore.list_tasks(conn)] == [second.id, first.id]
    assert [t.id for t in taskstore.list_tasks(conn, active_only=True)] == [second.id]
    assert [t.id for t in taskstore.list_tasks(conn, limit=1)] == [second.id]
    assert taskstore.load_task(conn, first.id).error == "The folder vanished."
    with pytest.raises(NotFound, match="no task 99"):
        taskstore.load_task(conn, 99)


def test_an_active_task_with_the_same_parameters_is_found(project) -> None:
    with project.write() as conn:
        task = taskstore.save_task(conn, "import", {"folders": ["/a"], "b": 1})
        assert taskstore.find_active_task(conn, "import", {"b": 1, "folders": ["/a"]}) == task
        assert taskstore.find_active_task(conn, "import", {"folders": ["/b"]}) is None
        taskstore.finish_task(conn, task.id, "done")
        assert taskstore.find_active_task(conn, "import", {"folders": ["/a"], "b": 1}) is None


def test_interrupted_tasks_are_requeued(project) -> None:
    with project.write() as conn:
        crashed = taskstore.save_task(conn, "import", {})
        stopped = taskstore.save_task(conn, "import", {"x": 1})
        waiting = taskstore.save_task(conn, "vectors", {})
        taskstore.mark_task_running(conn, crashed.id)
        taskstore.mark_task_running(conn, stopped.id)
        taskstore.requeue_task(conn, stopped.id, count_attempt=False)
        assert taskstore.requeue_interrupted(conn) == [crashed.id]
    conn = project.read()
    assert taskstore.load_task(conn, crashed.id).attempts == 1  # a crash counts
    assert taskstore.load_task(conn, stopped.id).attempts == 0  # a clean stop does not
    assert [t.status for t in taskstore.list_tasks(conn)] == ["queued"] * 3
    assert taskstore.next_queued_task(conn).id == crashed.id  # oldest first
    assert waiting.status == "queued"
