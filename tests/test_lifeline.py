"""Worker processes end with their owner, even when the owner is killed outright."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpuscope.lifeline import is_alive

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


# A worker of its own: a fresh interpreter that starts the lifeline and then sleeps.
WORKER = (
    "import sys, time; from corpuscope.lifeline import end_with; "
    "end_with(int(sys.argv[1])); time.sleep(120)"
)


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
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(owner.pid)])
    try:
        time.sleep(1.5)
        assert worker.poll() is None  # the owner lives: the worker stays
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        assert worker.wait(timeout=60) == 1  # generous for a busy machine; it takes ~0.5 s
    finally:
        for process in (worker, owner):
            process.kill()
            process.wait()
