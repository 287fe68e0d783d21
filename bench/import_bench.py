"""Import speed: corpuscope's importer against a naive importer, measured in the same run.

The corpus: N JPEGs of 3000 x 2000 px (camera-sized, quality 90), each a mosaic of 500-px
crops of scikit-image's photographs at their own resolution, flipped and tinted at random, so
that every file is a different image with camera-like detail. It is generated once into
bench-output/import-corpus-mosaic and reused.

The naive baseline does what a first version would: one process, full decode, Image.thumbnail
for both sizes, and one SQLite commit per image.

    python bench/import_bench.py [--n 2000] [--baseline-n 500]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import multiprocessing
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[1] / "bench-output" / "import-corpus-mosaic"
SIZE = (3000, 2000)


@functools.lru_cache(maxsize=1)
def _base_photos() -> list[np.ndarray]:
    from skimage import data

    names = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "retina",
             "immunohistochemistry", "motorcycle")  # fmt: skip
    photos = []
    for name in names:
        loader = data.stereo_motorcycle if name == "motorcycle" else getattr(data, name)
        photo = loader()[0] if name == "motorcycle" else loader()
        photos.append(np.asarray(Image.fromarray(photo).convert("RGB")))
    return photos


def _make(index: int) -> None:
    """A camera-sized picture with camera-like detail: a 6 x 4 mosaic of 500-px crops of real
    photographs at their own resolution (an upscaled photograph is far smoother than a camera
    JPEG, which would flatter every decoder), flipped and tinted at random."""
    path = OUT / f"{index // 500:02}" / f"img-{index:05}.jpg"
    if path.exists():
        return
    rng = np.random.default_rng(index)
    photos = _base_photos()
    tile = SIZE[0] // 6
    canvas = np.empty((SIZE[1], SIZE[0], 3), dtype=np.float32)
    for row in range(SIZE[1] // tile):
        for col in range(6):
            photo = photos[int(rng.integers(len(photos)))]
            top = int(rng.integers(0, photo.shape[0] - tile + 1)) if photo.shape[0] > tile else 0
            left = int(rng.integers(0, photo.shape[1] - tile + 1)) if photo.shape[1] > tile else 0
            piece = Image.fromarray(photo[top : top + tile, left : left + tile]).resize(
                (tile, tile)
            )
            block = np.asarray(piece, dtype=np.float32)[:, :: int(rng.choice([-1, 1]))]
            canvas[row * tile : (row + 1) * tile, col * tile : (col + 1) * tile] = (
                block * rng.uniform(0.85, 1.15, 3)
            )
    canvas += rng.normal(0, 2, canvas.shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8)).save(temporary, "JPEG", quality=90)
    temporary.rename(path)


def make_corpus(n: int) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    with multiprocessing.get_context("spawn").Pool() as pool:
        pool.map(_make, range(n), chunksize=8)
    return sorted(OUT.rglob("*.jpg"))[:n]


def naive_import(files: list[Path], work: Path) -> float:
    """Images per second: full decode, Image.thumbnail, one commit per image, one process."""
    conn = sqlite3.connect(work / "naive.db")
    conn.execute("CREATE TABLE images (path TEXT, sha1 TEXT, width INT, height INT)")
    thumbs = work / "naive-thumbs"
    thumbs.mkdir()
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        sha1 = hashlib.sha1(data).hexdigest()
        with Image.open(path) as image:
            image.load()
            size = image.size
            large = image.convert("RGB")
            large.thumbnail((512, 512))
            large.save(thumbs / f"{sha1}-512.jpg", quality=85)
            small = large.copy()
            small.thumbnail((128, 128))
            small.save(thumbs / f"{sha1}-128.jpg", quality=85)
        conn.execute("INSERT INTO images VALUES (?, ?, ?, ?)", (str(path), sha1, *size))
        conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return len(files) / elapsed


def corpuscope_import(files: list[Path], work: Path, workers: int | None) -> float:
    from corpuscope.services.importing import ImportOptions, run_import
    from corpuscope.store.db import create_project

    folder = work / "corpus"
    folder.mkdir()
    for path in files:
        (folder / path.name).symlink_to(path)
    with create_project(work / "project") as project:
        started = time.perf_counter()
        summary = run_import(project, [folder], ImportOptions(workers=workers))
        elapsed = time.perf_counter() - started
    assert summary.errors == 0 and summary.added == len(files), summary
    return len(files) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="JPEGs imported by corpuscope")
    parser.add_argument("--workers", type=int, default=None, help="import worker processes")
    parser.add_argument(
        "--baseline-n", type=int, default=500, help="JPEGs imported by the naive baseline"
    )
    args = parser.parse_args()
    print(f"generating {args.n} JPEGs of {SIZE[0]}x{SIZE[1]} (cached in {OUT}) ...", flush=True)
    files = make_corpus(args.n)
    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        ours = corpuscope_import(files, work, args.workers)
        naive = naive_import(files[: args.baseline_n], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'importer':<40} {'images':>7} {'images/s':>9}")
    print(
        f"{'naive (full decode, commit per image)':<40} {min(args.baseline_n, len(files)):>7} {naive:>9.1f}"
    )
    print(f"{'corpuscope':<40} {len(files):>7} {ours:>9.1f}")
    print(f"ratio corpuscope / naive: {ours / naive:.2f}x (target >= 4x)")


if __name__ == "__main__":
    main()
