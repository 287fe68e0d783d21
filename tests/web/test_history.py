"""Undo and redo over HTTP: each change is one step, the history survives a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.conftest import Corpus, make_client, ok, open_project


def state(corpus: Corpus) -> Any:
    """Everything the annotations routes show."""
    props = ok(corpus.get("/properties"))
    ids = ok(corpus.post("/images/ids", {}))["ids"]
    page = ok(corpus.post("/images/query", {"properties": [p["id"] for p in props]}))
    return props, ids, [item["values"] for item in page["items"]]


def test_every_change_is_undone_and_redone(corpus: Corpus) -> None:
    ids = ok(corpus.post("/images/ids", {}))["ids"]
    states = [state(corpus)]
    changes = [
        ("post", "/properties", {"name": "Kind", "type": "multi_tags"}),
        ("post", "/properties/1/tags", {"name": "Vase"}),
        ("post", "/properties/1/tags", {"name": "Jar"}),
        ("post", "/properties/1/tags", {"name": "Pot", "parents": [1]}),
        ("post", "/properties/1/values/set", {"ids": ids[:3], "value": ["Vase"]}),
        ("post", "/properties/1/values/add-tags", {"ids": ids[2:5], "tags": ["Jar"]}),
        ("post", "/properties/1/values/remove-tags", {"ids": ids[2:3], "tags": ["Vase"]}),
        ("patch", "/tags/1", {"name": "Vases"}),
        ("patch", "/tags/2", {"color": "#000000"}),
        ("post", "/tags/2/parents", {"parent_id": 1}),
        ("delete", "/tags/3/parents/1", None),
        ("post", "/tags/1/merge", {"others": [2]}),
        ("delete", "/tags/3", None),
        ("post", "/properties/1/values/clear", {"ids": ids[:1]}),
        ("patch", "/properties/1", {"name": "Shape"}),
        ("delete", "/properties/1", None),
    ]
    for method, tail, body in changes:
        response = corpus.client.request(method.upper(), corpus.url(tail), json=body)
        assert response.status_code < 300, (tail, response.text)
        states.append(state(corpus))
    history = ok(corpus.get("/history", params={"limit": 100}))["entries"]
    assert len(history) == len(changes) and not any(entry["undone"] for entry in history)
    for expected in reversed(states[:-1]):
        assert ok(corpus.post("/undo"))["entry"]["undone"] is True
        assert state(corpus) == expected
    assert ok(corpus.post("/undo")) == {"entry": None}
    for expected in states[1:]:
        assert ok(corpus.post("/redo"))["entry"]["undone"] is False
        assert state(corpus) == expected
    assert ok(corpus.post("/redo")) == {"entry": None}


def test_a_new_change_drops_the_redo_history(corpus: Corpus) -> None:
    ok(corpus.post("/properties", {"name": "A", "type": "text"}), 201)
    ok(corpus.post("/undo"))
    ok(corpus.post("/properties", {"name": "B", "type": "text"}), 201)
    assert ok(corpus.post("/redo")) == {"entry": None}
    assert [e["label"] for e in ok(corpus.get("/history"))["entries"]] == ["create property B"]


def test_undo_history_survives_a_restart(corpus: Corpus, tmp_path: Path) -> None:
    ok(corpus.post("/properties", {"name": "Kept", "type": "text"}), 201)
    assert ok(corpus.post("/close")) == {"ok": True}
    with make_client(tmp_path) as again:
        pid = open_project(again, corpus.root)
        assert pid == corpus.pid
        entry = ok(again.post(f"/api/projects/{pid}/undo"))["entry"]
        assert entry["label"] == "create property Kept"
        found = ok(again.get(f"/api/projects/{pid}/properties"))
        assert [p["name"] for p in found if not p["read_only"]] == []
