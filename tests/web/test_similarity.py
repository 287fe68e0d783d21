"""Similar images, text search, recommendations, runs by tags and the map, over HTTP.

The ``vectors`` fixture gives a/0-2 vectors near one direction and b/3-5 near another.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.embed.conftest import save_tiny_clip
from tests.web.conftest import Corpus, error, make_client, ok, wait_tasks

from corpuscope.analysis import vector_index
from corpuscope.services.projects import open_project
from corpuscope.services.similarity import search_text


def ids_of(response: Any) -> list[int]:
    return [item["image_id"] for item in ok(response)["items"]]


def test_similar_images_are_ranked_with_scores(corpus: Corpus, vectors: list[int]) -> None:
    found = ok(corpus.post("/similar", {"image_ids": [vectors[0]], "limit": 5}))["items"]
    assert {item["image_id"] for item in found[:2]} == {vectors[1], vectors[2]}
    assert vectors[0] not in [item["image_id"] for item in found]
    scores = [item["score"] for item in found]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.9
    assert all("z_score" in item for item in found)
    close = ids_of(corpus.post("/similar", {"image_ids": [vectors[0]], "min_score": 0.9}))
    assert sorted(close) == sorted(vectors[1:3])
    page = ids_of(corpus.post("/similar", {"image_ids": vectors[:2], "limit": 1, "offset": 1}))
    assert len(page) == 1


def test_text_search_with_a_real_text_model(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny, randomly initialised CLIP saved in the Hugging Face layout: its vectors computed
    by a task, then text search over HTTP ranks every image as the service does."""
    save_tiny_clip(tmp_path / "models" / "clip-vit-b-32")
    monkeypatch.setenv("CORPUSCOPE_MODELS", str(tmp_path / "models"))
    ok(corpus.post("/vectors", {"model": "clip-vit-b-32"}), 202)
    tasks = wait_tasks(corpus.client, corpus.pid)
    assert all(task["status"] == "done" for task in tasks), tasks
    body = {"text": "a red vase", "limit": 6, "model": "clip-vit-b-32"}
    items = ok(corpus.post("/search", body))["items"]
    scores = [item["score"] for item in items]
    assert len(items) == 6 and scores == sorted(scores, reverse=True)
    with open_project(corpus.root) as project:
        expected = search_text(project, "a red vase", limit=6, model="clip-vit-b-32")
    assert [item["image_id"] for item in items] == [match.image_id for match in expected]
    assert "Type some words" in error(corpus.post("/search", {**body, "text": "   "}), 422)


def test_text_search_needs_a_model_that_reads_text(
    corpus: Corpus, vectors: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "cannot read text" in error(corpus.post("/search", {"text": "vase"}), 422)


def test_recommendations_with_refusals(corpus: Corpus, vectors: list[int]) -> None:
    body = {"target": "grid:a", "image_ids": [vectors[0]], "limit": 3}
    first = ids_of(corpus.post("/recommendations", body))
    assert sorted(first[:2]) == sorted(vectors[1:3]) and vectors[0] not in first
    assert ok(
        corpus.post("/recommendations/refuse", {"target": "grid:a", "image_ids": [vectors[1]]})
    )
    again = ids_of(corpus.post("/recommendations", body))
    assert vectors[1] not in again and vectors[2] == again[0]
    other = ids_of(corpus.post("/recommendations", {**body, "target": "grid:other"}))
    assert vectors[1] in other  # refusals belong to their target
    ok(corpus.post("/recommendations/forget", {"target": "grid:a"}))
    assert vectors[1] in ids_of(corpus.post("/recommendations", body))
    only = ids_of(corpus.post("/recommendations", {**body, "restrict_to": vectors[4:]}))
    assert sorted(only) == sorted(vectors[4:])


def test_recommendations_for_a_cluster_and_a_tag(corpus: Corpus, vectors: list[int]) -> None:
    run = corpus.create_run({"k": 2})
    group = next(g for g in run["groups"] if g["size"] == 3)
    members = ok(corpus.post("/images/ids", {"filter": {"group_id": group["id"]}}))["ids"]
    found = ids_of(corpus.post("/recommendations", {"target": f"group:{group['id']}"}))
    assert sorted(found) == sorted(set(vectors) - set(members))
    ok(corpus.post("/properties", {"name": "Kind", "type": "tag"}), 201)
    tag = ok(corpus.post("/properties/1/tags", {"name": "A"}), 201)
    ok(corpus.post("/properties/1/values/set", {"ids": vectors[:2], "value": ["A"]}))
    found = ids_of(corpus.post("/recommendations", {"target": f"tag:{tag['id']}", "limit": 1}))
    assert found == [vectors[2]]


@pytest.mark.parametrize(
    ("tail", "body", "status", "words"),
    [
        ("/similar", {"image_ids": []}, 422, "image_ids"),
        ("/similar", {"image_ids": [999]}, 404, "999"),
        ("/similar", {"image_ids": [1], "limit": 0}, 422, "limit"),
        ("/similar", {"image_ids": [1], "min_score": 2}, 422, "min_score"),
        ("/search", {"text": ""}, 422, "text"),
        ("/recommendations", {"target": "tag:x"}, 422, "names no group"),
        ("/recommendations", {"target": "mine"}, 422, "names no group"),
        ("/recommendations", {"target": "group:999"}, 404, "no cluster 999"),
        ("/recommendations", {"target": "tag:999"}, 404, "999"),
        ("/recommendations", {"target": ""}, 422, "target"),
        ("/recommendations/refuse", {"target": "x", "image_ids": []}, 422, "image_ids"),
        (
            "/recommendations/refuse",
            {"target": "x", "image_ids": [999]},
            404,
            "no image with id 999",
        ),
        ("/runs", {"algorithm": "tags"}, 422, "tag property"),
        ("/runs", {"algorithm": "tags", "property": "Nope"}, 404, "Nope"),
    ],
)
def test_similarity_errors(
    corpus: Corpus, vectors: list[int], tail: str, body: Any, status: int, words: str
) -> None:
    assert words in error(corpus.post(tail, body), status)


def test_without_vectors_the_answer_says_how_to_get_them(corpus: Corpus) -> None:
    assert "vectors" in error(corpus.post("/similar", {"image_ids": [1]}), 404)
    assert "vectors" in error(corpus.get("/map"), 404)


def test_a_run_by_tags(corpus: Corpus, vectors: list[int]) -> None:
    ok(corpus.post("/properties", {"name": "Kind", "type": "tag"}), 201)
    ok(corpus.post("/properties/1/tags", {"name": "A"}), 201)
    ok(corpus.post("/properties/1/tags", {"name": "B"}), 201)
    ok(corpus.post("/properties/1/values/set", {"ids": vectors[:1], "value": ["A"]}))
    ok(corpus.post("/properties/1/values/set", {"ids": vectors[3:4], "value": ["B"]}))
    run = corpus.create_run({"algorithm": "tags", "property": "Kind"})
    assert run["algorithm"] != "" and run["n_images"] == 6
    sizes = {group["label"]: group["size"] for group in run["groups"]}
    assert sizes["A"] == 3 and sizes["B"] == 3


def test_the_map_is_computed_by_a_task_then_served(corpus: Corpus, vectors: list[int]) -> None:
    task = ok(corpus.post("/map", {}), 202)
    assert task["kind"] == "map"
    done = wait_tasks(corpus.client, corpus.pid)[0]
    assert done["status"] == "done", done
    assert done["result"] == {"points": 6}
    points = ok(corpus.get("/map"))
    assert sorted(points["ids"]) == sorted(vectors)
    xy = np.array([points["x"], points["y"]])
    assert xy.shape == (2, 6) and np.all(np.abs(xy) <= 1.0)
    # the same points as bytes (what the web app asks for): ids as int32, then (x, y) float32
    raw = corpus.get("/map", headers={"accept": "application/octet-stream"})
    assert raw.status_code == 200
    assert raw.headers["content-type"] == "application/octet-stream"
    assert len(raw.content) == 12 * 6
    ids = np.frombuffer(raw.content[:24], dtype="<i4")
    pairs = np.frombuffer(raw.content[24:], dtype="<f4").reshape(6, 2)
    assert ids.tolist() == points["ids"]
    np.testing.assert_array_equal(pairs, xy.T.astype(np.float32))
    # an error stays a sentence in JSON whatever was asked for
    missing = corpus.get("/map?model=nope", headers={"accept": "application/octet-stream"})
    assert missing.status_code == 404 and "nope" in missing.json()["detail"]
    subset = ok(corpus.post("/map/subset", {"image_ids": vectors[:3]}))
    assert sorted(subset["ids"]) == sorted(vectors[:3])
    error(corpus.post("/map/subset", {"image_ids": [vectors[0]]}), 422)
    assert "999999" in error(corpus.post("/map/subset", {"image_ids": [vectors[0], 999_999]}), 404)


def _warmed(tmp_path: Path, root: Path) -> list[Path]:
    """Open ``root`` in a new server, wait for its warm-up, return the search index files."""
    with make_client(tmp_path / "again", projects=[root]):
        for thread in threading.enumerate():
            if thread.name == "warm-vectors":
                thread.join(timeout=60)
        return sorted((root / "cache").glob("index-*.faiss"))


def test_the_server_loads_a_large_projects_index_before_the_first_search(
    corpus: Corpus, vectors: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _warmed(tmp_path, corpus.root) == []  # 6 vectors: searched exactly, nothing to load
    monkeypatch.setattr(vector_index, "EXACT_LIMIT", 1)  # as if it held 50,000 or more
    assert len(_warmed(tmp_path, corpus.root)) == 1  # built without any search being asked
