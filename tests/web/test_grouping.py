"""Grouping over HTTP: nested levels, the tag tree with totals, pages of one group."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import Corpus, error, ok


@pytest.fixture
def saved(corpus: Corpus) -> dict[str, Any]:
    """A saved-clustering-like property: Root > (Left, Right); Left > Deep; images on leaves."""
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]
    ok(corpus.post("/properties", {"name": "Clusters", "type": "tag"}), 201)
    tag = {}
    for name, parents in (
        ("Root", []),
        ("Left", ["Root"]),
        ("Right", ["Root"]),
        ("Deep", ["Left"]),
    ):
        body = {"name": name, "parents": [tag[p] for p in parents]}
        tag[name] = ok(corpus.post("/properties/1/tags", body), 201)["id"]
    for name, chosen in (("Deep", ids[:2]), ("Left", ids[2:3]), ("Right", ids[3:5])):
        ok(corpus.post("/properties/1/values/set", {"ids": chosen, "value": [name]}))
    ok(corpus.post("/properties", {"name": "Year", "type": "number"}), 201)
    ok(corpus.post("/properties/2/values/set", {"ids": ids[::2], "value": 1900}))
    ok(corpus.post("/properties/2/values/set", {"ids": ids[1::2], "value": 2000}))
    return {"ids": ids, "tag": tag}


def test_a_tag_level_comes_in_tree_order_with_totals(corpus: Corpus, saved: dict[str, Any]) -> None:
    result = ok(corpus.post("/grouping", {"levels": ["Clusters"]}))
    assert result["total"] == 6 and result["levels"] == ["Clusters"] and result["truncated"] == 0
    rows = [(g["label"], g["count"], g["total"], g["depth"]) for g in result["groups"]]
    assert rows == [
        ("Root", 0, 5, 0),
        ("Left", 1, 3, 1),
        ("Deep", 2, 2, 2),
        ("Right", 2, 2, 1),
        ("(no value)", 1, 1, 0),
    ]
    tag = saved["tag"]
    assert [g["parents"] for g in result["groups"][:4]] == [
        [],
        [tag["Root"]],
        [tag["Left"]],
        [tag["Root"]],
    ]
    assert result["groups"][-1]["key"] is None


def test_nested_levels_count_each_group(corpus: Corpus, saved: dict[str, Any]) -> None:
    result = ok(corpus.post("/grouping", {"levels": [2, "Clusters"]}))
    assert result["levels"] == ["Year", "Clusters"]
    years = {g["key"]: g for g in result["groups"]}
    assert [g["label"] for g in result["groups"]] == ["1900", "2000"]
    assert years[1900.0]["count"] == 3 and years[2000.0]["count"] == 3
    inner = {g["label"]: (g["count"], g["total"]) for g in years[1900.0]["children"]}
    # images 0, 2, 4 -> Deep, Left, Right
    assert inner == {"Root": (0, 3), "Left": (1, 2), "Deep": (1, 1), "Right": (1, 1)}
    inner = {g["label"]: g["count"] for g in years[2000.0]["children"]}
    assert inner == {"Root": 0, "Left": 0, "Deep": 1, "Right": 1, "(no value)": 1}


def test_grouping_by_folder_and_within_a_filter(corpus: Corpus, saved: dict[str, Any]) -> None:
    [folder] = ok(corpus.get("/folders"))
    by_folder = ok(corpus.post("/grouping", {"levels": ["folder"]}))
    assert [(g["key"], g["label"], g["count"]) for g in by_folder["groups"]] == [
        (folder["id"], folder["path"], 6)
    ]
    cond = {"property": "Year", "op": "eq", "value": 2000}
    result = ok(corpus.post("/grouping", {"levels": ["Year"], "filter": {"conditions": [cond]}}))
    assert result["total"] == 3 and [g["label"] for g in result["groups"]] == ["2000"]
    few = ok(corpus.post("/grouping", {"levels": ["Clusters"], "max_groups": 2}))
    assert len(few["groups"]) == 2 and few["truncated"] == 3


def test_members_of_a_group(corpus: Corpus, saved: dict[str, Any]) -> None:
    ids, tag = saved["ids"], saved["tag"]

    def members(**body: Any) -> list[int]:
        page = ok(corpus.post("/grouping/members", {"levels": ["Clusters"], **body}))
        return [item["id"] for item in page["items"]]

    assert members(key=[tag["Left"]]) == [ids[2]]
    assert members(key=[tag["Left"]], descendants=True) == ids[:3]
    assert (
        members(key=[tag["Root"]], descendants=True, sort={"key": "id", "descending": True})
        == ids[4::-1]
    )
    assert members(key=[None]) == [ids[5]]
    assert members(key=[tag["Root"]], descendants=True, offset=1, limit=2) == ids[1:3]
    page = ok(
        corpus.post(
            "/grouping/members", {"levels": ["Year", "Clusters"], "key": [2000, tag["Deep"]]}
        )
    )
    assert [item["id"] for item in page["items"]] == [ids[1]]
    page = ok(corpus.post("/grouping/members", {"levels": ["Year", "Clusters"], "key": [1900]}))
    assert page["total"] == 3
    [folder] = ok(corpus.get("/folders"))
    page = ok(corpus.post("/grouping/members", {"levels": ["folder"], "key": [folder["id"]]}))
    assert page["total"] == 6
    body = {"levels": ["Clusters"], "key": [tag["Root"]], "descendants": True}
    assert ok(corpus.post("/grouping/member-ids", body)) == {
        "total": 5,
        "offset": 0,
        "ids": ids[:5],
    }


@pytest.mark.parametrize(
    ("tail", "body", "status", "words"),
    [
        ("/grouping", {"levels": []}, 422, "levels"),
        ("/grouping", {"levels": [1, 2, 1]}, 422, "only once"),
        ("/grouping", {"levels": [1, 2, 1, 2, 1]}, 422, "levels"),
        ("/grouping", {"levels": ["Nope"]}, 404, "Nope"),
        ("/grouping", {"levels": [1], "max_groups": 0}, 422, "max_groups"),
        ("/grouping/members", {"levels": [1], "key": []}, 422, "key"),
        ("/grouping/members", {"levels": [1], "key": [1, 2]}, 422, "one key per"),
        ("/grouping/members", {"levels": [1], "key": ["Left"]}, 422, "tag id"),
        ("/grouping/members", {"levels": [1], "key": [999]}, 404, "999"),
        ("/grouping/members", {"levels": ["folder"], "key": ["x"]}, 422, "folder"),
        ("/grouping/members", {"levels": [2], "key": ["soon"]}, 422, "not a number"),
    ],
)
def test_grouping_errors(
    corpus: Corpus, saved: dict[str, Any], tail: str, body: Any, status: int, words: str
) -> None:
    assert words.lower() in error(corpus.post(tail, body), status).lower()
