"""The projects one server holds open, each with its task runner, addressed by a stable id.

A project's id is derived from its folder's resolved path, so a bookmark of the UI keeps working
after a restart: a recent project that is not open yet is opened on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from corpuscope.errors import InvalidInput, NotFound, ProjectError
from corpuscope.services.projects import Project, create_project, is_project, open_project
from corpuscope.services.task_kinds import KINDS
from corpuscope.services.tasks import TaskRunner
from corpuscope.services.vectors import warm_vectors
from corpuscope.web.recent import RecentProjects

logger = logging.getLogger(__name__)


def _warm(project: Project) -> None:
    """Load a project's vectors and search index at low priority, so that the first search of
    a large project does not read them from disk; a failure only loses the head start."""
    if sys.platform == "linux":  # there, a thread has its own nice value
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    try:
        warm_vectors(project)
    except Exception:  # the first search loads them again, and reports what goes wrong
        logger.debug("warming the vectors of %s failed", project.root, exc_info=True)


def project_id(root: Path) -> str:
    return hashlib.sha1(str(root).encode(), usedforsecurity=False).hexdigest()[:12]


@dataclass(frozen=True)
class OpenProject:
    """``warming``: the thread loading the project's vectors ahead of the first search; the
    project is closed only once it is done (closing a connection another thread is reading
    with crashes SQLite)."""

    id: str
    root: Path
    project: Project
    runner: TaskRunner
    warming: threading.Thread | None = None


@dataclass(frozen=True)
class ProjectEntry:
    id: str
    path: str
    name: str
    open: bool
    opened_at: str | None


def check_project_path(text: str) -> Path:
    """A project folder a user typed: absolute, free of NUL characters; resolved."""
    if "\x00" in text:
        raise InvalidInput("A project path cannot contain a NUL character.")
    path = Path(text).expanduser()
    if not path.is_absolute():
        raise InvalidInput(f"Give the full path of the project folder ({text!r} is relative).")
    return path.resolve()


class ProjectHub:
    """``start``: the project the server was started with, opened first by the interface."""

    def __init__(
        self, recent: RecentProjects, *, run_tasks: bool = True, start: Path | None = None
    ) -> None:
        self.recent = recent
        self.run_tasks = run_tasks
        self.start = None if start is None else project_id(check_project_path(str(start)))
        self._open: dict[str, OpenProject] = {}
        self._lock = threading.RLock()

    def open(self, path: Path, *, create: bool = False) -> OpenProject:
        """Open (or with ``create``, create) the project in ``path``; remembered as recent."""
        root = check_project_path(str(path))
        key = project_id(root)
        with self._lock:
            found = self._open.get(key)
            if found is None:
                if not create and not is_project(root):
                    raise ProjectError(
                        f"{root} is not a corpuscope project; create one there or pick another folder."
                    )
                if create and not root.parent.is_dir():
                    raise InvalidInput(
                        f"Cannot create a project in {root}: {root.parent} does not exist."
                    )
                project = create_project(root) if create else open_project(root)
                runner = TaskRunner(project, kinds=KINDS)
                warming = None
                if self.run_tasks:
                    runner.start()
                    warming = threading.Thread(
                        target=_warm, args=(project,), name="warm-vectors", daemon=True
                    )
                    warming.start()
                self._open[key] = OpenProject(key, root, project, runner, warming)
                found = self._open[key]
        self.recent.remember(root)
        return found

    def get(self, key: str) -> OpenProject:
        """An open project by id; a recent one is opened on first use."""
        with self._lock:
            found = self._open.get(key)
            if found is not None:
                return found
            for entry in self.recent.entries():
                if project_id(Path(entry.path)) == key and is_project(Path(entry.path)):
                    return self.open(Path(entry.path))
        raise NotFound(
            f"There is no open project {key}; open it again from its folder.",
            code="project.not_open",
            params={"project": key},
        )

    def close(self, key: str) -> None:
        with self._lock:
            found = self._open.pop(key, None)
        if found is None:
            raise NotFound(
                f"There is no open project {key}.", code="project.not_open", params={"project": key}
            )
        found.runner.stop()
        if found.warming is not None:
            found.warming.join()
        found.project.close()

    def close_all(self) -> None:
        with self._lock:
            keys = list(self._open)
        for key in keys:
            self.close(key)

    def entries(self) -> list[ProjectEntry]:
        """Open projects first, then the recent ones that still exist."""
        with self._lock:
            opened = dict(self._open)
        recent = {entry.path: entry.opened_at for entry in self.recent.entries()}
        result = [
            ProjectEntry(key, str(item.root), item.root.name, True, recent.get(str(item.root)))
            for key, item in opened.items()
        ]
        for path, opened_at in recent.items():
            key = project_id(Path(path))
            if key not in opened and is_project(Path(path)):
                result.append(ProjectEntry(key, path, Path(path).name, False, opened_at))
        return result
