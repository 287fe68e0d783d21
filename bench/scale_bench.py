"""A million images on one machine: each interactive step timed against the issue's targets.

Builds (once, kept under bench-output/scale/) a synthetic project of ``--n`` images through the
store's own functions (``ui_bench.build``): real rows, real 128/512-px JPEG thumbnails (hard
links to a pool of 500 distinct pictures: two million separate files would cost minutes and
gigabytes for nothing the grid can tell apart), ``--dim``-d unit vectors in 100 planted
clusters under the default model's name, and layout fingerprints (random, with 1 % planted
near-copies; the pooled thumbnails would make every 500th image a duplicate). Then each step
runs in its own process, so that its peak memory (RSS) is its own and its caches are cold:

- ``kmeans``: k-means k=100 through the service (recorded as a run), against scikit-learn's
  KMeans (n_init=1) on a sample, extrapolated linearly to n;
- ``auto``: automatic clustering through the service, with its progress reports counted;
- ``duplicates``: the near-duplicate run through the service, against the exact all-pairs scan
  of a sample of rows, extrapolated to n;
- ``map``: the 2-D map laid out cold (cache removed), through the service;
- ``index``: the nearest-neighbour index of similar images and recommendations built cold (its
  file removed), as ``corpuscope vectors`` does at its end; against the exact scan of one query;
- ``http``: over HTTP to a real server: first page of the project and of a group (the grid's
  first thumbnails' data), similar images, recommendations; cold (first call) and warm median;
- ``ui``: headless Chromium (ui_bench): first thumbnails, grid scroll, map fps at n points.

    flock /tmp/bench.lock .venv/bin/python bench/scale_bench.py [--n 1000000] [--dim 1280]
        [--steps kmeans,auto,duplicates,map,index,http,ui] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ui_bench
from api_bench import median_ms
from corpuscope.analysis.detail import DETAIL_LENGTH
from corpuscope.analysis.fingerprint import FINGERPRINT_DTYPE, FINGERPRINT_LENGTH
from corpuscope.store.db import Project, open_project
from corpuscope.store.files import save_fingerprints

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench-output" / "scale"
CLUSTERS = 100
STEPS = ("kmeans", "auto", "duplicates", "map", "index", "http", "ui")
# The targets, in seconds (or frames per second for the browser's figures).
TARGETS = {
    "kmeans": 60.0,
    "auto": 300.0,
    "duplicates": 600.0,
    "map": 300.0,
    "first page": 1.0,
    "similar": 0.2,
    "recommendations": 0.2,
}
GIB = 1024**3


def project_root(n: int, dim: int) -> Path:
    return OUT / f"project-{n}-{dim}"


def build(n: int, dim: int) -> Path:
    """The project, built once (rows, thumbnails, vectors by ui_bench; then fingerprints)."""
    root = project_root(n, dim)
    marker = root / ".scale-fingerprints"
    if marker.exists():
        return root
    started = time.perf_counter()
    ui_bench.build(root, n, dim=dim, clusters=CLUSTERS)
    print(f"rows, thumbnails and vectors: {time.perf_counter() - started:.0f} s", flush=True)
    with open_project(root) as project:
        _fingerprints(project, n)
    marker.touch()
    print(f"built {n:,} images in {time.perf_counter() - started:.0f} s ({root})", flush=True)
    return root


def _fingerprints(project: Project, n: int, chunk: int = 50_000) -> None:
    rng = np.random.default_rng(1)
    width = FINGERPRINT_LENGTH + DETAIL_LENGTH
    for start in range(0, n, chunk):
        count = min(chunk, n - start)
        rows = rng.normal(size=(count, width)).astype(np.float32)
        copies = np.flatnonzero(rng.random(count) < 0.01)
        copies = copies[copies > 0]
        rows[copies] = rows[copies - 1] + 0.02 * rng.normal(size=(len(copies), width))
        blobs = rows.astype(FINGERPRINT_DTYPE)
        with project.write() as conn:
            save_fingerprints(conn, ((start + k + 1, blobs[k].tobytes()) for k in range(count)))


# --- the steps, each run in a child process -------------------------------------------------


def step_kmeans(project: Project, n: int) -> dict[str, Any]:
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    from corpuscope.services.clustering import run_clustering
    from corpuscope.services.vectors import load_project_vectors

    started = time.perf_counter()
    run = run_clustering(project, k=100)
    seconds = time.perf_counter() - started
    _, X, _ = load_project_vectors(project)
    sample = np.asarray(X[np.random.default_rng(0).choice(len(X), min(n, 20_000), replace=False)])
    with threadpool_limits(1, "blas"):  # its fastest setting here (FIELD_NOTES)
        began = time.perf_counter()
        KMeans(100, n_init=1, random_state=0).fit(sample)
        baseline = (time.perf_counter() - began) * n / len(sample)
    return {
        "seconds": seconds,
        "baseline": baseline,
        "baseline_name": f"scikit-learn KMeans on {len(sample):,}, x{n / len(sample):.0f}",
        "note": f"{len(run.groups)} groups",
    }


def _reporter(calls: list[tuple[int, int, str]]) -> Callable[[int, int, str], None]:
    return lambda done, total, message: calls.append((done, total, message))


def step_auto(project: Project, n: int) -> dict[str, Any]:
    import inspect

    from corpuscope.services.clustering import run_clustering

    calls: list[tuple[int, int, str]] = []
    extra: dict[str, Any] = {}
    if "report" in inspect.signature(run_clustering).parameters:
        extra["report"] = _reporter(calls)
    started = time.perf_counter()
    run = run_clustering(project, k=-1, **extra)
    seconds = time.perf_counter() - started
    progress = f"{len(calls)} progress reports" if extra else "no progress (no report parameter)"
    return {"seconds": seconds, "note": f"{len(run.groups)} groups; {progress}"}


def step_duplicates(project: Project, n: int) -> dict[str, Any]:
    from corpuscope.services.duplicates import run_duplicates
    from corpuscope.services.vectors import load_project_vectors

    calls: list[tuple[int, int, str]] = []
    started = time.perf_counter()
    run = run_duplicates(project, report=_reporter(calls))
    seconds = time.perf_counter() - started
    # The exact scan: every pair's cosine, computed for a sample of rows against all n.
    _, X, _ = load_project_vectors(project)
    rows = min(n, 2_000)
    began = time.perf_counter()
    for first in range(0, rows, 500):
        scores = np.asarray(X[first : first + 500]) @ np.asarray(X).T
        np.flatnonzero(scores >= 0.95)
    baseline = (time.perf_counter() - began) * n / rows / 2  # each pair once
    return {
        "seconds": seconds,
        "baseline": baseline,
        "baseline_name": f"exact all-pairs scan of {rows:,} rows, extrapolated",
        "note": f"{len(run.groups)} groups; {len(calls)} progress reports",
    }


def step_map(project: Project, n: int) -> dict[str, Any]:
    from corpuscope.services.maps import map_coordinates

    for cached in project.cache_dir.glob("map-*"):
        cached.unlink()
    started = time.perf_counter()
    ids, _ = map_coordinates(project)
    return {"seconds": time.perf_counter() - started, "note": f"{len(ids):,} points"}


def step_index(project: Project, n: int) -> dict[str, Any]:
    from corpuscope.services.vector_search import vector_index_for
    from corpuscope.services.vectors import load_project_vectors

    for cached in project.cache_dir.glob("index-*"):
        cached.unlink()
    _, X, vector_set = load_project_vectors(project)
    started = time.perf_counter()
    found = vector_index_for(project, vector_set, X)
    seconds = time.perf_counter() - started
    began = time.perf_counter()
    np.argpartition(-(np.asarray(X) @ np.asarray(X[7])), 100)[:100]
    scan = time.perf_counter() - began
    note = "exact below the limit, no index" if found is None else f"{found.n:,} rows"
    return {"seconds": seconds, "note": f"{note}; one exact scan {1000 * scan:.0f} ms"}


def step_http(project: Project, n: int) -> dict[str, Any]:
    import httpx

    from api_bench import serve
    from corpuscope.services.runs import list_runs, load_run

    runs = [run for run in list_runs(project) if run.algorithm == "kmeans"]
    group = load_run(project, runs[-1].id, members=False).groups[0].id if runs else None
    server, base = serve(project.root, OUT / "home")
    figures: dict[str, Any] = {}
    try:
        with httpx.Client(timeout=600) as http:
            pid = http.get(f"{base}/api/projects").json()["projects"][0]["id"]
            api = f"{base}/api/projects/{pid}"
            calls: dict[str, Callable[[], Any]] = {
                "first page (project)": lambda: http.post(
                    f"{api}/images/query", json={"limit": 200}
                ).raise_for_status(),
                "similar images (1 image, top 100)": lambda: http.post(
                    f"{api}/similar", json={"image_ids": [7], "limit": 100}
                ).raise_for_status(),
                "recommendations (50 images, top 100)": lambda: http.post(
                    f"{api}/recommendations",
                    json={"image_ids": list(range(1, 51)), "target": "bench", "limit": 100},
                ).raise_for_status(),
            }
            if group is not None:
                body = {"filter": {"group_id": group}, "sort": {"key": "rank"}, "limit": 200}
                calls["first page (group, by rank)"] = lambda: http.post(
                    f"{api}/images/query", json=body
                ).raise_for_status()
            for name, call in calls.items():
                if name.startswith("similar"):  # the searches: once the server's warm-up is done
                    figures["warm-up after start"] = {"cold_s": _warm_up_left(), "warm_s": 0.0}
                started = time.perf_counter()
                call()
                cold = time.perf_counter() - started
                figures[name] = {"cold_s": cold, "warm_s": median_ms(call, 5) / 1000}
    finally:
        server.should_exit = True
    return {"calls": figures}


def _warm_up_left() -> float:
    """Seconds spent waiting for the server's background load of the vectors and index."""
    started = time.perf_counter()
    for thread in threading.enumerate():
        if thread.name == "warm-vectors":
            thread.join()
    return time.perf_counter() - started


def step_ui(project: Project, n: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from corpuscope.web.hub import project_id

    url, server, thread = ui_bench.serve(project.root, OUT / "home")
    try:
        pid = project_id(project.root.resolve())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=ui_bench.CHROMIUM, args=ui_bench.ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            figures = ui_bench.measure_grid(page, url, pid, 5.0)
            figures |= ui_bench.measure_map(page, url, pid, 5.0)
            browser.close()
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=30)
    summary: dict[str, Any] = {}
    for key, value in figures.items():
        if isinstance(value, list):  # frame times: keep the mean rate only
            summary[key + "_fps"] = 1000 / float(np.mean(value))
        elif not isinstance(value, dict):
            summary[key] = value
    return {"ui": summary}


STEP_FUNCTIONS: dict[str, Callable[[Project, int], dict[str, Any]]] = {
    "kmeans": step_kmeans,
    "auto": step_auto,
    "duplicates": step_duplicates,
    "map": step_map,
    "index": step_index,
    "http": step_http,
    "ui": step_ui,
}


def run_step(name: str, n: int, dim: int) -> None:
    """In the child: run one step and print its figures as the last line (JSON)."""
    with open_project(project_root(n, dim)) as project:
        figures = STEP_FUNCTIONS[name](project, n)
    figures["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB
    print(json.dumps(figures), flush=True)


def report(name: str, figures: dict[str, Any]) -> None:
    rss = f"peak RSS {figures['peak_rss_gib']:.1f} GiB"
    if "seconds" in figures:
        target = f"target < {TARGETS[name]:.0f} s" if name in TARGETS else "no target"
        line = f"{name:<11} {figures['seconds']:8.1f} s ({target})"
        if "baseline" in figures:
            ratio = figures["baseline"] / figures["seconds"]
            line += (
                f"; baseline {figures['baseline']:.1f} s ({figures['baseline_name']}): {ratio:.1f}x"
            )
        print(f"{line}; {figures.get('note', '')}; {rss}", flush=True)
    for call, times in figures.get("calls", {}).items():
        print(
            f"{'http':<11} {call:<40} cold {1000 * times['cold_s']:7.0f} ms, "
            f"warm {1000 * times['warm_s']:7.0f} ms",
            flush=True,
        )
    for key, value in figures.get("ui", {}).items():
        print(f"{'ui':<11} {key:<40} {value:9.1f}", flush=True)
    if "calls" in figures or "ui" in figures:
        print(f"{name:<11} {rss}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=1280)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--timeout", type=float, default=1800, help="Seconds per step.")
    parser.add_argument("--step", help=argparse.SUPPRESS)  # in a child process
    args = parser.parse_args()
    if args.step:
        run_step(args.step, args.n, args.dim)
        return
    build(args.n, args.dim)
    print(f"{args.n:,} images, {args.dim}-d vectors", flush=True)
    for name in args.steps.split(","):
        command = [sys.executable, __file__, "--n", str(args.n), "--dim", str(args.dim)]
        try:
            done = subprocess.run(
                [*command, "--step", name],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            print(f"{name:<11} did not finish within {args.timeout:.0f} s", flush=True)
            continue
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            print(f"{name:<11} failed:\n{done.stderr[-2000:]}", flush=True)
            continue
        report(name, json.loads(lines[-1]))


if __name__ == "__main__":
    main()
