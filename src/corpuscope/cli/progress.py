"""A rich progress bar for long commands: counts, errors and rate, on stderr."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class ProgressBar:
    """``with ProgressBar(quiet) as bar: bar.update("photos", done, total, errors)``."""

    def __init__(self, *, quiet: bool = False, unit: str = "images") -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.unit = unit
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("{task.fields[errors]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.tasks: dict[str, TaskID] = {}

    def update(self, label: str, done: int, total: int, errors: int = 0) -> None:
        if not self.enabled:
            return
        task = self.tasks.get(label)
        if task is None:
            # a folder named like markup ("[red]", "[/]") is shown as it is
            task = self.progress.add_task(escape(label), total=total, rate="", errors="")
            self.tasks[label] = task
        speed = self.progress.tasks[task].speed
        self.progress.update(
            task,
            total=total,
            completed=done,
            rate=f"{speed:.1f} {self.unit}/s" if speed else "",
            errors=f"{errors} errors" if errors else "",
        )

    def report(self, done: int, total: int, message: str) -> None:
        """A service's ``report(done, total, message)``: one bar, described by the stage."""
        if not self.enabled:
            return
        task = self.tasks.get("")
        if task is None:
            task = self.progress.add_task(message, total=total, rate="", errors="")
            self.tasks[""] = task
        self.progress.update(task, description=message, total=total, completed=done)

    def __enter__(self) -> ProgressBar:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.enabled:
            self.progress.stop()
