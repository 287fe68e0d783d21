"""Properties: the named columns a user annotates images (or file instances) with."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal, cast

from corpuscope.errors import Conflict, InvalidInput, NotFound

PropertyType = Literal["tag", "multi_tags", "text", "number", "date", "url", "checkbox", "color"]
PropertyMode = Literal["image", "instance"]
PROPERTY_TYPES: tuple[PropertyType, ...] = (
    "tag", "multi_tags", "text", "number", "date", "url", "checkbox", "color",
)  # fmt: skip
TAG_TYPES: tuple[PropertyType, ...] = ("tag", "multi_tags")
PROPERTY_MODES: tuple[PropertyMode, ...] = ("image", "instance")
#: Properties holding metadata read from the files have ids from here on (one per field), so
#: the user's own properties keep numbering 1, 2, 3... and come first in every list.
METADATA_IDS = 1_000_000_000


@dataclass(frozen=True)
class Property:
    id: int
    name: str
    type: PropertyType
    mode: PropertyMode
    #: The metadata field it holds (read from the files at import, read-only), or None.
    metadata: str | None = None

    @property
    def is_tags(self) -> bool:
        return self.type in TAG_TYPES

    @property
    def read_only(self) -> bool:
        return self.metadata is not None


def _property(row: sqlite3.Row) -> Property:
    return Property(
        row["id"],
        row["name"],
        cast(PropertyType, row["type"]),
        cast(PropertyMode, row["mode"]),
        row["metadata_field"],
    )


def check_name(name: str, what: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"A {what} name cannot be empty.")
    if len(cleaned) > 200:
        raise InvalidInput(f"A {what} name can have at most 200 characters.")
    return cleaned


def save_property(
    conn: sqlite3.Connection, name: str, type_: str, mode: str, *, property_id: int | None = None
) -> Property:
    name = check_name(name, "property")
    if type_ not in PROPERTY_TYPES:
        raise InvalidInput(
            f"Unknown property type {type_!r}; use one of {', '.join(PROPERTY_TYPES)}."
        )
    if mode not in PROPERTY_MODES:
        raise InvalidInput(f"Unknown property mode {mode!r}; use 'image' or 'instance'.")
    if find_property(conn, name) is not None:
        raise Conflict(
            f"A property named {name!r} already exists.",
            code="property.exists",
            params={"name": name},
        )
    if property_id is None:
        property_id = next_property_id(conn)
    row = conn.execute(
        "INSERT INTO properties (id, name, type, mode) VALUES (?, ?, ?, ?) RETURNING *",
        (property_id, name, type_, mode),
    ).fetchone()
    return _property(row)


def find_property(conn: sqlite3.Connection, name: str) -> Property | None:
    row = conn.execute("SELECT * FROM properties WHERE name = ?", (" ".join(name.split()),))
    found = row.fetchone()
    return None if found is None else _property(found)


def load_property(conn: sqlite3.Connection, ref: int | str) -> Property:
    """A property by id, or by name (case-insensitive)."""
    if isinstance(ref, int):
        try:
            row = conn.execute("SELECT * FROM properties WHERE id = ?", (ref,)).fetchone()
        except OverflowError:  # past SQLite's integers: no such property
            row = None
        if row is not None:
            return _property(row)
        raise NotFound(
            f"There is no property with id {ref}.",
            code="property.not_found",
            params={"property": ref},
        )
    found = find_property(conn, ref)
    if found is None:
        raise NotFound(
            f"There is no property named {ref!r}.",
            code="property.not_found",
            params={"property": ref},
        )
    return found


def list_properties(conn: sqlite3.Connection) -> list[Property]:
    return [_property(row) for row in conn.execute("SELECT * FROM properties ORDER BY id")]


def unique_property_name(conn: sqlite3.Connection, base: str) -> str:
    """``base``, or ``base (2)``, ``base (3)``... whichever is free."""
    name, number = check_name(base, "property"), 1
    while find_property(conn, name) is not None:
        number += 1
        name = f"{base} ({number})"
    return name


def rename_property(conn: sqlite3.Connection, prop: Property, name: str) -> Property:
    name = check_name(name, "property")
    other = find_property(conn, name)
    if other is not None and other.id != prop.id:
        raise Conflict(
            f"A property named {name!r} already exists.",
            code="property.exists",
            params={"name": name},
        )
    conn.execute("UPDATE properties SET name = ? WHERE id = ?", (name, prop.id))
    return Property(prop.id, name, prop.type, prop.mode, prop.metadata)


def delete_property(conn: sqlite3.Connection, prop: Property) -> None:
    """Delete a property; its tags and values go with it (foreign keys cascade)."""
    conn.execute("DELETE FROM properties WHERE id = ?", (prop.id,))


def next_property_id(conn: sqlite3.Connection) -> int:
    """The id the next property of the user gets (call inside the write transaction)."""
    row = conn.execute(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM properties WHERE id < ?", (METADATA_IDS,)
    )
    return int(row.fetchone()[0])
