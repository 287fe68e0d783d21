"""Models over HTTP: listing, choosing the project's model, vectors for another model as a task,
and searching with an image from outside the project (an upload that is never stored)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.web.conftest import Corpus, error, make_client, ok, open_project, wait_tasks

from corpuscope.embed.chunks import prepare_bytes
from corpuscope.embed.registry import load_embedder
from corpuscope.services.vectors import load_project_vectors
from corpuscope.store.db import open_project as open_store

Model = str


@pytest.fixture
def histogram(corpus: Corpus, example_plugin: str) -> Model:
    """The documented plug-in's vectors computed for the corpus by a task."""
    task = ok(corpus.post("/vectors", {"model": example_plugin}), 202)
    assert task["params"] == {"model": example_plugin}
    [done, _] = wait_tasks(corpus.client, corpus.pid)
    assert done["status"] == "done" and done["result"]["computed"] == 6, done
    return example_plugin


def test_models_list_every_source(corpus: Corpus, example_plugin: str) -> None:
    models = {m["name"]: m for m in ok(corpus.client.get("/api/models"))}
    assert models["efficientnet-lite0"]["source"] == "bundled"
    siglip = models["siglip2-base-patch16-224"]
    assert siglip["source"] == "hugging-face" and siglip["has_text"] and not siglip["available"]
    assert "tokenizer.json" in siglip["needs"] and siglip["looks_in"]
    assert models[example_plugin]["source"] == "plugin" and models[example_plugin]["available"]


def test_the_project_works_with_the_chosen_model(corpus: Corpus, histogram: Model) -> None:
    status = ok(corpus.get(""))
    assert status["model"] == histogram  # nobody chose; the only vectors are the plug-in's
    counts = {v["model"]: v["count"] for v in status["vector_sets"]}
    assert counts == {histogram: 6}
    choice = ok(corpus.client.put(corpus.url("/model"), json={"model": histogram}))
    assert choice == {"model": histogram, "chosen": True, "vectors": 6}
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]
    found = ok(corpus.post("/similar", {"image_ids": [ids[0]], "limit": 5}))["items"]
    assert len(found) == 5  # the plug-in's vectors, with no model named in the request
    task = ok(corpus.post("/vectors", {}), 202)  # the project's model by default
    assert task["params"] == {"model": histogram}
    wait_tasks(corpus.client, corpus.pid)
    choice = ok(corpus.client.put(corpus.url("/model"), json={"model": "dinov2-small"}))
    assert choice == {"model": "dinov2-small", "chosen": True, "vectors": 0}
    message = error(corpus.post("/similar", {"image_ids": [ids[0]]}), 404)
    assert "no vectors for the model dinov2-small" in message
    assert "Unknown model" in error(
        corpus.client.put(corpus.url("/model"), json={"model": "x"}), 422
    )
    assert ok(corpus.get(""))["model"] == "dinov2-small"


def _outside(write_image: Callable[..., Path], tmp_path: Path, seed: int) -> bytes:
    """A copy of picture ``seed`` that is not in the project: resized, another format."""
    path = write_image(tmp_path / "outside" / f"{seed}.png", seed=seed)
    buffer = io.BytesIO()
    Image.open(path).resize((200, 150)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def test_search_with_an_outside_image(
    corpus: Corpus, histogram: Model, write_image: Callable[..., Path], tmp_path: Path
) -> None:
    ok(corpus.client.put(corpus.url("/model"), json={"model": histogram}))
    before = ok(corpus.get(""))
    thumbs = sorted((corpus.root / "thumbnails").rglob("*"))
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]  # a/0-2, b/3-5
    data = _outside(write_image, tmp_path, 4)
    found = ok(corpus.post("/search/image", content=data, headers={"content-type": "image/jpeg"}))
    items = found["items"]
    assert items[0]["image_id"] == ids[4] and len(items) == 6
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.95
    # the ranking is the cosine between the upload, embedded by the plug-in, and each vector
    embedder = load_embedder(histogram)
    query = embedder.embed_batch(prepare_bytes(data, embedder.preprocessing)[np.newaxis])[0]
    with open_store(corpus.root) as project:
        stored, X, _ = load_project_vectors(project)
    by_id = dict(zip(stored.tolist(), (X @ query).tolist(), strict=True))
    assert np.allclose(scores, [by_id[item["image_id"]] for item in items], atol=1e-5)
    few = ok(corpus.post("/search/image?limit=2", content=data))["items"]
    assert [item["image_id"] for item in few] == [item["image_id"] for item in items[:2]]
    close = ok(corpus.post("/search/image?min_score=0.5", content=data))["items"]
    assert [item["image_id"] for item in close] == [ids[4]]
    after = ok(corpus.get(""))
    assert (after["files"], after["images"]) == (before["files"], before["images"])
    assert sorted((corpus.root / "thumbnails").rglob("*")) == thumbs  # nothing stored


def test_bad_uploads_are_refused_with_a_sentence(
    tmp_path: Path, write_image: Callable[..., Path], example_plugin: str
) -> None:
    with make_client(tmp_path, max_upload_bytes=4096) as client:
        write_image(tmp_path / "photos" / "0.png", seed=0)
        pid = open_project(client, tmp_path / "project")
        ok(
            client.post(f"/api/projects/{pid}/folders", json={"path": str(tmp_path / "photos")}),
            202,
        )
        wait_tasks(client, pid)
        url = f"/api/projects/{pid}/search/image"
        assert "no vectors" in error(client.post(url, content=b"x" * 10), 404)
        ok(client.post(f"/api/projects/{pid}/vectors", json={"model": example_plugin}), 202)
        wait_tasks(client, pid)
        assert "cannot be used as an image" in error(client.post(url, content=b"GIF89a nope"), 422)
        assert "request body" in error(client.post(url, content=b""), 422)
        assert "larger than" in error(client.post(url, content=bytes(5000)), 413)
        assert "limit" in error(client.post(f"{url}?limit=0", content=b"x"), 422)
