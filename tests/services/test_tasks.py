"""The task runner on its own: order, progress, cancel, stop and resume, failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services import tasks as taskservice
from corpuscope.services.progress import report_stage
from corpuscope.services.task_kinds import check_folder
from corpuscope.services.tasks import TaskContext, TaskKind, TaskRunner
from corpuscope.store import tasks as taskstore
from corpuscope.store.db import Project, open_project


class Work:
    """A task kind that records its runs and waits on a gate (or on cancel)."""

    def __init__(self) -> None:
        self.runs: list[dict[str, Any]] = []
        self.gate = threading.Event()
        self.started = threading.Event()

    def check(self, project: Project, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("bad"):
            raise InvalidInput("Bad parameters.")
        return dict(params)

    def run(self, project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
        self.runs.append(params)
        context.report(1, 4, "first step")
        self.started.set()
        if params.get("explode"):
            raise RuntimeError("boom")
        while not self.gate.is_set():
            if context.cancel.wait(0.005):
                return {"stopped": True}
        context.report(4, 4, "last step")
        return {"n": params.get("n")}


@pytest.fixture
def work() -> Work:
    return Work()


@pytest.fixture
def runner(project: Project, work: Work) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(project, kinds={"work": TaskKind(work.check, work.run)})
    task_runner.start()
    yield task_runner
    task_runner.stop()


def test_tasks_run_in_order_with_progress_and_results(runner: TaskRunner, work: Work) -> None:
    first = runner.submit("work", {"n": 1})
    second = runner.submit("work", {"n": 2})
    assert work.started.wait(5)
    live = runner.get(first.id)
    assert (live.status, live.done, live.total, live.message) == ("running", 1, 4, "first step")
    assert runner.get(second.id).status == "queued"
    version = runner.version
    work.gate.set()
    assert runner.wait_idle(10)
    assert runner.version > version
    done = [runner.get(first.id), runner.get(second.id)]
    assert [(t.status, t.result, t.done) for t in done] == [
        ("done", {"n": 1}, 4),
        ("done", {"n": 2}, 4),
    ]
    assert [r["n"] for r in work.runs] == [1, 2]
    assert [t.id for t in runner.list()] == [second.id, first.id]


def test_cancel_a_running_and_a_queued_task(runner: TaskRunner, work: Work) -> None:
    first = runner.submit("work", {"n": 1})
    second = runner.submit("work", {"n": 2})
    assert work.started.wait(5)
    assert runner.cancel(second.id).status == "cancelled"
    runner.cancel(first.id)
    assert runner.wait_idle(10)
    cancelled = runner.get(first.id)
    assert (cancelled.status, cancelled.result, cancelled.done) == (
        "cancelled",
        {"stopped": True},
        1,
    )
    assert len(work.runs) == 1
    with pytest.raises(NotFound):
        runner.cancel(99)


def test_the_same_active_task_is_not_queued_twice(runner: TaskRunner, work: Work) -> None:
    first = runner.submit("work", {"n": 1})
    assert runner.submit("work", {"n": 1}).id == first.id
    work.gate.set()
    assert runner.wait_idle(10)
    assert runner.submit("work", {"n": 1}).id != first.id


def test_unknown_kinds_and_bad_parameters_are_refused(runner: TaskRunner) -> None:
    with pytest.raises(InvalidInput, match="Unknown task kind 'nap'"):
        runner.submit("nap", {})
    with pytest.raises(InvalidInput, match="Bad parameters"):
        runner.submit("work", {"bad": True})
    assert runner.list() == []
    with pytest.raises(InvalidInput, match="between 1 and 1000"):
        runner.list(limit=0)


def test_a_crashing_task_fails_and_the_queue_goes_on(
    runner: TaskRunner, work: Work, project: Project
) -> None:
    broken = runner.submit("work", {"explode": True})
    fine = runner.submit("work", {"n": 3})
    work.gate.set()
    assert runner.wait_idle(10)
    failed = runner.get(broken.id)
    assert failed.status == "failed"
    assert failed.error == (
        "The task stopped on an unexpected error (boom); the server's log has the details."
    )
    assert runner.get(fine.id).status == "done"
    with project.write() as conn:  # the write lock was let go
        conn.execute("SELECT 1")
    assert runner.owns_queue


def test_a_result_that_cannot_be_stored_fails_the_task_not_the_worker(project: Project) -> None:
    def unstorable(
        project: Project, params: dict[str, Any], context: TaskContext
    ) -> dict[str, Any]:
        return {"points": {1, 2}}  # a set: not JSON

    def fine(project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
        return {"ok": True}

    runner = TaskRunner(
        project,
        kinds={"bad": TaskKind(lambda p, q: q, unstorable), "good": TaskKind(lambda p, q: q, fine)},
    )
    runner.start()
    try:
        bad = runner.submit("bad", {})
        good = runner.submit("good", {})
        assert runner.wait_idle(10)
        failed = runner.get(bad.id)
        assert failed.status == "failed" and "unexpected error" in (failed.error or "")
        assert runner.get(good.id).result == {"ok": True}
    finally:
        runner.stop()
    assert not runner.owns_queue  # stopping let the queue lock go
    other = TaskRunner(project, kinds={})
    assert other.start() == [] and other.owns_queue
    other.stop()


def test_a_service_that_raises_cancelled_ends_the_task_as_cancelled(project: Project) -> None:
    started = threading.Event()

    def stages(project: Project, params: dict[str, Any], context: TaskContext) -> dict[str, Any]:
        for step in range(1000):
            report_stage(context.report, context.cancel, step, 1000, "working")
            started.set()
            time.sleep(0.005)
        return {"finished": True}

    runner = TaskRunner(project, kinds={"long": TaskKind(lambda p, q: q, stages)})
    runner.start()
    try:
        task = runner.submit("long", {})
        assert started.wait(5)
        runner.cancel(task.id)
        assert runner.wait_idle(10)
        stopped = runner.get(task.id)
        assert stopped.status == "cancelled" and stopped.done < 1000 and stopped.error is None
    finally:
        runner.stop()


def test_lanes_run_side_by_side_and_one_task_at_a_time_each(project: Project) -> None:
    background, analysis = Work(), Work()
    runner = TaskRunner(
        project,
        kinds={
            "slow": TaskKind(background.check, background.run),
            "quick": TaskKind(analysis.check, analysis.run, lane="analysis"),
        },
    )
    runner.start()
    try:
        slow = runner.submit("slow", {"n": 1})
        assert background.started.wait(5)
        first = runner.submit("quick", {"n": 2})
        second = runner.submit("quick", {"n": 3})
        assert analysis.started.wait(5)  # not behind the slow one
        assert runner.get(first.id).status == "running"
        assert runner.get(second.id).status == "queued"  # one at a time in its lane
        assert {t.id for t in runner.list(active_only=True)} == {slow.id, first.id, second.id}
        analysis.gate.set()
        deadline = time.monotonic() + 10
        while runner.get(second.id).active and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.get(second.id).status == "done"
        assert runner.get(slow.id).status == "running"
        background.gate.set()
        assert runner.wait_idle(10)
    finally:
        runner.stop()


def test_stop_leaves_the_task_queued_and_a_new_runner_resumes_it(
    project: Project, work: Work
) -> None:
    kinds = {"work": TaskKind(work.check, work.run)}
    first = TaskRunner(project, kinds=kinds)
    first.start()
    task = first.submit("work", {"n": 7})
    assert work.started.wait(5)
    first.stop()
    stored = taskstore.load_task(project.read(), task.id)
    assert (stored.status, stored.attempts, stored.done) == ("queued", 0, 1)
    work.gate.set()
    second = TaskRunner(project, kinds=kinds)
    assert second.start() == []
    assert second.wait_idle(10)
    second.stop()
    assert taskstore.load_task(project.read(), task.id).status == "done"
    assert [r["n"] for r in work.runs] == [7, 7]


def test_progress_is_written_to_the_project_now_and_then(
    runner: TaskRunner, work: Work, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskservice, "PERSIST_EVERY", 0.0)
    task = runner.submit("work", {})
    assert work.started.wait(5)
    stored = taskstore.load_task(project.read(), task.id)
    assert (stored.done, stored.total, stored.message) == (1, 4, "first step")
    work.gate.set()


def test_check_folder(tmp_path: Path) -> None:
    assert check_folder(str(tmp_path)) == str(tmp_path.resolve())
    (tmp_path / "f.txt").write_text("x")
    for given, words in (
        (str(tmp_path / "f.txt"), "is a file"),
        (str(tmp_path / "nope"), "does not exist"),
        ("relative", "full path"),
        ("", "Give the folder"),
        (3, "Give the folder"),
        ("/a\x00", "NUL"),
    ):
        with pytest.raises(InvalidInput, match=words):
            check_folder(given)


def test_a_stored_task_of_an_unknown_kind_fails_with_a_sentence(
    project: Project, work: Work
) -> None:
    with project.write() as conn:
        task = taskstore.save_task(conn, "teleport", {})
    runner = TaskRunner(project, kinds={"work": TaskKind(work.check, work.run)})
    runner.start()
    assert runner.wait_idle(10)
    runner.stop()
    failed = taskstore.load_task(project.read(), task.id)
    assert failed.status == "failed" and "kind 'teleport'" in (failed.error or "")


def test_a_second_process_on_the_project_neither_steals_nor_runs_the_queue(
    project: Project, work: Work, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(taskservice, "POLL_EVERY", 0.02)
    monkeypatch.setattr(taskservice, "FOLLOW_EVERY", 0.02)
    kinds = {"work": TaskKind(work.check, work.run)}
    first = TaskRunner(project, kinds=kinds)
    first.start()
    task = first.submit("work", {"n": 1})
    assert work.started.wait(5)
    with open_project(project.root) as other:  # what a second server opens
        second = TaskRunner(other, kinds=kinds)
        assert second.start() == []  # the running task is not put back in the queue
        assert first.owns_queue and not second.owns_queue
        queued = second.submit("work", {"n": 2})
        assert taskstore.load_task(project.read(), task.id).status == "running"
        seen = second.version
        second.cancel(task.id)  # asked through the project; the first one stops it
        deadline = time.monotonic() + 10
        while second.get(task.id).status != "cancelled" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert second.get(task.id).status == "cancelled"
        work.gate.set()
        assert first.wait_idle(10)
        assert second.get(queued.id).status == "done"
        deadline = time.monotonic() + 10  # the second follows what the first stores
        while second.version == seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert second.version > seen
        assert [r["n"] for r in work.runs] == [1, 2]  # each ran once, both by the first
        first.stop()
        work.gate.clear()
        work.started.clear()
        later = second.submit("work", {"n": 3})  # the first is gone: the second takes over
        assert work.started.wait(5) and second.owns_queue
        work.gate.set()
        assert second.wait_idle(10)
        second.stop()
    assert taskstore.load_task(project.read(), later.id).status == "done"
