"""Named schema migrations, applied in order and recorded in ``schema_migrations``.

A migration is never edited once released: change the schema by appending a new one. A project
whose database records a migration this code does not know was made by a newer corpuscope and
is refused rather than risked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from corpuscope.errors import ProjectError
from corpuscope.filenames import format_name

#: A migration step: an SQL statement, or a function of the connection where SQL cannot say it.
Step = str | Callable[[sqlite3.Connection], None]
NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

FOUNDATION = (
    f"""CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        added_at TEXT NOT NULL DEFAULT {NOW},
        imported_at TEXT
    )""",
    f"""CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        sha1 TEXT NOT NULL UNIQUE,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        format TEXT NOT NULL,
        fingerprint BLOB,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    f"""CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id),
        path TEXT NOT NULL,
        size INTEGER,
        mtime_ns INTEGER,
        sha1 TEXT,
        image_id INTEGER REFERENCES images(id),
        status TEXT NOT NULL CHECK (status IN ('ok', 'error', 'missing')),
        error TEXT,
        updated_at TEXT NOT NULL DEFAULT {NOW},
        UNIQUE (folder_id, path)
    )""",
    "CREATE INDEX files_image ON files(image_id)",
    "CREATE INDEX files_sha1 ON files(sha1)",
    f"""CREATE TABLE properties (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        type TEXT NOT NULL CHECK (type IN
            ('tag', 'multi_tags', 'text', 'number', 'date', 'url', 'checkbox', 'color')),
        mode TEXT NOT NULL CHECK (mode IN ('image', 'instance')),
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    """CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        property_id INTEGER NOT NULL REFERENCES properties(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        color TEXT NOT NULL,
        UNIQUE (property_id, name)
    )""",
    """CREATE TABLE tag_parents (
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        parent_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        PRIMARY KEY (tag_id, parent_id),
        CHECK (tag_id <> parent_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX tag_parents_parent ON tag_parents(parent_id)",
    """CREATE TABLE image_values (
        property_id INTEGER NOT NULL REFERENCES properties(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id),
        value NOT NULL,
        PRIMARY KEY (property_id, image_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE file_values (
        property_id INTEGER NOT NULL REFERENCES properties(id) ON DELETE CASCADE,
        file_id INTEGER NOT NULL REFERENCES files(id),
        value NOT NULL,
        PRIMARY KEY (property_id, file_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE image_tags (
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id),
        PRIMARY KEY (tag_id, image_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX image_tags_image ON image_tags(image_id)",
    """CREATE TABLE file_tags (
        tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
        file_id INTEGER NOT NULL REFERENCES files(id),
        PRIMARY KEY (tag_id, file_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX file_tags_file ON file_tags(file_id)",
    f"""CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        scope TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
)

VECTORS = (
    f"""CREATE TABLE vector_sets (
        id INTEGER PRIMARY KEY,
        model TEXT NOT NULL,
        version TEXT NOT NULL,
        dim INTEGER NOT NULL,
        preprocessing TEXT NOT NULL,
        runtime TEXT NOT NULL DEFAULT '',
        revision INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT {NOW},
        UNIQUE (model, version)
    )""",
    """CREATE TABLE vectors (
        set_id INTEGER NOT NULL REFERENCES vector_sets(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id),
        vector BLOB NOT NULL,
        PRIMARY KEY (set_id, image_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE vector_failures (
        set_id INTEGER NOT NULL REFERENCES vector_sets(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id),
        reason TEXT NOT NULL,
        PRIMARY KEY (set_id, image_id)
    ) WITHOUT ROWID""",
)

RUNS = (
    f"""CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        parent_run_id INTEGER REFERENCES runs(id) ON DELETE CASCADE,
        parent_group_id INTEGER REFERENCES run_groups(id) ON DELETE CASCADE,
        algorithm TEXT NOT NULL,
        params TEXT NOT NULL,
        seed INTEGER,
        vector_set_id INTEGER REFERENCES vector_sets(id),
        scope TEXT NOT NULL,
        n_images INTEGER NOT NULL,
        seconds REAL,
        saved_property_id INTEGER,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX runs_parent ON runs(parent_run_id)",
    """CREATE TABLE run_groups (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('cluster', 'outliers', 'unassigned')),
        name TEXT,
        score REAL,
        stability REAL,
        similarity REAL,
        size INTEGER NOT NULL
    )""",
    "CREATE INDEX run_groups_run ON run_groups(run_id, rank)",
    """CREATE TABLE run_members (
        group_id INTEGER NOT NULL REFERENCES run_groups(id) ON DELETE CASCADE,
        image_id INTEGER NOT NULL REFERENCES images(id),
        rank INTEGER NOT NULL,
        score REAL,
        PRIMARY KEY (group_id, image_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX run_members_image ON run_members(image_id)",
    f"""CREATE TABLE refusals (
        target TEXT NOT NULL,
        image_id INTEGER NOT NULL REFERENCES images(id),
        created_at TEXT NOT NULL DEFAULT {NOW},
        PRIMARY KEY (target, image_id)
    ) WITHOUT ROWID""",
)

TASKS = (
    f"""CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        params TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN
            ('queued', 'running', 'done', 'failed', 'cancelled')),
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        result TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT {NOW},
        started_at TEXT,
        finished_at TEXT
    )""",
    "CREATE INDEX tasks_status ON tasks(status, id)",
)

# The near-duplicate fingerprint changed (layout-ycc16-v2: flat edge lines trimmed one by one).
# Old fingerprints are dropped rather than compared with new ones; the duplicates service
# computes the missing ones again from the 512-px thumbnails on its next run.
FINGERPRINT_V2 = ("UPDATE images SET fingerprint = NULL",)

# A cancel asked for by a process that does not run the queue, for the one that does.
TASK_CANCEL_REQUESTS = ("ALTER TABLE tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0",)


def _show_names_again(conn: sqlite3.Connection) -> None:
    """Give the names the shown form of corpuscope.filenames (control characters and
    escape-like backslashes written as escapes), in two passes so that no intermediate
    state repeats a name (a placeholder holds a NUL, which no file name can)."""
    controls = "char(" + ", ".join(str(code) for code in (*range(1, 32), 127)) + ")"
    for table in ("folders", "files"):
        rows = conn.execute(
            f"SELECT id, path_bytes FROM {table} "
            f"WHERE instr(path, char(92)) > 0 OR path GLOB '*[' || {controls} || ']*'"
        ).fetchall()
        changed = [(format_name(raw), id_) for id_, raw in rows]
        conn.executemany(
            f"UPDATE {table} SET path = char(0) || id WHERE id = ?", [(id_,) for _, id_ in changed]
        )
        conn.executemany(f"UPDATE {table} SET path = ? WHERE id = ?", changed)


# Folder and file names as the file system's bytes (``path_bytes``) beside the shown text
# (``path``, still the key): see corpuscope.filenames. Names stored before are UTF-8 text, so
# their bytes are their text's. A row inserted without bytes gets its text's (a trigger).
NAMES_AS_BYTES: tuple[Step, ...] = (
    "ALTER TABLE folders ADD COLUMN path_bytes BLOB",
    "ALTER TABLE files ADD COLUMN path_bytes BLOB",
    "UPDATE folders SET path_bytes = CAST(path AS BLOB)",
    "UPDATE files SET path_bytes = CAST(path AS BLOB)",
    _show_names_again,
    """CREATE TRIGGER folders_path_bytes AFTER INSERT ON folders WHEN NEW.path_bytes IS NULL
       BEGIN UPDATE folders SET path_bytes = CAST(NEW.path AS BLOB) WHERE id = NEW.id; END""",
    """CREATE TRIGGER files_path_bytes AFTER INSERT ON files WHEN NEW.path_bytes IS NULL
       BEGIN UPDATE files SET path_bytes = CAST(NEW.path AS BLOB) WHERE id = NEW.id; END""",
)
#: Marks the database file as corpuscope's (``PRAGMA application_id``, "CPSC" in the header), so
#: that a ``project.db`` made by another program is never taken for a project and changed.
APPLICATION_ID = 0x43505343
APPLICATION_MARK = (f"PRAGMA application_id = {APPLICATION_ID}",)

# The stored fingerprint gained the finer picture of near-duplicates (32 x 32 luma after the
# 385-value layout). Old fingerprints are dropped; the duplicates service computes the missing
# ones again from the 512-px thumbnails on its next run.
FINGERPRINT_DETAIL = ("UPDATE images SET fingerprint = NULL",)

# The nested levels of an automatic run (finest first), to show it finer or coarser without
# computing the graph again: the run's image ids once, then one int32 label per image and level
# (-1 = outliers); each group remembers the level it was cut from.
RUN_LEVELS = (
    "ALTER TABLE run_groups ADD COLUMN level INTEGER",
    """CREATE TABLE run_hierarchies (
        run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        image_ids BLOB NOT NULL,
        chosen INTEGER NOT NULL
    )""",
    """CREATE TABLE run_levels (
        run_id INTEGER NOT NULL REFERENCES run_hierarchies(run_id) ON DELETE CASCADE,
        level INTEGER NOT NULL,
        labels BLOB NOT NULL,
        PRIMARY KEY (run_id, level)
    ) WITHOUT ROWID""",
)

# The model a project works with (clustering, map, similar images, recommendations, search):
# one row at most; without it the project uses the default model (services/models.py).
MODEL_CHOICE = (
    f"""CREATE TABLE model_choice (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        model TEXT NOT NULL,
        chosen_at TEXT NOT NULL DEFAULT {NOW}
    )""",
)

# Standard metadata read from the files at import (EXIF, XMP, IPTC, PNG text): a property that
# holds it names its field and is read-only; an image records which reader version read it, so
# a re-import reads again the images read by none or by an older one.
METADATA = (
    "ALTER TABLE properties ADD COLUMN metadata_field TEXT",
    "CREATE UNIQUE INDEX properties_metadata_field ON properties(metadata_field) "
    "WHERE metadata_field IS NOT NULL",
    "ALTER TABLE images ADD COLUMN metadata_version INTEGER",
)

# The finer picture of near-duplicates is stored in two framings, trimmed and untrimmed
# (layout-ycc16-v4). Old fingerprints are dropped; the duplicates service computes the missing
# ones again from the 512-px thumbnails on its next run.
FINGERPRINT_FRAMINGS = ("UPDATE images SET fingerprint = NULL",)

# The project's counts (files by state, distinct images, images per folder) and its problem
# files read narrow indexes instead of every file row: 1.1 s -> a few hundred ms at a million.
FILE_STATE_INDEXES = (
    "CREATE INDEX files_state ON files(status, image_id)",
    "CREATE INDEX files_folder_image ON files(folder_id, image_id)",
)

MIGRATIONS: tuple[tuple[str, tuple[Step, ...]], ...] = (
    ("0001_foundation", FOUNDATION),
    ("0002_vectors", VECTORS),
    ("0003_runs", RUNS),
    ("0004_tasks", TASKS),
    ("0005_fingerprint_v2", FINGERPRINT_V2),
    ("0006_task_cancel_requests", TASK_CANCEL_REQUESTS),
    ("0007_names_as_bytes", NAMES_AS_BYTES),
    ("0008_application_id", APPLICATION_MARK),
    ("0009_fingerprint_detail", FINGERPRINT_DETAIL),
    ("0010_run_levels", RUN_LEVELS),
    ("0011_model_choice", MODEL_CHOICE),
    ("0013_metadata", METADATA),
    ("0014_fingerprint_framings", FINGERPRINT_FRAMINGS),
    ("0015_file_state_indexes", FILE_STATE_INDEXES),
)

_LEDGER = f"""CREATE TABLE IF NOT EXISTS schema_migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT {NOW}
)"""


def known_migrations() -> list[str]:
    return [name for name, _ in MIGRATIONS]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if exists is None:
        return []
    return [row[0] for row in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def is_corpuscope_database(conn: sqlite3.Connection) -> bool:
    """Whether corpuscope made this database: marked as its own, made before the mark existed
    (it records corpuscope's first migration), or still empty (a project being created)."""
    if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
        return True
    if conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
        return True
    return MIGRATIONS[0][0] in applied_migrations(conn)


def check_migrations(conn: sqlite3.Connection) -> None:
    """Refuse a database that records migrations this version of corpuscope does not know."""
    unknown = sorted(set(applied_migrations(conn)) - set(known_migrations()))
    if unknown:
        raise ProjectError(
            "This project was made by a newer version of corpuscope "
            f"(it has schema migration {unknown[-1]!r}); upgrade corpuscope to open it."
        )


def apply_migrations(conn: sqlite3.Connection) -> list[str]:
    """Apply missing migrations inside the caller's write transaction; return their names."""
    check_migrations(conn)
    conn.execute(_LEDGER)
    done = set(applied_migrations(conn))
    applied = []
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        for statement in statements:
            if callable(statement):
                statement(conn)
            else:
                conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
        applied.append(name)
    return applied
