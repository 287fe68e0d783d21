"""Finding a process's helpers and waiting for them to end (Linux /proc)."""

from __future__ import annotations

import time
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
