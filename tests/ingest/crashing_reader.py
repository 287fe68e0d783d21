"""A reader that kills its worker process on files named ``crash*``, as a crashing codec would."""

from __future__ import annotations

import os
from pathlib import Path

from corpuscope.ingest.reader import ReadSettings, read_file
from corpuscope.ingest.records import FileRecord
from corpuscope.ingest.scan import ScannedFile


def crash_on_name(root: Path, scanned: ScannedFile, settings: ReadSettings) -> FileRecord:
    if Path(scanned.rel_path).name.startswith("crash"):
        os._exit(11)
    return read_file(root, scanned, settings)
