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
    return _imported_names(path.read_text())


def _imported_names(source: str) -> set[str]:
    """Every module a source imports; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be
    a module: ``from corpuscope import store``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _store_imports(source: str) -> list[str]:
    return sorted(
        name
        for name in _imported_names(source)
        if name == "corpuscope.store" or name.startswith("corpuscope.store.")
    )


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


def test_cli_and_web_call_services_never_the_store() -> None:
    """The edges (commands, routes, their dependencies) parse, call services and format: the
    store's functions and records reach them only through ``corpuscope.services``."""
    offenders = {
        str(path.relative_to(SRC)): _store_imports(path.read_text())
        for folder in ("cli", "web")
        for path in _modules(SRC / folder)
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
    assert _store_imports("from corpuscope.store.journal import list_journal") != []
    assert _store_imports("from corpuscope import store") != []
    assert _store_imports("import corpuscope.store.db as db") != []
    assert _store_imports("from corpuscope.services.projects import Project") == []
    assert _store_imports("from corpuscope.storefront import x") == []
