"""Clustering runs over HTTP: list, reopen, name, save as a property (undoable), discard."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

import numpy as np
import pytest
from tests.web.conftest import Corpus, error, ok, wait_task, wait_tasks

from corpuscope.services import clustering
from corpuscope.store.db import open_project
from corpuscope.store.runs import NewGroup, NewRun, RunLevels, save_run


@pytest.fixture
def tree(corpus: Corpus) -> dict[str, Any]:
    """Run 1: two clusters; run 2 nested under the first cluster, splitting it in two."""
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]
    with open_project(corpus.root) as project, project.write() as conn:
        top = save_run(
            conn,
            NewRun(
                "kmeans", {"k": 2}, 0, None, {"kind": "all"}, 6, 0.1,
                [NewGroup("cluster", 0.1, ids[:4], [0.1, 0.2, 0.3, 0.4]),
                 NewGroup("cluster", 0.3, ids[4:], [0.1, 0.2])],
            ),
        )  # fmt: skip
        first = conn.execute("SELECT id FROM run_groups WHERE run_id = ? ORDER BY rank", (top,))
        first_group = first.fetchone()[0]
        nested = save_run(
            conn,
            NewRun(
                "kmeans", {"k": 2}, 0, None, {"kind": "group"}, 4, 0.1,
                [NewGroup("cluster", 0.05, ids[:2], [0.1, 0.2]),
                 NewGroup("outliers", 0.2, ids[2:4], [0.1, 0.2])],
                parent_run_id=top, parent_group_id=first_group,
            ),
        )  # fmt: skip
    return {"ids": ids, "top": top, "nested": nested, "first_group": first_group}


def test_runs_are_listed_and_reopened(corpus: Corpus, tree: dict[str, Any]) -> None:
    runs = ok(corpus.get("/runs"))
    assert [run["id"] for run in runs] == [tree["top"], tree["nested"]]
    top = ok(corpus.get(f"/runs/{tree['top']}"))
    assert top["algorithm"] == "kmeans" and top["n_images"] == 6 and top["params"] == {"k": 2}
    assert [g["label"] for g in top["groups"]] == ["Cluster 1", "Cluster 2"]
    assert top["groups"][0]["child_run_ids"] == [tree["nested"]]
    assert [g["size"] for g in top["groups"]] == [4, 2]
    nested = ok(corpus.get(f"/runs/{tree['nested']}"))
    assert nested["parent_group_id"] == tree["first_group"]
    assert [g["label"] for g in nested["groups"]] == ["Cluster 1.1", "Outliers 1.2"]
    assert [(g["kind"], g["number"]) for g in nested["groups"]] == [
        ("cluster", "1.1"),
        ("outliers", "1.2"),
    ]
    members = ok(
        corpus.post(
            "/images/query",
            {"filter": {"group_id": nested["groups"][1]["id"]}, "sort": {"key": "rank"}},
        )
    )
    assert [item["id"] for item in members["items"]] == tree["ids"][2:4]


def test_naming_a_group_and_saving_the_tree_as_a_property(
    corpus: Corpus, tree: dict[str, Any]
) -> None:
    top = ok(corpus.get(f"/runs/{tree['top']}"))
    assert ok(corpus.patch(f"/groups/{top['groups'][1]['id']}", {"name": "Vases"})) == {"ok": True}
    saved = ok(corpus.post(f"/runs/{tree['top']}/save", {"name": "Shapes"}), 201)
    assert (saved["name"], saved["type"]) == ("Shapes", "tag")
    grouping = ok(corpus.post("/grouping", {"levels": [saved["id"]]}))
    shown = [(g["label"], g["depth"], g["count"], g["total"]) for g in grouping["groups"]]
    assert shown == [
        ("Cluster 1", 0, 0, 4),
        ("Cluster 1.1", 1, 2, 2),
        ("Outliers 1.2", 1, 2, 2),
        ("Vases", 0, 2, 2),
    ]
    assert ok(corpus.get(f"/runs/{tree['top']}"))["saved_property_id"] == saved["id"]
    assert ok(corpus.post("/undo"))["entry"]["label"].startswith("save clustering")
    assert [p for p in ok(corpus.get("/properties")) if not p["read_only"]] == []
    flat = ok(corpus.post(f"/runs/{tree['top']}/save", {"flat": True}), 201)
    labels = [g["label"] for g in ok(corpus.post("/grouping", {"levels": [flat["id"]]}))["groups"]]
    assert labels == ["Cluster 1.1", "Outliers 1.2", "Vases"]


FRENCH = {
    "cluster": "Cluster {number}",
    "outliers": "Atypiques {number}",
    "unassigned": "Non attribuées {number}",
}


def test_a_run_saved_from_a_french_interface_names_its_tags_in_french(
    corpus: Corpus, tree: dict[str, Any]
) -> None:
    top = ok(corpus.get(f"/runs/{tree['top']}"))
    assert ok(corpus.patch(f"/groups/{top['groups'][1]['id']}", {"name": "Vases"})) == {"ok": True}
    body = {"name": "Formes", "words": FRENCH}
    saved = ok(corpus.post(f"/runs/{tree['top']}/save", body), 201)
    grouping = ok(corpus.post("/grouping", {"levels": [saved["id"]]}))
    assert {g["label"]: g["depth"] for g in grouping["groups"]} == {
        "Cluster 1": 0,
        "Cluster 1.1": 1,
        "Atypiques 1.2": 1,
        "Vases": 0,  # a name the user gave stays as it is
    }
    # the run itself still reads in English for the CLI
    assert ok(corpus.get(f"/runs/{tree['nested']}"))["groups"][1]["label"] == "Outliers 1.2"


@pytest.mark.parametrize(
    "words",
    [
        {**FRENCH, "outliers": "Atypiques"},  # no {number}: every such group would be one tag
        {"cluster": "Cluster {number}"},
        {**FRENCH, "unassigned": ""},
    ],
)
def test_words_for_saved_tags_need_each_kind_and_its_number(
    corpus: Corpus, tree: dict[str, Any], words: dict[str, str]
) -> None:
    error(corpus.post(f"/runs/{tree['top']}/save", {"words": words}), 422)
    assert [p for p in ok(corpus.get("/properties")) if not p["read_only"]] == []


def test_discarding_a_run_takes_its_nested_runs(corpus: Corpus, tree: dict[str, Any]) -> None:
    assert ok(corpus.delete(f"/runs/{tree['top']}")) == {"ok": True}
    assert ok(corpus.get("/runs")) == []
    error(corpus.get(f"/runs/{tree['nested']}"), 404)


@pytest.mark.parametrize(
    ("method", "tail", "body", "status"),
    [
        ("GET", "/runs/99", None, 404),
        ("DELETE", "/runs/99", None, 404),
        ("POST", "/runs/99/save", {}, 404),
        ("POST", "/runs/1/save", {"flat": "sometimes"}, 422),
        ("PATCH", "/groups/99", {"name": "x"}, 404),
        ("PATCH", "/groups/1", {"name": ""}, 422),
        ("PATCH", "/groups/1", {}, 422),
    ],
)
def test_run_errors(
    corpus: Corpus, tree: dict[str, Any], method: str, tail: str, body: Any, status: int
) -> None:
    error(corpus.client.request(method, corpus.url(tail), json=body), status)


def test_a_kmeans_run_and_a_nested_one(corpus: Corpus, vectors: list[int]) -> None:
    run = corpus.create_run({"algorithm": "kmeans", "k": 2})
    assert run["algorithm"] == "kmeans" and run["n_images"] == 6 and len(run["groups"]) == 2
    members = []
    for group in run["groups"]:
        page = ok(
            corpus.post(
                "/images/query", {"filter": {"group_id": group["id"]}, "sort": {"key": "rank"}}
            )
        )
        members.append(sorted(item["id"] for item in page["items"]))
    assert sorted(members) == [vectors[:3], vectors[3:]]
    first = run["groups"][0]
    nested = corpus.create_run({"k": 2, "within": {"run_id": run["id"], "group_id": first["id"]}})
    assert (nested["parent_run_id"], nested["parent_group_id"]) == (run["id"], first["id"])
    assert nested["n_images"] == 3
    assert ok(corpus.get(f"/runs/{run['id']}"))["groups"][0]["child_run_ids"] == [nested["id"]]
    some = corpus.create_run({"algorithm": "auto", "image_ids": vectors[:4]})
    assert some["n_images"] == 4 and some["groups"]


def test_a_near_duplicates_run(corpus: Corpus, write_image: Any) -> None:
    write_image(corpus.photos / "c" / "same-as-0.png", seed=0)  # a/0.jpg as a PNG
    (corpus.photos / "c" / "copy-of-1.jpg").write_bytes(
        (corpus.photos / "a" / "1.jpg").read_bytes()
    )
    [folder] = ok(corpus.get("/folders"))
    ok(corpus.post(f"/folders/{folder['id']}/import"), 202)
    wait_tasks(corpus.client, corpus.pid)
    paths = {item["path"]: item["id"] for item in ok(corpus.post("/images/query", {}))["items"]}
    run = corpus.create_run({"algorithm": "duplicates"})
    assert run["algorithm"] == "duplicates"
    found = []
    for group in run["groups"]:
        page = ok(corpus.post("/images/query", {"filter": {"group_id": group["id"]}}))
        found.append(sorted(item["id"] for item in page["items"]))
        assert group["similarity"] is not None
    assert sorted([paths["a/0.jpg"], paths["c/same-as-0.png"]]) in found
    assert [paths["a/1.jpg"]] in found  # two identical files of one image


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"algorithm": "kmeans", "k": 0}, 422, "number of clusters"),
        ({"algorithm": "kmeans", "k": 1001}, 422, "k"),
        ({"algorithm": "spectral"}, 422, "algorithm"),
        ({"algorithm": "duplicates", "threshold": 0}, 422, "threshold"),
        ({"algorithm": "duplicates", "within": {"run_id": 1, "group_id": 1}}, 422, "all images"),
        ({"k": 2, "within": {"run_id": 99, "group_id": 1}}, 404, "99"),
        ({"k": 2, "image_ids": [999]}, 404, "999"),
        ({"k": 2, "model": "no-such-model"}, 404, "no-such-model"),
    ],
)
def test_run_creation_errors(
    corpus: Corpus, vectors: list[int], body: dict[str, Any], status: int, words: str
) -> None:
    assert words in error(corpus.post("/runs", body), status)


def test_clustering_without_vectors_says_how_to_get_them(corpus: Corpus) -> None:
    assert "vectors" in error(corpus.post("/runs", {"k": 2}), 404)


def test_accepting_images_into_a_cluster_of_an_unsaved_run(
    corpus: Corpus, vectors: list[int]
) -> None:
    run = corpus.create_run({"algorithm": "kmeans", "k": 2})
    first, second = run["groups"]
    page = ok(corpus.post("/images/query", {"filter": {"group_id": first["id"]}}))
    newcomer = page["items"][0]["id"]
    moved = ok(corpus.post(f"/groups/{second['id']}/members", {"image_ids": [newcomer]}))
    assert moved["size"] == second["size"] + 1
    again = ok(corpus.get(f"/runs/{run['id']}"))
    assert sum(group["size"] for group in again["groups"]) == 6
    assert "no cluster" in error(
        corpus.post("/groups/999/members", {"image_ids": [vectors[0]]}), 404
    )
    assert error(corpus.post(f"/groups/{first['id']}/members", {"image_ids": []}), 422)


def test_name_suggestions_need_a_model_that_reads_text(corpus: Corpus, vectors: list[int]) -> None:
    run = corpus.create_run({"algorithm": "kmeans", "k": 2})
    message = error(corpus.post(f"/runs/{run['id']}/names", {"vocabulary": ["vase"]}), 422)
    assert "cannot read text" in message
    assert error(corpus.post(f"/runs/{run['id']}/names", {"vocabulary": []}), 422)


def test_near_duplicates_without_any_fingerprint_say_why(corpus: Corpus) -> None:
    """Every thumbnail gone and the fingerprints dropped (an upgrade): a sentence, not a 500."""
    with open_project(corpus.root) as project:
        with project.write() as conn:
            conn.execute("UPDATE images SET fingerprint = NULL")
        for thumbnail in project.thumbs_dir.rglob("*.*"):
            thumbnail.unlink()
    task = ok(corpus.post("/runs", {"algorithm": "duplicates"}), 202)
    failed = wait_task(corpus.client, corpus.pid, task["id"])
    assert failed["status"] == "failed"
    assert "6 images" in failed["error"] and "import" in failed["error"]
    assert ok(corpus.get("/runs")) == []


def test_a_run_is_a_task_with_progress_and_cancel(
    corpus: Corpus, vectors: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    started, gate = threading.Event(), threading.Event()
    real = clustering.compute_clustering

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        gate.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(clustering, "compute_clustering", slow)
    task = ok(corpus.post("/runs", {"k": 2, "image_ids": vectors[:5]}), 202)
    assert task["kind"] == "cluster" and task["params"]["image_count"] == 5
    assert "image_ids" not in task["params"]  # progress events stay small
    assert started.wait(60)
    live = ok(corpus.get(f"/tasks/{task['id']}"))
    assert (live["status"], live["done"], live["total"]) == ("running", 0, 5)
    assert live["message"] == "Clustering 5 images"
    second = ok(corpus.post("/runs", {"algorithm": "auto"}), 202)
    assert ok(corpus.get(f"/tasks/{second['id']}"))["status"] == "queued"  # one run at a time
    ok(corpus.post(f"/tasks/{task['id']}/cancel"))
    gate.set()
    cancelled = wait_task(corpus.client, corpus.pid, task["id"])
    assert cancelled["status"] == "cancelled" and cancelled["error"] is None
    done = wait_task(corpus.client, corpus.pid, second["id"])
    assert done["status"] == "done"
    assert [run["id"] for run in ok(corpus.get("/runs"))] == [done["result"]["run_id"]]
    assert done["result"]["images"] == 6


def test_a_bad_run_is_refused_before_it_is_queued(corpus: Corpus) -> None:
    message = error(corpus.post("/runs", {"algorithm": "duplicates", "threshold": 0}), 422)
    assert "between 0 and 1" in message
    assert "vectors" in error(corpus.post("/runs", {"algorithm": "auto"}), 404)
    assert [task["kind"] for task in ok(corpus.get("/tasks"))["tasks"]] == ["import"]


def test_finer_and_coarser_from_stored_levels(corpus: Corpus, vectors: list[int]) -> None:
    ids = sorted(vectors)
    with open_project(corpus.root) as project, project.write() as conn:
        run_id = save_run(
            conn,
            NewRun(
                "auto", {"k": -1, "level": 0, "levels": 2}, 0, None, {"kind": "all"}, 6, 0.1,
                [NewGroup("cluster", 0.5, ids, [0.9] * 6, level=1)],
                levels=RunLevels(np.array(ids), (np.array([0, 0, 0, 1, 1, 1]), np.zeros(6, int)), 1),
            ),
        )  # fmt: skip
    group = ok(corpus.get(f"/runs/{run_id}"))["groups"][0]
    assert group["level"] == 1
    finer = ok(corpus.post(f"/runs/{run_id}/level", {"step": -1}))
    assert finer["id"] == run_id and finer["params"]["level"] == -1
    assert sorted(g["size"] for g in finer["groups"]) == [3, 3]
    refused = corpus.post(f"/runs/{run_id}/level", {"step": -1})
    assert "no finer level" in error(refused, 409)
    coarser = ok(corpus.post(f"/runs/{run_id}/level", {"step": 1}))
    whole = coarser["groups"][0]["id"]
    nested = ok(corpus.post(f"/runs/{run_id}/level", {"step": -1, "group_id": whole}))
    assert (nested["parent_run_id"], nested["parent_group_id"]) == (run_id, whole)
    assert len(nested["groups"]) == 2
    part = nested["groups"][0]["id"]
    refused = corpus.post(f"/runs/{nested['id']}/level", {"step": -1, "group_id": part})
    assert error(refused, 409).startswith("No finer grouping found in Cluster 1.")
    undone = ok(corpus.post(f"/runs/{nested['id']}/level", {"step": 1, "group_id": part}))
    assert undone["id"] == run_id and undone["groups"][0]["child_run_ids"] == []
    assert corpus.post(f"/runs/{run_id}/level", {"step": 2}).status_code == 422


def cli_json(*args: object) -> Any:
    """The document a CLI command prints with ``--json`` (a real subprocess)."""
    command = [sys.executable, "-m", "corpuscope", *map(str, args), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_cli_and_the_api_print_a_run_alike(corpus: Corpus, vectors: list[int]) -> None:
    """One serialiser: ``cluster --json`` is ``GET /runs/{id}?members=true``, ``runs --json``
    is ``GET /runs``, field for field and value for value."""
    printed = cli_json("cluster", corpus.root, "--k", "2")
    served = ok(corpus.get(f"/runs/{printed['id']}", params={"members": "true"}))
    assert printed == served
    members = sorted(m["image_id"] for group in printed["groups"] for m in group["members"])
    assert members == sorted(vectors)
    assert all(m["path"] in m["files"] for g in printed["groups"] for m in g["members"])
    nested = cli_json("cluster", corpus.root, "--k", "2", "--within", f"{printed['id']}:"
                      f"{printed['groups'][0]['id']}")  # fmt: skip
    assert nested["parent_run_id"] == printed["id"]
    assert nested == ok(corpus.get(f"/runs/{nested['id']}", params={"members": "true"}))
    listed = cli_json("runs", corpus.root)
    assert listed == ok(corpus.get("/runs"))
    assert [run["id"] for run in listed] == [printed["id"], nested["id"]]
    assert all(group["members"] is None for run in listed for group in run["groups"])
