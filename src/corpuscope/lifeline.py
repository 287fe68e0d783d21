"""Worker processes that end with the process they work for.

A process pool's worker waits on pipes for work and writes its results back. If the process
that started the pool is killed (SIGKILL, the out-of-memory killer), nothing closes those pipes
for certain: a fork server's workers share them with their siblings, and a worker in the middle
of writing a large result blocks on a full pipe. Such workers would wait for ever, holding
memory. :func:`end_with`, given to a pool as its ``initializer``, makes each worker check every
half second that its owner is still there and exit when it is not.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

CHECK_EVERY = 0.5  # seconds


def end_with(owner: int) -> None:
    """Start a daemon thread that ends this process as soon as process ``owner`` is gone."""

    def watch() -> None:
        while is_alive(owner):
            time.sleep(CHECK_EVERY)
        os._exit(1)

    threading.Thread(target=watch, name="corpuscope-lifeline", daemon=True).start()


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the id now belongs to another user's process
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (macOS), or the process has just gone
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]
