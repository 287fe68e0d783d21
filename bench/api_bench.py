"""HTTP overhead of the API on a synthetic 100,000-image project.

Each operation is timed through HTTP (a real uvicorn server on 127.0.0.1, an httpx client)
and as the same call made directly on the service, in the same process and run; the ratio
is the cost of the web layer (routing, validation, JSON both ways, the socket).

The project is made through the store functions (no image files): N images in 100 folders
of one imported folder, a tag property "Family" (5 parents x 4 children, each image tagged
with one child), and N synthetic unit vectors (d=512, 50 planted clusters). It is built once
into bench-output/api-project and reused.

    python bench/api_bench.py [--n 100000] [--dim 512] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import socket
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn

from corpuscope.ingest.records import FileRecord, ImageRecord
from corpuscope.services.grouping import group_images
from corpuscope.services.images import ConditionSpec, FilterSpec, SortSpec, list_images
from corpuscope.store.db import Project, create_project, is_project, open_project
from corpuscope.store.files import save_file_records
from corpuscope.store.folders import save_folder
from corpuscope.store.properties import find_property, save_property
from corpuscope.store.tags import save_tag
from corpuscope.store.values import add_tag_values
from corpuscope.store.vectors import save_vector_set, save_vectors
from corpuscope.web import Settings, create_app
from corpuscope.web.app import prepare

OUT = Path(__file__).resolve().parents[1] / "bench-output"
MODEL = "efficientnet-lite0"  # the default model name, so services find the vectors
CHUNK = 10_000


def build(root: Path, n: int, dim: int) -> None:
    """The synthetic project: images, a two-level tag property, vectors."""
    if root.exists():
        shutil.rmtree(root)
    rng = np.random.default_rng(0)
    with create_project(root) as project:
        with project.write() as conn:
            folder = save_folder(conn, Path("/synthetic/photos"))
        for start in range(0, n, CHUNK):
            records = []
            for i in range(start, min(n, start + CHUNK)):
                sha1 = hashlib.sha1(str(i).encode()).hexdigest()
                image = ImageRecord(sha1, 640, 480, "JPEG", None)
                path = f"{i % 100:02}/img-{i:06}.jpg"
                records.append(FileRecord(path, 1000, 0, sha1=sha1, image=image))
            with project.write() as conn:
                save_file_records(conn, folder, records, exists=lambda path: True)
        with project.write() as conn:
            prop = save_property(conn, "Family", "tag", "image")
            leaves = []
            for p in range(5):
                parent = save_tag(conn, prop, f"family {p}")
                leaves += [save_tag(conn, prop, f"{p}.{c}", parents=[parent.id]) for c in range(4)]
            ids = np.arange(1, n + 1)
            labels = rng.integers(0, len(leaves), n)
            for leaf, tag in enumerate(leaves):
                add_tag_values(conn, prop, ids[labels == leaf].tolist(), [tag.id])
        _vectors(project, n, dim, rng)


def _vectors(project: Project, n: int, dim: int, rng: np.random.Generator) -> None:
    centers = rng.normal(size=(50, dim)).astype(np.float32)
    with project.write() as conn:
        vector_set = save_vector_set(
            conn, model=MODEL, version="bench", dim=dim, preprocessing="synthetic", runtime="none"
        )
    for start in range(0, n, CHUNK):
        ids = np.arange(start + 1, min(n, start + CHUNK) + 1, dtype=np.int64)
        X = centers[rng.integers(0, 50, len(ids))] + rng.normal(size=(len(ids), dim)) * 0.6
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        with project.write() as conn:
            save_vectors(conn, vector_set, ids, X.astype(np.float32))


def median_ms(call: Callable[[], Any], repeat: int) -> float:
    call()  # warm: caches, prepared statements, first vector load
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def serve(root: Path, home: Path) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(projects=(root,), home=home, port=port, token=None))
    prepare(app)  # as `corpuscope serve` does before it prints its address
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def operations(
    project: Project, http: httpx.Client, api: str, prop: int
) -> list[tuple[str, Any, Any]]:
    """(name, direct call, HTTP call) for each operation."""
    middle = {"offset": 50_000, "limit": 200}
    family = {"property": prop, "op": "any", "tags": ["family 2"]}
    filtered = FilterSpec(conditions=[ConditionSpec(prop, "any", tags=["family 2"])])
    found: list[tuple[str, Any, Any]] = [
        (
            "page of 200 (by id, offset 50,000)",
            lambda: list_images(project, offset=50_000, limit=200),
            lambda: http.post(f"{api}/images/query", json=middle).raise_for_status(),
        ),
        (
            "page of 200 (tag filter, by path)",
            lambda: list_images(project, filtered, SortSpec("path"), limit=200),
            lambda: http.post(
                f"{api}/images/query",
                json={"filter": {"conditions": [family]}, "sort": {"key": "path"}, "limit": 200},
            ).raise_for_status(),
        ),
        (
            "grouping by a tag property",
            lambda: group_images(project, [prop]),
            lambda: http.post(f"{api}/grouping", json={"levels": [prop]}).raise_for_status(),
        ),
    ]
    return found + _analysis_operations(project, http, api)


def _run_task(http: httpx.Client, api: str, body: dict[str, Any]) -> None:
    """Queue a run (a task) and wait for it, as a script would."""
    task = http.post(f"{api}/runs", json=body, timeout=600).raise_for_status().json()
    while task["active"]:
        time.sleep(0.01)
        task = http.get(f"{api}/tasks/{task['id']}").raise_for_status().json()
    assert task["status"] == "done", task


def _analysis_operations(
    project: Project, http: httpx.Client, api: str
) -> list[tuple[str, Any, Any]]:
    """Clustering and recommendations, when their services are there."""
    found: list[tuple[str, Any, Any]] = []
    try:
        from corpuscope.services.clustering import run_clustering
    except ImportError as error:
        print(f"(clustering not timed: {error})")
        return found
    found.append(
        (
            "clustering run, k=20, all images",
            lambda: run_clustering(project, k=20),
            lambda: _run_task(http, api, {"algorithm": "kmeans", "k": 20}),
        )
    )
    try:
        from corpuscope.services.recommendations import recommend
    except ImportError as error:
        print(f"(recommendations not timed: {error})")
        return found
    seeds = list(range(1, 51))
    body = {"image_ids": seeds, "target": "bench", "limit": 100}
    found.append(
        (
            "recommendations for 50 images, top 100",
            lambda: recommend(project, target="bench", image_ids=seeds, limit=100),
            lambda: http.post(f"{api}/recommendations", json=body).raise_for_status(),
        )
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    root = OUT / "api-project"
    stamp = root / f"built-{args.n}-{args.dim}"
    if not (is_project(root) and stamp.exists()):
        started = time.perf_counter()
        build(root, args.n, args.dim)
        stamp.touch()
        print(f"built a {args.n:,}-image project in {time.perf_counter() - started:.0f} s")
    server, base = serve(root, OUT / "api-home")
    try:
        with open_project(root) as project, httpx.Client(timeout=120) as http:
            pid = http.get(f"{base}/api/projects").json()["projects"][0]["id"]
            found = find_property(project.read(), "Family")
            assert found is not None
            print(f"{'operation':<42} {'direct ms':>10} {'HTTP ms':>10} {'ratio':>7}")
            for name, direct, over_http in operations(
                project, http, f"{base}/api/projects/{pid}", found.id
            ):
                direct_ms = median_ms(direct, args.repeat)
                http_ms = median_ms(over_http, args.repeat)
                print(f"{name:<42} {direct_ms:>10.1f} {http_ms:>10.1f} {http_ms / direct_ms:>7.2f}")
    finally:
        server.should_exit = True


if __name__ == "__main__":
    main()
