"""Worker processes end with their owner, even when the owner is killed outright."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import time
from pathlib import Path

import pytest

from corpuscope.lifeline import end_with, is_alive

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _sleep_forever(owner: int) -> None:
    end_with(owner)
    time.sleep(120)


def _wait_gone(pid: int, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds  # generous for a busy machine; it takes ~0.5 s
    while time.monotonic() < deadline and is_alive(pid):
        time.sleep(0.05)
    return not is_alive(pid)


def test_is_alive_tells_running_reaped_and_zombie_processes_apart() -> None:
    child = subprocess.Popen(["sleep", "30"])
    assert is_alive(child.pid)
    child.send_signal(signal.SIGKILL)
    assert _wait_gone(child.pid)  # killed but not reaped yet: a zombie counts as gone
    child.wait()
    assert not is_alive(child.pid)


def test_a_worker_ends_when_its_owner_is_killed() -> None:
    owner = subprocess.Popen(["sleep", "60"])
    worker = multiprocessing.get_context("spawn").Process(
        target=_sleep_forever, args=(owner.pid,), daemon=True
    )
    worker.start()
    try:
        time.sleep(1.0)
        assert worker.is_alive()  # the owner lives: the worker stays
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        worker.join(60)
        assert not worker.is_alive() and worker.exitcode == 1
    finally:
        worker.kill()
        owner.kill()
