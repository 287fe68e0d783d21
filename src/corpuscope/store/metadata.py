"""Metadata read from the image files, stored as the values of read-only properties.

A metadata property names the field it holds (``properties.metadata_field``); it is created the
first time an imported image has a value for that field, with the id ``METADATA_IDS`` + the
field's number (so the same field has the same id in every project). Saving an image's metadata replaces
all its metadata values (a re-import refreshes them) and records the reader's version on the
image, so images read by an older reader (or by none) can be found and read again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from corpuscope.ingest.metadata import FIELDS, Metadata
from corpuscope.ingest.records import FileRecord
from corpuscope.store.properties import (
    METADATA_IDS,
    Property,
    list_properties,
    save_property,
    unique_property_name,
)


def list_metadata_properties(conn: sqlite3.Connection) -> dict[str, Property]:
    """Field key -> its property, for the fields some image has had a value for."""
    return {prop.metadata: prop for prop in list_properties(conn) if prop.metadata is not None}


def _ensure_properties(
    conn: sqlite3.Connection, keys: Iterable[str], known: dict[str, Property]
) -> None:
    wanted = set(keys) - set(known)
    for number, field in enumerate(FIELDS, start=1):
        if field.key not in wanted:
            continue
        prop = save_property(
            conn,
            unique_property_name(conn, field.name),
            field.type,
            "image",
            property_id=METADATA_IDS + number,
        )
        conn.execute("UPDATE properties SET metadata_field = ? WHERE id = ?", (field.key, prop.id))
        known[field.key] = Property(prop.id, prop.name, prop.type, prop.mode, field.key)


def save_image_metadata(
    conn: sqlite3.Connection, items: Sequence[tuple[int, Metadata]], *, version: int
) -> None:
    """Replace the metadata values of images (``(image id, metadata)`` pairs)."""
    if not items:
        return
    known = list_metadata_properties(conn)
    _ensure_properties(conn, {key for _, found in items for key in found}, known)
    ids = [(image_id,) for image_id, _ in items]
    conn.executemany(
        "DELETE FROM image_values WHERE image_id = ? AND property_id IN "
        "(SELECT id FROM properties WHERE metadata_field IS NOT NULL)",
        ids,
    )
    conn.executemany(
        "INSERT INTO image_values (property_id, image_id, value) VALUES (?, ?, ?)",
        (
            (known[key].id, image_id, value)
            for image_id, found in items
            for key, value in found.items()
            if key in known
        ),
    )
    conn.executemany(
        "UPDATE images SET metadata_version = ? WHERE id = ?",
        ((version, image_id) for image_id, _ in items),
    )


def load_image_ids_by_sha1(conn: sqlite3.Connection, sha1s: Sequence[str]) -> dict[str, int]:
    rows = conn.execute(
        "SELECT sha1, id FROM images WHERE sha1 IN (SELECT value FROM json_each(?))",
        (json.dumps(list(sha1s)),),
    )
    return {str(sha1): int(image_id) for sha1, image_id in rows}


def list_images_to_read(
    conn: sqlite3.Connection, folder_id: int, *, version: int
) -> list[tuple[int, str]]:
    """``(image id, relative path)`` of an ok file in the folder for each image whose metadata
    was read by no reader or an older one."""
    rows = conn.execute(
        """SELECT images.id, MIN(files.path) FROM images
           JOIN files ON files.image_id = images.id
           WHERE files.folder_id = ? AND files.status = 'ok'
             AND (images.metadata_version IS NULL OR images.metadata_version < ?)
           GROUP BY images.id ORDER BY images.id""",
        (folder_id, version),
    )
    return [(int(image_id), str(path)) for image_id, path in rows]


def load_positions(conn: sqlite3.Connection) -> list[tuple[int, float, float]]:
    """``(image id, latitude, longitude)`` of the images whose files hold a GPS position."""
    rows = conn.execute(
        """SELECT lat.image_id, lat.value, lon.value FROM image_values lat
           JOIN properties plat ON plat.id = lat.property_id AND plat.metadata_field = 'latitude'
           JOIN image_values lon ON lon.image_id = lat.image_id
           JOIN properties plon ON plon.id = lon.property_id AND plon.metadata_field = 'longitude'
           ORDER BY lat.image_id"""
    )
    return [(int(image_id), float(lat), float(lon)) for image_id, lat, lon in rows]


def save_record_metadata(
    conn: sqlite3.Connection, records: Iterable[FileRecord], *, version: int
) -> None:
    """Save the metadata the import read with a batch of files (images read without it wait
    for the next import)."""
    read = [
        record.image for record in records if record.image and record.image.metadata is not None
    ]
    if not read:
        return
    ids = load_image_ids_by_sha1(conn, [image.sha1 for image in read])
    items = {ids[image.sha1]: image.metadata for image in read if image.sha1 in ids}
    save_image_metadata(
        conn,
        [(image_id, found) for image_id, found in items.items() if found is not None],
        version=version,
    )
