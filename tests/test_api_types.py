"""The front-end's API types (``frontend/src/api/schema.d.ts``) are those of the API as it is."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "frontend" / "scripts" / "dump_openapi.py"
API = ROOT / "frontend" / "src" / "api"
FILES = ("schema.d.ts", "constants.ts")
TOOL = ROOT / "frontend" / "node_modules" / ".bin" / "openapi-typescript"


def test_schema_types_are_regenerated_after_an_api_change(tmp_path: Path) -> None:
    """The types and constants made now, as ``npm run gen:api`` makes them, equal the committed
    files."""
    assert TOOL.exists(), "openapi-typescript is missing: run `make setup` (it installs frontend/)."
    outputs = ["--types", tmp_path / FILES[0], "--constants", tmp_path / FILES[1]]
    subprocess.run(
        [sys.executable, SCRIPT, tmp_path / "openapi.json", *outputs],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for name in FILES:
        made = (tmp_path / name).read_text(encoding="utf-8")
        committed = (API / name).read_text(encoding="utf-8")
        diff = difflib.unified_diff(
            committed.splitlines(), made.splitlines(), "committed", "made now", lineterm="", n=1
        )
        assert made == committed, (
            f"frontend/src/api/{name} is stale: the API changed since it was generated. Run "
            "`cd frontend && npm run gen:api` and commit the result.\n" + "\n".join(list(diff)[:40])
        )
