"""Properties, tags and values over HTTP, with every error path a 4xx sentence."""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.conftest import Corpus, error, ok


def image_ids(corpus: Corpus) -> list[int]:
    return list(ok(corpus.post("/images/ids", {}))["ids"])


def values(corpus: Corpus, prop: int) -> dict[int, Any]:
    page = ok(corpus.post("/images/query", {"properties": [prop]}))
    return {item["id"]: item["values"].get(str(prop)) for item in page["items"] if item["values"]}


def test_property_lifecycle(corpus: Corpus) -> None:
    created = ok(corpus.post("/properties", {"name": "  Period ", "type": "tag"}), 201)
    assert created == {
        "id": 1, "name": "Period", "type": "tag", "mode": "image", "tags": [],
        "metadata": None, "read_only": False,
    }  # fmt: skip
    renamed = ok(corpus.patch("/properties/1", {"name": "Era"}))
    assert renamed["name"] == "Era"
    ok(corpus.post("/properties", {"name": "Note", "type": "text", "mode": "instance"}), 201)
    listed = ok(corpus.get("/properties"))
    assert [(p["name"], p["mode"]) for p in listed if not p["read_only"]] == [
        ("Era", "image"),
        ("Note", "instance"),
    ]
    assert ok(corpus.delete("/properties/1")) == {"ok": True}
    left = ok(corpus.get("/properties"))
    assert [p["name"] for p in left] == ["Note", "Width", "Height"]  # the files' sizes last


def test_tags_rename_recolour_parents_merge_delete(corpus: Corpus) -> None:
    prop = ok(corpus.post("/properties", {"name": "Kind", "type": "multi_tags"}), 201)["id"]
    vase = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Vase", "color": "#AABBCC"}), 201)
    pot = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Pot"}), 201)
    jar = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Jar", "parents": [vase["id"]]}), 201)
    assert vase["color"] == "#aabbcc" and jar["parents"] == [vase["id"]]
    changed = ok(corpus.patch(f"/tags/{pot['id']}", {"name": "Pots", "color": "#112233"}))
    assert (changed["name"], changed["color"]) == ("Pots", "#112233")
    assert ok(corpus.post(f"/tags/{pot['id']}/parents", {"parent_id": vase["id"]}))["parents"] == [
        vase["id"]
    ]
    assert "cycle" in error(
        corpus.post(f"/tags/{vase['id']}/parents", {"parent_id": jar["id"]}), 409
    )
    assert ok(corpus.delete(f"/tags/{pot['id']}/parents/{vase['id']}"))["parents"] == []
    assert ok(corpus.patch(f"/tags/{pot['id']}", {"parents": [vase["id"]]}))["parents"] == [
        vase["id"]
    ]
    ids = image_ids(corpus)
    ok(corpus.post(f"/properties/{prop}/values/set", {"ids": ids[:2], "value": ["Jar"]}))
    ok(corpus.post(f"/properties/{prop}/values/set", {"ids": ids[2:3], "value": ["Pots"]}))
    counts = {t["name"]: t["count"] for t in ok(corpus.get("/properties"))[0]["tags"]}
    assert counts == {"Vase": 0, "Pots": 1, "Jar": 2}
    merged = ok(corpus.post(f"/tags/{jar['id']}/merge", {"others": [pot["id"]]}))
    assert merged["merged"] == 1 and merged["survivor"]["name"] == "Jar"
    assert values(corpus, prop) == {ids[0]: [jar["id"]], ids[1]: [jar["id"]], ids[2]: [jar["id"]]}
    assert ok(corpus.delete(f"/tags/{vase['id']}")) == {"ok": True}
    [left] = ok(corpus.get("/properties"))[0]["tags"]
    assert (left["name"], left["parents"], left["count"]) == ("Jar", [], 3)


def test_values_set_add_remove_clear(corpus: Corpus) -> None:
    ids = image_ids(corpus)
    prop = ok(corpus.post("/properties", {"name": "Motifs", "type": "multi_tags"}), 201)["id"]
    a = ok(corpus.post(f"/properties/{prop}/tags", {"name": "A"}), 201)["id"]
    b = ok(corpus.post(f"/properties/{prop}/tags", {"name": "B"}), 201)["id"]
    assert ok(
        corpus.post(f"/properties/{prop}/values/add-tags", {"ids": ids[:3], "tags": ["A"]})
    ) == {"changed": 3}
    ok(corpus.post(f"/properties/{prop}/values/add-tags", {"ids": ids[1:2], "tags": [b]}))
    ok(corpus.post(f"/properties/{prop}/values/remove-tags", {"ids": ids[:1], "tags": ["A"]}))
    assert values(corpus, prop) == {ids[1]: [a, b], ids[2]: [a]}
    ok(corpus.post(f"/properties/{prop}/values/clear", {"ids": ids}))
    assert values(corpus, prop) == {}
    year = ok(corpus.post("/properties", {"name": "Year", "type": "number"}), 201)["id"]
    seen = ok(corpus.post("/properties", {"name": "Seen", "type": "checkbox"}), 201)["id"]
    ok(corpus.post(f"/properties/{year}/values/set", {"ids": ids[:2], "value": "-480"}))
    ok(corpus.post(f"/properties/{seen}/values/set", {"ids": ids[:1], "value": True}))
    assert values(corpus, year) == {ids[0]: -480.0, ids[1]: -480.0}
    assert values(corpus, seen) == {ids[0]: 1}


@pytest.mark.parametrize(
    ("method", "tail", "body", "status", "words"),
    [
        ("post", "/properties", {"name": "", "type": "tag"}, 422, "name"),
        ("post", "/properties", {"name": "X", "type": "photo"}, 422, "type"),
        ("post", "/properties", {"name": "Kind", "type": "tag"}, 409, "already exists"),
        ("post", "/properties", {"name": "kind", "type": "text"}, 409, "already exists"),
        ("post", "/properties", {"name": "X" * 201, "type": "tag"}, 422, "name"),
        ("patch", "/properties/99", {"name": "X"}, 404, "99"),
        ("delete", "/properties/99", None, 404, "99"),
        ("post", "/properties/99/tags", {"name": "X"}, 404, "99"),
        ("post", "/properties/2/tags", {"name": "X"}, 422, "no tags"),
        ("post", "/properties/1/tags", {"name": "T"}, 409, "already has a tag"),
        ("post", "/properties/1/tags", {"name": "U", "color": "red"}, 422, "color"),
        ("post", "/properties/1/tags", {"name": "U", "parents": [99]}, 404, "99"),
        ("patch", "/tags/99", {"name": "X"}, 404, "99"),
        ("patch", "/tags/1", {}, 422, "Give"),
        ("patch", "/tags/1", {"color": "#12345"}, 422, "color"),
        ("post", "/tags/1/parents", {"parent_id": 1}, 409, "cycle"),
        ("post", "/tags/1/merge", {"others": []}, 422, "others"),
        ("post", "/tags/1/merge", {"others": [1]}, 422, "at least one other"),
        ("post", "/tags/1/merge", {"others": [99]}, 404, "99"),
        ("delete", "/tags/99", None, 404, "99"),
        ("post", "/properties/1/values/set", {"ids": [], "value": ["T"]}, 422, "ids"),
        ("post", "/properties/1/values/set", {"ids": [999], "value": ["T"]}, 404, "999"),
        ("post", "/properties/1/values/set", {"ids": [1], "value": "T"}, 422, "list of tags"),
        ("post", "/properties/1/values/set", {"ids": [1], "value": ["Nope"]}, 404, "Nope"),
        ("post", "/properties/2/values/set", {"ids": [1], "value": "many"}, 422, "not a number"),
        ("post", "/properties/2/values/set", {"ids": [1], "value": float("inf")}, 422, "value"),
        ("post", "/properties/2/values/set", {"ids": [1, 2], "value": {"x": 1}}, 422, "value"),
        ("post", "/properties/1/values/add-tags", {"ids": [1], "tags": []}, 422, "tags"),
        ("post", "/properties/1/values/clear", {"ids": [0]}, 422, "ids"),
        ("post", "/properties/1/values/clear", {"ids": [1], "extra": 1}, 422, "extra"),
        ("post", "/properties/1/values/clear", {"ids": list(range(1, 100_002))}, 422, "ids"),
    ],
)
def test_annotation_errors_are_4xx_sentences(
    corpus: Corpus, method: str, tail: str, body: Any, status: int, words: str
) -> None:
    ok(corpus.post("/properties", {"name": "Kind", "type": "tag"}), 201)
    ok(corpus.post("/properties", {"name": "Year", "type": "number"}), 201)
    ok(corpus.post("/properties/1/tags", {"name": "T"}), 201)
    url = corpus.url(tail)
    if body is None:
        response = getattr(corpus.client, method)(url)
    elif method == "post" and body and isinstance(body.get("value"), float):
        response = corpus.client.post(
            url,
            content=b'{"ids": [1], "value": Infinity}',
            headers={"content-type": "application/json"},
        )
    else:
        response = corpus.client.request(method.upper(), url, json=body)
    assert words.lower() in error(response, status).lower()


def test_a_batch_of_changes_is_one_undo_step_over_http(corpus: Corpus) -> None:
    kind = ok(corpus.post("/properties", {"name": "Kind", "type": "multi_tags"}), 201)["id"]
    era = ok(corpus.post("/properties", {"name": "Era", "type": "tag"}), 201)["id"]
    ok(corpus.post(f"/properties/{kind}/tags", {"name": "Vase"}), 201)
    ok(corpus.post(f"/properties/{era}/tags", {"name": "Archaic"}), 201)
    first = image_ids(corpus)[0]
    body = {
        "ids": [first],
        "changes": [
            {"property": kind, "op": "add-tags", "value": ["Vase"]},
            {"property": era, "op": "set", "value": ["Archaic"]},
        ],
    }
    assert ok(corpus.post("/values/batch", body)) == {"changed": 1}
    assert values(corpus, kind)[first] and values(corpus, era)[first]
    ok(corpus.post("/undo", {}))
    assert first not in values(corpus, kind) and first not in values(corpus, era)
    bad = {"ids": [first], "changes": [{"property": kind, "op": "explode"}]}
    assert corpus.post("/values/batch", bad).status_code == 422


def test_a_tag_change_is_all_or_nothing_and_one_undo_step(corpus: Corpus) -> None:
    """A PATCH renaming a tag and giving it a parent that makes a cycle changes nothing (no
    rename left committed behind the 409); a PATCH that succeeds is undone in one step."""
    prop = ok(corpus.post("/properties", {"name": "Kind", "type": "multi_tags"}), 201)["id"]
    vase = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Vase", "color": "#aabbcc"}), 201)
    jar = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Jar", "parents": [vase["id"]]}), 201)
    before = ok(corpus.get("/properties"))
    history = ok(corpus.get("/history"))["entries"]

    cycle = {"name": "Vessel", "color": "#112233", "parents": [jar["id"]]}
    assert "cycle" in error(corpus.patch(f"/tags/{vase['id']}", cycle), 409)
    assert ok(corpus.get("/properties")) == before
    assert ok(corpus.get("/history"))["entries"] == history

    changed = ok(
        corpus.patch(f"/tags/{jar['id']}", {"name": "Jars", "color": "#112233", "parents": []})
    )
    assert (changed["name"], changed["color"], changed["parents"]) == ("Jars", "#112233", [])
    [entry, *_] = ok(corpus.get("/history"))["entries"]
    assert entry["label"] == "change tag Jar (name, colour, parents)"
    assert len(ok(corpus.get("/history"))["entries"]) == len(history) + 1
    ok(corpus.post("/undo", {}))
    assert ok(corpus.get("/properties")) == before
