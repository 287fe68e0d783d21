"""Metadata from the image files (date taken, camera, GPS position, captions) at import.

The importer reads it with each new or changed file (:mod:`corpuscope.ingest.metadata`) and
saves it with the file's record. Images imported before, or read by an older reader, are read
again by :func:`refresh_metadata` when their folder is re-imported: only the file's header is
read, not its pixels. The values live in read-only properties: filtered, sorted, grouped and
exported like any other, never edited by hand.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from corpuscope.errors import Conflict
from corpuscope.ingest.metadata import METADATA_VERSION, Metadata, read_file_metadata
from corpuscope.ingest.records import FileRecord
from corpuscope.services.paths import source_path
from corpuscope.store.db import Project
from corpuscope.store.folders import Folder
from corpuscope.store.metadata import list_images_to_read, save_image_metadata
from corpuscope.store.metadata import save_record_metadata as _save_records
from corpuscope.store.properties import Property

REFRESH_BATCH = 500


def save_record_metadata(conn: sqlite3.Connection, records: Iterable[FileRecord]) -> None:
    """Inside the import's write transaction: the metadata read with a batch of files."""
    _save_records(conn, records, version=METADATA_VERSION)


def refresh_metadata(
    project: Project, folder: Folder, root: Path, *, cancel: threading.Event | None = None
) -> int:
    """Read the metadata of the folder's images that no reader (or an older one) has read;
    returns how many images were read. A file that cannot be opened is left for the next time."""
    todo = list_images_to_read(project.read(), folder.id, version=METADATA_VERSION)
    done = 0
    for start in range(0, len(todo), REFRESH_BATCH):
        if cancel is not None and cancel.is_set():
            break
        items: list[tuple[int, Metadata]] = []
        for image_id, rel_path in todo[start : start + REFRESH_BATCH]:
            found = read_file_metadata(source_path(root, rel_path))
            if found is not None:
                items.append((image_id, found))
        with project.write() as conn:
            save_image_metadata(conn, items, version=METADATA_VERSION)
        done += len(items)
    return done


def ensure_editable(prop: Property) -> None:
    """Refuse to change a property that holds metadata read from the files."""
    if prop.read_only:
        raise Conflict(
            f"{prop.name!r} is read from the image files at import and cannot be changed; "
            "re-import the folder to read it again."
        )
