"""The project on disk: one folder holding ``project.db`` plus derived files.

One writer connection (every write transaction starts with ``BEGIN IMMEDIATE``), separate
reader connections (one per thread), WAL journal, foreign keys on. Opening a project applies
the named migrations it lacks; a project made by a newer corpuscope is refused.

A reader connection is in autocommit mode: each query sees the latest commit. A service that
reads several tables to build one answer reads them in one snapshot instead
(:meth:`Project.snapshot`, or the :func:`in_one_snapshot` decorator), so that a write committed
in between (a merge, an undo) never shows half of itself (a value whose tag is not listed).
"""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from corpuscope.errors import ProjectError
from corpuscope.store.migrations import (
    apply_migrations,
    check_migrations,
    is_corpuscope_database,
)

P = ParamSpec("P")
R = TypeVar("R")
DB_NAME = "project.db"
#: How long a query waits for a lock another process holds before "database is locked"
#: (which the web app answers with 503 and Retry-After).
BUSY_TIMEOUT_S = 30.0
THUMBS_DIR = "thumbnails"
CACHE_DIR = "cache"


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    else:
        conn = sqlite3.connect(
            path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S
        )
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.row_factory = sqlite3.Row
    return conn


class Project:
    """An open project folder. Use :func:`open_project` or :func:`create_project`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.db_path = root / DB_NAME
        self._writer = _connect(self.db_path)
        self._writer.execute("PRAGMA journal_mode = WAL")
        self._writer.execute("PRAGMA synchronous = NORMAL")
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    @property
    def thumbs_dir(self) -> Path:
        return self.root / THUMBS_DIR

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on error)."""
        with self._write_lock:
            conn = self._writer
            if conn.in_transaction:  # nested use joins the outer transaction
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def read(self) -> sqlite3.Connection:
        """A reader connection owned by the calling thread (autocommit, sees committed data)."""
        conn: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if conn is None:
            conn = _connect(self.db_path)
            conn.execute("PRAGMA query_only = ON")
            self._local.reader = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """This thread's reader inside one read transaction: every query in the block (and in
        the functions it calls through :meth:`read`) sees the same committed state, whatever
        writers commit meanwhile. Nested use joins the outer snapshot."""
        conn = self.read()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")  # read only: this just ends the snapshot

    def close(self) -> None:
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
        self._local = threading.local()
        with self._write_lock:
            self._writer.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def in_one_snapshot(
    function: Callable[Concatenate[Project, P], R],
) -> Callable[Concatenate[Project, P], R]:
    """Run a read-only service (its first argument the project) in one snapshot."""

    @functools.wraps(function)
    def wrapper(project: Project, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with project.snapshot():
            return function(project, *args, **kwargs)

    return wrapper


def is_project(root: Path) -> bool:
    return (root / DB_NAME).is_file()


def create_project(root: Path) -> Project:
    """Create a project in ``root`` (made if needed); opening an existing one is fine too."""
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a folder.")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProjectError(f"Cannot create the project folder {root}: {error.strerror}.") from None
    return _open(root)


def open_project(root: Path) -> Project:
    """Open an existing project, migrating it if it was made by an older corpuscope."""
    if not is_project(root):
        raise ProjectError(
            f"{root} is not a corpuscope project (no {DB_NAME}); create one with `corpuscope init`."
        )
    return _open(root)


def _open(root: Path) -> Project:
    db_path = root / DB_NAME
    if db_path.exists():
        probe = _connect(db_path)
        try:
            if not is_corpuscope_database(probe):
                raise ProjectError(
                    f"{db_path} was made by another program, not by corpuscope; choose another "
                    "folder for the project (corpuscope leaves that database alone)."
                )
            check_migrations(probe)
        except sqlite3.DatabaseError:
            raise ProjectError(f"{db_path} is not a readable SQLite database.") from None
        finally:
            probe.close()
    try:
        project = Project(root)
    except sqlite3.Error as error:
        raise ProjectError(f"Cannot open {db_path}: {error}.") from None
    with project.write() as conn:
        apply_migrations(conn)
    project.thumbs_dir.mkdir(exist_ok=True)
    project.cache_dir.mkdir(exist_ok=True)
    return project
