"""Which files the server may send: only regular files inside the project's own folders.

A path stored at import can later be swapped for a symbolic link to anywhere (``~/.ssh/id_rsa``,
``/etc/shadow``): the server resolves the path as it is now and sends the file only when its
real location is a regular file inside a folder the project imported (thumbnails: inside the
project's thumbnail folder). Everything else is a 404 with a sentence.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from corpuscope.errors import NotFound


def resolve_served_file(location: Path, stored_path: str, *, roots: Sequence[str | Path]) -> Path:
    """The real path of the file at ``location`` (recorded as ``stored_path`` in its folder), if
    it is a regular file inside one of ``roots`` (the project's imported folders); ``NotFound``
    otherwise."""
    relative = PurePosixPath(stored_path)
    if relative.is_absolute() or ".." in relative.parts:
        raise NotFound("This file's recorded path leads outside its folder; it is not served.")
    return resolve_inside(location, roots=roots)


def resolve_inside(path: Path, *, roots: Sequence[str | Path]) -> Path:
    """``path`` with every link resolved, when that is a regular file inside one of ``roots``."""
    try:
        real = Path(os.path.realpath(path, strict=True))
        mode = os.stat(real).st_mode
    except OSError:
        raise NotFound(
            f"The file {path.name} is not on disk any more; re-import its folder."
        ) from None
    if not any(real.is_relative_to(os.path.realpath(root)) for root in roots):
        raise NotFound(
            f"The file {path.name} now leads outside the project's folders (a symbolic link "
            "changed since the import?); it is not served."
        )
    if not stat.S_ISREG(mode):
        raise NotFound(f"{path.name} is not a regular file; it is not served.")
    return real
