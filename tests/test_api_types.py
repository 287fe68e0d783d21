"""The front-end's API types (``frontend/src/api/schema.d.ts``) are those of the API as it is."""

from __future__ import annotations

import difflib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "frontend" / "scripts" / "dump_openapi.py"
COMMITTED = ROOT / "frontend" / "src" / "api" / "schema.d.ts"
TOOL = ROOT / "frontend" / "node_modules" / ".bin" / "openapi-typescript"


def test_schema_types_are_regenerated_after_an_api_change(tmp_path: Path) -> None:
    """The types made now, the way ``npm run gen:api`` makes them, equal the committed file."""
    assert TOOL.exists(), "openapi-typescript is missing: run `make setup` (it installs frontend/)."
    fresh = tmp_path / "schema.d.ts"
    subprocess.run(
        [sys.executable, str(SCRIPT), str(tmp_path / "openapi.json"), "--types", str(fresh)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    made, committed = fresh.read_text(encoding="utf-8"), COMMITTED.read_text(encoding="utf-8")
    diff = difflib.unified_diff(
        committed.splitlines(), made.splitlines(), "committed", "made now", lineterm="", n=1
    )
    assert made == committed, (
        "frontend/src/api/schema.d.ts is stale: the API changed since it was generated. Run "
        "`cd frontend && npm run gen:api` and commit the result.\n" + "\n".join(list(diff)[:40])
    )
