"""The layering rules of ARCHITECTURE.md, checked on the source."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "corpuscope"
FORBIDDEN_IN_ANALYSIS = (
    "corpuscope.store",
    "corpuscope.web",
    "corpuscope.services",
    "sqlite3",
    "fastapi",
)
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TEMP\s+)?TABLE|PRAGMA)\b",
    re.S,
)


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _strings(path: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_analysis_imports_no_store_web_sqlite_or_fastapi() -> None:
    offenders = {
        str(path.relative_to(SRC)): sorted(
            name for name in _imports(path) if name.startswith(FORBIDDEN_IN_ANALYSIS)
        )
        for path in _modules(SRC / "analysis")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_ingest_and_embed_write_no_sql() -> None:
    for folder in ("ingest", "embed", "analysis"):
        for path in _modules(SRC / folder):
            assert not {"sqlite3", "corpuscope.store"} & {
                name.split(".")[0] if name == "sqlite3" else ".".join(name.split(".")[:2])
                for name in _imports(path)
            }, path


def test_sql_appears_only_in_the_store() -> None:
    offenders = [
        f"{path.relative_to(SRC)}: {text[:60]!r}"
        for path in _modules(SRC)
        if "store" not in path.relative_to(SRC).parts
        for text in _strings(path)
        if SQL.search(text)
    ]
    assert offenders == []


def test_the_checks_would_catch_a_violation() -> None:
    assert SQL.search("SELECT id FROM images WHERE sha1 = ?")
    assert SQL.search("INSERT OR IGNORE INTO tags VALUES (?)")
    assert not SQL.search("Select the images you want to delete from the grid.")
