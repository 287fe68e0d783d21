"""For tests that kill a process mid-work: its helper processes (Linux /proc), waiting for them
to end, and counting what it committed while it ran."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from corpuscope.lifeline import is_alive


def descendants(pid: int) -> list[int]:
    """Ids of the processes below ``pid``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def all_gone(pids: list[int], seconds: float = 60) -> bool:
    """Wait until none of ``pids`` runs; generous for a busy machine (they go in ~1 s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(is_alive(pid) for pid in pids):
        time.sleep(0.1)
    return not any(is_alive(pid) for pid in pids)


def count_rows(db: Path, sql: str) -> int:
    """``SELECT COUNT(*) ...`` on a project another process writes (0 before its tables exist)."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        conn.close()


def kill_when(command: list[str], ready: Callable[[], bool]) -> None:
    """Run ``command``, SIGKILL it as soon as ``ready()``, and check that it was still working,
    that it had worker processes, and that none of them outlives it."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None and not ready():
            time.sleep(0.02)
        assert process.poll() is None, "the command finished before it could be killed"
        helpers = descendants(process.pid)
        assert helpers, "the command does its work in worker processes"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert all_gone(helpers), "worker processes outlived the command"
