"""What reading one file produces: plain records, handed to the store by the import service."""

from __future__ import annotations

from dataclasses import dataclass

from corpuscope.ingest.metadata import Metadata


@dataclass(frozen=True)
class ImageRecord:
    """The content: identified by the SHA-1 of the file's bytes."""

    sha1: str
    width: int
    height: int
    format: str
    fingerprint: bytes | None
    metadata: Metadata | None = None  # None: not read (a re-import reads it)


@dataclass(frozen=True)
class FileRecord:
    """One file seen by an import: an image, or an error with its reason."""

    rel_path: str
    size: int
    mtime_ns: int
    sha1: str | None = None
    image: ImageRecord | None = None
    error: str | None = None
