"""The web UI on a 100,000-image project, measured in headless Chromium (Debian's).

Builds (once, cached under bench-output/) a synthetic project of ``--n`` images: real database
rows written by the store, real 128/512-px JPEG thumbnails (hard links to a pool of distinct
pictures), and synthetic vectors in 50 clusters under the default model's name. Then, against
a real server from the app factory, it prints:

- time from opening the project (navigation start) to the first thumbnails shown, and to the
  first screen of thumbnails complete;
- scroll smoothness of the grid: frame times while scrolling at a reading pace and flinging;
- the map: time to the first render, and frames per second while panning and zooming.

    python bench/ui_bench.py [--n 100000] [--seconds 5]

Frame times come from requestAnimationFrame in the page; ``--disable-gpu`` means software WebGL
(SwiftShader), a pessimistic stand-in for a laptop's GPU.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import statistics
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from corpuscope.ingest.records import FileRecord, ImageRecord
from corpuscope.ingest.thumbnails import thumbnail_path
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import create_project, is_project, open_project
from corpuscope.store.files import save_file_records
from corpuscope.store.folders import mark_folder_imported, save_folder

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CORPUSCOPE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
POOL = 500
CLUSTERS = 50
DIM = 64


def _pool_picture(index: int, size: int) -> Image.Image:
    rng = np.random.default_rng(index)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = rng.uniform(0, 255, 3)
    slope = rng.uniform(-120, 120, (3, 2))
    rgb = base + slope[:, 0] * xx[..., None] + slope[:, 1] * yy[..., None]
    period = rng.uniform(0.05, 0.3)
    rgb += 40 * np.sin((xx + yy) / period)[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def build(root: Path, n: int, *, dim: int = DIM, clusters: int = CLUSTERS) -> None:
    """The synthetic project (kept between runs: building it takes a minute or two).

    ``dim``/``clusters``: the vectors' size and planted clusters (written in chunks, so a
    million 1280-d vectors never sit in memory at once).
    """
    marker = root / (
        f".bench-{n}" if (dim, clusters) == (DIM, CLUSTERS) else f".bench-{n}-{dim}-{clusters}"
    )
    if marker.exists():
        return
    pool = root.parent / "pool"
    pool.mkdir(parents=True, exist_ok=True)
    for index in range(POOL):
        for size in (128, 512):
            path = pool / f"{index}-{size}.jpg"
            if not path.exists():
                _pool_picture(index, size).save(path, quality=85)
    project = create_project(root) if not is_project(root) else open_project(root)
    folder_path = root.parent / "images"
    folder_path.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    with project:
        with project.write() as conn:
            folder = save_folder(conn, folder_path)
        batch = 10_000
        for start in range(0, n, batch):
            records = []
            for i in range(start, min(start + batch, n)):
                sha1 = hashlib.sha1(f"bench-{i}".encode()).hexdigest()
                records.append(
                    FileRecord(
                        f"img{i:06d}.jpg", 1000, 0, sha1, ImageRecord(sha1, 640, 480, "JPEG", None)
                    )
                )
                for size in (128, 512):
                    target = thumbnail_path(project.thumbs_dir, sha1, size)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if not target.exists():
                        os.link(pool / f"{i % POOL}-{size}.jpg", target)
            with project.write() as conn:
                save_file_records(conn, folder, records, exists=lambda path: True)
        with project.write() as conn:
            mark_folder_imported(conn, folder.id)
            vector_set = vecstore.save_vector_set(
                conn,
                model="efficientnet-lite0",
                version="bench",
                dim=dim,
                preprocessing="synthetic",
                runtime="none",
            )
            ids = np.array(
                [row[0] for row in conn.execute("SELECT id FROM images ORDER BY id")],
                dtype=np.int64,
            )
        chunk = 20_000
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            labels = rng.integers(0, clusters, len(part))
            X = centres[labels] + 0.35 * rng.normal(size=(len(part), dim)).astype(np.float32)
            X /= np.linalg.norm(X, axis=1, keepdims=True)
            with project.write() as conn:
                vecstore.save_vectors(conn, vector_set, part, X)
        vecstore.load_vectors(project.read(), vector_set, project.cache_dir)  # the load cache
    marker.touch()


def serve(root: Path, home: Path) -> tuple[str, object, threading.Thread]:
    import uvicorn

    from corpuscope.web import Settings, create_app
    from corpuscope.web.app import prepare

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(Settings(projects=(root,), home=home, port=port, token=None))
    prepare(app)  # as `corpuscope serve` does before it prints its address
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}/", server, thread


# In the page: when grid thumbnails finish loading (capture-phase load events).
WATCH_THUMBS = """
window.__thumbs = { first: null, count: 0 };
document.addEventListener('load', (event) => {
  const target = event.target;
  if (target instanceof HTMLImageElement && target.closest('[data-testid=grid]')) {
    window.__thumbs.count += 1;
    if (window.__thumbs.first === null) window.__thumbs.first = performance.now();
  }
}, true);
"""

SCREEN_COMPLETE = """() => {
  const grid = document.querySelector('[data-testid=grid]');
  if (!grid) return false;
  const box = grid.getBoundingClientRect();
  const imgs = [...grid.querySelectorAll('img')].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  });
  return imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0) ? performance.now() : false;
}"""

# Scroll the grid by `step` px per frame for `seconds`; return frame durations in ms.
SCROLL = """async ([step, seconds]) => {
  const grid = document.querySelector('[data-testid=grid]');
  const frames = [];
  let last = performance.now();
  const end = last + seconds * 1000;
  await new Promise((resolve) => {
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      grid.scrollTop += step;
      if (now < end) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  return frames.slice(1);
}"""

# Pan (drag) or zoom (wheel) the map for `seconds`, one synthetic event per frame.
MAP_MOTION = """async ([mode, seconds]) => {
  const canvas = document.querySelector('[data-testid=map] canvas');
  const box = canvas.getBoundingClientRect();
  const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
  const stats = window.__corpuscopeMap;
  const drawsBefore = stats.draws;
  const rendersBefore = stats.renders;
  const thinBefore = stats.thinRenders;
  const frames = [];
  let last = performance.now();
  const start = last;
  const end = last + seconds * 1000;
  if (mode === 'pan') canvas.dispatchEvent(new PointerEvent('pointerdown', { clientX: cx, clientY: cy, pointerId: 1, bubbles: true }));
  let k = 0;
  await new Promise((resolve) => {
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      k += 1;
      if (mode === 'pan') {
        const angle = k / 20;
        canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: cx + 200 * Math.cos(angle), clientY: cy + 150 * Math.sin(angle), pointerId: 1, bubbles: true }));
      } else {
        canvas.dispatchEvent(new WheelEvent('wheel', { clientX: cx + 50, clientY: cy - 30, deltaY: (Math.floor(k / 40) % 2 ? 1 : -1) * 60, bubbles: true, cancelable: true }));
      }
      if (now < end) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  if (mode === 'pan') canvas.dispatchEvent(new PointerEvent('pointerup', { pointerId: 1, bubbles: true }));
  const seconds_ = (performance.now() - start) / 1000;
  return { frames: frames.slice(1), draws: stats.draws - drawsBefore, renders: stats.renders - rendersBefore, thin: stats.thinRenders - thinBefore, seconds: seconds_, points: stats.points };
}"""


def describe(frames: list[float]) -> str:
    frames = sorted(frames)
    mean = statistics.fmean(frames)
    p95 = frames[int(0.95 * (len(frames) - 1))]
    slow = sum(f > 1000 / 30 for f in frames) / len(frames)
    return (
        f"{len(frames)} frames, {1000 / mean:.0f} fps mean, frame time mean {mean:.1f} ms, "
        f"p95 {p95:.1f} ms, max {frames[-1]:.1f} ms, {100 * slow:.1f}% over 33 ms"
    )


def measure_grid(page: Page, url: str, pid: str, seconds: float) -> dict[str, object]:
    """Open the grid: time to the first thumbnails, then frame times while scrolling."""
    results: dict[str, object] = {}
    page.add_init_script(WATCH_THUMBS)
    page.goto(f"{url}#/p/{pid}/grid")
    page.wait_for_function("() => window.__thumbs.first !== null", timeout=300_000)
    complete = page.wait_for_function(SCREEN_COMPLETE, timeout=300_000).json_value()
    first = page.evaluate("window.__thumbs.first")
    print(
        f"grid: first thumbnail shown {first:.0f} ms after navigation; first screen complete at {complete:.0f} ms"
    )
    results["first_thumbnail_ms"] = first
    results["first_screen_ms"] = complete
    for name, step in (("reading pace, 40 px/frame", 40), ("fling, 400 px/frame", 400)):
        frames = page.evaluate(SCROLL, [step, seconds])
        print(f"grid scroll ({name}): {describe(frames)}")
        results[f"scroll_{step}"] = frames
    return results


def _map_first_render(page: Page, url: str, pid: str) -> float:
    page.goto("about:blank")
    page.goto(f"{url}#/p/{pid}/map")
    page.wait_for_function(
        "() => performance.getEntriesByName('corpuscope:map-first-render').length > 0",
        timeout=600_000,
    )
    started: float = page.evaluate(
        "performance.getEntriesByName('corpuscope:map-first-render')[0].startTime"
    )
    return started


def measure_map(page: Page, url: str, pid: str, seconds: float) -> dict[str, object]:
    """Open the map twice (layout computed, then cached), then pan and zoom it."""
    results: dict[str, object] = {}
    first_map = _map_first_render(page, url, pid)
    print(
        f"map: first render {first_map:.0f} ms after navigation (the server lays the map out on first use)"
    )
    results["map_first_render_ms"] = first_map
    cached = _map_first_render(page, url, pid)
    print(f"map: first render {cached:.0f} ms after navigation, layout already computed")
    results["map_cached_render_ms"] = cached
    page.wait_for_timeout(1000)
    for mode in ("pan", "zoom"):
        motion = page.evaluate(MAP_MOTION, [mode, seconds])
        fps = motion["draws"] / motion["seconds"]
        print(
            f"map {mode} ({motion['points']:,} points): {fps:.0f} frames/s drawn, "
            f"{motion['renders']} full WebGL redraws ({motion['thin']} of a sample of the points); "
            f"{describe(motion['frames'])}"
        )
        results[f"map_{mode}"] = motion
        results[f"map_{mode}_fps"] = fps
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=REPO / "bench-output" / "ui")
    parser.add_argument("--no-map", action="store_true", help="Measure the grid only.")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = args.out / f"project-{args.n}"
    started = time.perf_counter()
    build(root, args.n)
    print(f"project: {args.n:,} images ready in {time.perf_counter() - started:.0f} s ({root})")
    for cached_map in (root / "cache").glob("map-*"):
        cached_map.unlink()  # the first map render includes laying the map out
    url, server, thread = serve(root, args.out / "home")
    results: dict[str, object] = {}
    try:
        from corpuscope.web.hub import project_id

        pid = project_id(root.resolve())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            results |= measure_grid(page, url, pid, args.seconds)
            if not args.no_map:
                results |= measure_map(page, url, pid, args.seconds)
            browser.close()
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(timeout=30)
    (args.out / "results.json").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
