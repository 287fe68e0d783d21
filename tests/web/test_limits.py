"""Requests at the edges of what SQLite, floats and CSV can hold: each answers a 4xx (or 503
for a locked database) with one sentence, never a 500. Real app, real HTTP, real SQLite."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import Corpus, error, ok, open_project, wait_tasks

from corpuscope.services import csv_io
from corpuscope.store import db
from corpuscope.store.db import open_project as open_store
from corpuscope.store.properties import load_property
from corpuscope.store.tags import list_tags, save_tag


def by_path(corpus: Corpus) -> dict[str, int]:
    page = ok(corpus.post("/images/query", {"limit": 1000}))
    return {item["path"]: item["id"] for item in page["items"]}


def test_a_filter_naming_a_thousand_tags(corpus: Corpus) -> None:
    """SQLite refuses expressions deeper than 1,000 terms; the filter is one set instead."""
    kind = ok(corpus.post("/properties", {"name": "Kind", "type": "multi_tags"}), 201)["id"]
    with open_store(corpus.root) as project, project.write() as conn:
        prop = load_property(conn, kind)
        tags = [save_tag(conn, prop, f"t{n}").id for n in range(1000)]
    ids = by_path(corpus)
    ok(
        corpus.post(
            f"/properties/{kind}/values/add-tags", {"ids": [ids["a/0.jpg"]], "tags": tags[:2]}
        )
    )
    ok(
        corpus.post(
            f"/properties/{kind}/values/add-tags", {"ids": [ids["b/3.png"]], "tags": [tags[-1]]}
        )
    )

    def matching(op: str, chosen: list[int]) -> list[str]:
        body = {"filter": {"conditions": [{"property": kind, "op": op, "tags": chosen}]}}
        return [item["path"] for item in ok(corpus.post("/images/query", body))["items"]]

    assert matching("any", tags) == ["a/0.jpg", "b/3.png"]
    assert matching("none", tags) == ["a/1.jpg", "a/2.jpg", "b/4.png", "b/5.png"]
    assert matching("all", tags) == []
    assert matching("all", tags[:2]) == ["a/0.jpg"]


@pytest.mark.parametrize("key", [2**63, 2**64, -(2**63) - 1])
def test_group_keys_past_sqlites_integers(corpus: Corpus, key: int) -> None:
    kind = ok(corpus.post("/properties", {"name": "Kind", "type": "tag"}), 201)["id"]
    year = ok(corpus.post("/properties", {"name": "Year", "type": "number"}), 201)["id"]
    assert "no tag" in error(
        corpus.post("/grouping/members", {"levels": [kind], "key": [key]}), 404
    )
    assert "no folder" in error(
        corpus.post("/grouping/member-ids", {"levels": ["folder"], "key": [key]}), 404
    )
    assert ok(corpus.post("/grouping/members", {"levels": [year], "key": [key]}))["total"] == 0


def test_numbers_past_what_a_float_holds(corpus: Corpus) -> None:
    year = ok(corpus.post("/properties", {"name": "Year", "type": "number"}), 201)["id"]
    ids = list(by_path(corpus).values())
    huge = 10**400
    assert "too large" in error(
        corpus.post(f"/properties/{year}/values/set", {"ids": ids[:1], "value": huge}), 422
    )
    condition = {"property": year, "op": "gt", "value": huge}
    assert "too large" in error(
        corpus.post("/images/query", {"filter": {"conditions": [condition]}}), 422
    )
    assert "finite" in error(
        corpus.post(f"/properties/{year}/values/set", {"ids": ids[:1], "value": "1e999"}), 422
    )
    rows = ok(corpus.post("/images/query", {"properties": [year]}))["items"]
    assert all(not item["values"] for item in rows)


def _csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_csv_cells_longer_than_pythons_default_limit(corpus: Corpus) -> None:
    long_note = "word " * 40_000  # 200,000 characters: past csv's default 131,072
    body = _csv(
        ["folder", "path", "sha1", "Note [text, image]"],
        [str(corpus.photos), "a/0.jpg", "", long_note],
    )
    summary = ok(corpus.post("/import-csv", content=body, headers={"Content-Type": "text/csv"}))
    assert summary["values"] == 1
    note = (
        ok(corpus.get("/properties"))[-1]["id"]
        if isinstance(ok(corpus.get("/properties")), list)
        else None
    )
    del note
    exported = corpus.get("/export.csv").text
    assert long_note in exported
    too_long = "x" * (csv_io.MAX_CELL + 1)
    body = _csv(
        ["folder", "path", "sha1", "Note [text, image]"],
        ["f", "a/1.jpg", "", "ok"],
        ["f", "p", "", too_long],
    )
    message = error(
        corpus.post("/import-csv", content=body, headers={"Content-Type": "text/csv"}), 422
    )
    assert message == "Line 3 of the CSV file has a cell longer than 16,777,216 characters."


def test_exporting_a_project_whose_folder_name_is_not_latin1(
    client: TestClient, tmp_path: Path
) -> None:
    name = 'Проект 東京 ü "quoted"'
    pid = open_project(client, tmp_path / name)
    response = client.get(f"/api/projects/{pid}/export.csv")
    assert response.status_code == 200, response.text
    header = response.headers["content-disposition"]
    assert header.startswith("attachment; filename=")
    header.encode("latin-1")  # what HTTP headers must be
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded, encoding="utf-8") == f"{name}.csv"


def test_a_database_another_program_keeps_locked(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock past the wait: 503 with Retry-After and a sentence;
    reads go on (WAL), and the write works once the lock is gone."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_S", 0.2)
    corpus.client.post(f"/api/projects/{corpus.pid}/close")
    reopened = open_project(corpus.client, corpus.root)  # connections made with the short wait
    other = sqlite3.connect(corpus.root / "project.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        url = f"/api/projects/{reopened}/properties"
        response = corpus.client.post(url, json={"name": "Kind", "type": "tag"})
        assert response.status_code == 503, response.text
        assert int(response.headers["retry-after"]) > 0
        assert "try again" in response.json()["detail"]
        assert ok(corpus.client.get(f"/api/projects/{reopened}"))["images"] == 6
    finally:
        other.execute("ROLLBACK")
        other.close()
    ok(
        corpus.client.post(
            f"/api/projects/{reopened}/properties", json={"name": "Kind", "type": "tag"}
        ),
        201,
    )


def _links(root: Path, prop_name: str) -> set[tuple[str, str]]:
    with open_store(root) as project:
        conn = project.read()
        tags = {tag.id: tag for tag in list_tags(conn, load_property(conn, prop_name).id)}
    return {(tag.name, tags[parent].name) for tag in tags.values() for parent in tag.parents}


@pytest.mark.parametrize("shape", ["2^40 paths", "1,100 levels"])
def test_csv_export_of_a_hierarchy_whose_paths_explode_or_go_deep(
    client: TestClient, corpus: Corpus, tmp_path: Path, shape: str
) -> None:
    """Every parent link comes back through the CSV, in a file of reasonable size."""
    kind = ok(corpus.post("/properties", {"name": "Kind", "type": "multi_tags"}), 201)["id"]
    with open_store(corpus.root) as project, project.write() as conn:
        prop = load_property(conn, kind)
        if shape == "2^40 paths":  # 40 levels of two tags, each under both tags above
            above: list[int] = []
            for level in range(41):
                count = 1 if level == 40 else 2
                above = [
                    save_tag(conn, prop, f"L{level}-{n}", parents=above).id for n in range(count)
                ]
        else:
            above = []
            for level in range(1100):
                above = [save_tag(conn, prop, f"L{level}", parents=above).id]
        bottom = above[0]
    ids = by_path(corpus)
    ok(
        corpus.post(
            f"/properties/{kind}/values/add-tags", {"ids": [ids["a/0.jpg"]], "tags": [bottom]}
        )
    )
    response = corpus.get("/export.csv")
    assert response.status_code == 200, response.text
    assert len(response.content) < 2_000_000
    other = open_project(client, tmp_path / "copy")
    ok(client.post(f"/api/projects/{other}/folders", json={"path": str(corpus.photos)}), 202)
    wait_tasks(client, other)
    summary = ok(
        client.post(
            f"/api/projects/{other}/import-csv",
            content=response.content,
            headers={"Content-Type": "text/csv"},
        )
    )
    assert summary["unmatched"] == 0
    assert _links(tmp_path / "copy", "Kind") == _links(corpus.root, "Kind")
