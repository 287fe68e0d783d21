"""docs/api.md names every route of the API."""

from __future__ import annotations

import re
from pathlib import Path

from corpuscope.web import Settings, create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _shape(path: str) -> str:
    """``/api/projects/{pid}/tags/{tag_id}`` -> ``/tags/{}``: the part the guide shows."""
    path = re.sub(r"\{[^}]+\}", "{}", path).removeprefix("...")
    return path.removeprefix("/api/projects/{}") or path


def test_every_route_is_in_the_guide(tmp_path: Path) -> None:
    document = create_app(Settings(home=tmp_path)).openapi()
    guide = {_shape(found) for found in re.findall(r"`[A-Z]+ ([^` ?]+)", DOC.read_text())}
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if _shape(path) not in guide
    ]
    assert missing == []
