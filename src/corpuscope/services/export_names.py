"""Folder and file names for an export: safe on every common file system, never clashing.

A group or tag name becomes a folder name without slashes, control characters or the other
characters Windows refuses, without leading or trailing dots and spaces (no hidden folders, no
``.`` or ``..``), without the names Windows reserves (``CON``, ``NUL``, ``COM1``...), and at
most 150 bytes long. Two groups whose names end up equal (ignoring case: not every file system
tells ``Cats`` from ``cats``) get ``name`` and ``name (2)``.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Sequence

#: (identity among its siblings, label): one folder of a placement
Part = tuple[object, str]

MAX_NAME_BYTES = 150
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}


def safe_name(name: str, *, fallback: str = "unnamed") -> str:
    """A group or tag name as a folder name that every common file system accepts."""
    text = " ".join(_UNSAFE.sub("_", name).split()).strip(" .")
    if not text:
        return fallback
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        text = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(" .") or fallback
    return text


def numbered(name: str, number: int) -> str:
    """``photo.jpg`` -> ``photo (2).jpg``; a folder name gets the number at its end."""
    if number == 1:
        return name
    stem, suffix = os.path.splitext(name)
    return f"{stem} ({number}){suffix}" if stem else f"{name} ({number})"


class FolderNames:
    """Safe folder names, unique among siblings (ignoring case: not every file system tells
    ``Cats`` from ``cats``), the same for the same group everywhere in one export."""

    def __init__(self) -> None:
        self.names: dict[tuple[tuple[str, ...], object], str] = {}
        self.used: dict[tuple[str, ...], set[str]] = {}

    def path(self, parts: Sequence[Part]) -> tuple[str, ...]:
        names: list[str] = []
        for identity, label in parts:
            parent = tuple(names)
            name = self.names.get((parent, identity))
            if name is None:
                used = self.used.setdefault(parent, set())
                base = safe_name(label)
                name = next(
                    candidate
                    for number in itertools.count(1)
                    if (candidate := numbered(base, number)).casefold() not in used
                )
                used.add(name.casefold())
                self.names[(parent, identity)] = name
            names.append(name)
        return tuple(names)
