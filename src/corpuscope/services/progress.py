"""Progress and cancel for long services: the ``report`` and ``cancel`` keyword parameters.

A service that may run for long takes ``report(done, total, message)`` (the shape of
:attr:`corpuscope.services.tasks.TaskContext.report`) and a ``cancel`` event; between its
stages it calls :func:`report_stage`, which raises :class:`~corpuscope.errors.Cancelled` once
the event is set. The task runner and the CLI's progress bars pass them in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from corpuscope.errors import Cancelled

Report = Callable[[int, int, str], None]


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise :class:`Cancelled` when ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("The work was cancelled before it finished.")


def report_stage(
    report: Report | None, cancel: threading.Event | None, done: int, total: int, message: str
) -> None:
    """Stop here if cancelled, else say how far the work has gone."""
    check_cancel(cancel)
    if report is not None:
        report(done, total, message)
