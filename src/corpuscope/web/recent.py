"""The recently opened projects, remembered in a small JSON file (newest first)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from corpuscope.atomic import write_atomically

MAX_RECENT = 20


@dataclass(frozen=True)
class RecentProject:
    path: str
    opened_at: str


class RecentProjects:
    """Read and update ``recent.json``; a missing or damaged file reads as an empty list."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._lock = threading.Lock()

    def entries(self) -> list[RecentProject]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            return [RecentProject(str(item["path"]), str(item["opened_at"])) for item in data]
        except (OSError, ValueError, TypeError, KeyError):
            return []

    def remember(self, path: Path) -> None:
        """Put ``path`` first; failing to write the file only loses the list, never the project."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            kept = [entry for entry in self.entries() if entry.path != str(path)]
            entries = [RecentProject(str(path), now), *kept][:MAX_RECENT]
            self._write(entries)

    def forget(self, path: str) -> None:
        with self._lock:
            self._write([entry for entry in self.entries() if entry.path != path])

    def _write(self, entries: list[RecentProject]) -> None:
        data = [{"path": entry.path, "opened_at": entry.opened_at} for entry in entries]
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with write_atomically(self.file) as handle:
                handle.write(json.dumps(data, indent=2).encode("utf-8"))
        except OSError:
            pass
