"""End to end: a folder of camera-like JPEGs -> import -> vectors -> automatic clusters.

The corpus: N JPEGs of 2000 x 1500 px (quality 85, about 0.7 MB each), each a mosaic of
250-px crops of ONE of scikit-image's photographs at its own resolution (so that the files
have camera-like detail and the corpus has a planted grouping: the photograph), flipped and
tinted at random, with sensor-like noise; one in four is stored sideways with an EXIF
orientation, as cameras do. It is generated once into bench-output/end-to-end/<N> (10,000
files take about 7 GB) and reused by later runs.

With ``--block B`` (for a corpus larger than the free disk: 100,000 such files take 70 GB) the
folder is imported in blocks of B files: the first block is the cached corpus of B files, each
later one is made of byte copies of it whose EXIF "Make" field differs (the same pixels, other
bytes, hence other content hashes: every file is read, hashed, thumbnailed and embedded as a
new picture), written just before its import and removed after it; the import's time is the sum
of the blocks' imports, the copies' writing left out. Automatic clustering then sees each
picture B times over.

Each stage runs as a user runs it (the services behind ``corpuscope import``, ``vectors`` and
``cluster --k -1``, with their defaults) in a fresh project, and the bench prints its time,
its rate and the peak memory of this process and of its largest worker.

    .venv/bin/python bench/end_to_end.py [--n 10000] [--block 10000]
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[1] / "bench-output" / "end-to-end"
SIZE = (2000, 1500)
TILE = 250  # every photograph has at least 300 px: crops at their own resolution
QUALITY = 85
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "retina",
          "immunohistochemistry", "motorcycle")  # fmt: skip


@functools.lru_cache(maxsize=1)
def _photos() -> list[np.ndarray]:
    from skimage import data

    photos = []
    for name in PHOTOS:
        photo = data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(data, name)()
        photos.append(np.asarray(Image.fromarray(photo).convert("RGB")))
    return photos


@functools.lru_cache(maxsize=1)
def _noise() -> np.ndarray:
    """Sensor-like noise, made once per process and shifted for every picture (fast)."""
    rng = np.random.default_rng(0)
    return rng.normal(0, 2, (SIZE[1] * 2, SIZE[0] * 2, 3)).astype(np.float32)


def _make(job: tuple[Path, int]) -> None:
    folder, index = job
    path = folder / f"{index // 1000:03}" / f"IMG_{index:06}.jpg"
    if path.exists():
        return
    rng = np.random.default_rng(index)
    photo = _photos()[index % len(PHOTOS)]
    canvas = np.empty((SIZE[1], SIZE[0], 3), dtype=np.float32)
    for top in range(0, SIZE[1], TILE):
        for left in range(0, SIZE[0], TILE):
            y = int(rng.integers(0, photo.shape[0] - TILE + 1))
            x = int(rng.integers(0, photo.shape[1] - TILE + 1))
            step = int(rng.choice([-1, 1]))
            canvas[top : top + TILE, left : left + TILE] = photo[y : y + TILE, x : x + TILE][
                :, ::step
            ]
    dy, dx = (int(v) for v in rng.integers(0, SIZE[1], 2))
    canvas *= rng.uniform(0.85, 1.15, 3).astype(np.float32)
    canvas += _noise()[dy : dy + SIZE[1], dx : dx + SIZE[0]]
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x010F] = "corpuscope bench"  # Make
    if index % 4 == 0:  # stored sideways, shown upright
        image = image.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = 6
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    image.save(temporary, "JPEG", quality=QUALITY, exif=exif)
    temporary.rename(path)


def make_corpus(n: int) -> Path:
    folder = OUT / str(n)
    folder.mkdir(parents=True, exist_ok=True)
    with multiprocessing.get_context("spawn").Pool() as pool:
        pool.map(_make, [(folder, index) for index in range(n)], chunksize=16)
    return folder


#: The EXIF "Make" of the generated files, and the same length for the copies of a block.
MAKE = b"corpuscope bench"


def make_block_copy(source: Path, folder: Path, copy: int) -> Path:
    """Byte copies of the JPEGs under ``source`` into ``folder``, their EXIF "Make" changed to
    one of the same length for this ``copy`` number (the same pixels, other bytes)."""
    make = f"corpuscope b{copy:04}".encode()
    assert len(make) == len(MAKE)
    for path in sorted(source.rglob("*.jpg")):
        data = path.read_bytes()
        assert data.count(MAKE) == 1, path
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.replace(MAKE, make))
    return folder


def import_in_blocks(project: Any, n: int, block: int) -> float:
    """Import ``n`` files as blocks of ``block`` (see the module); returns the seconds spent in
    the imports (the copies' writing left out)."""
    from corpuscope.services.importing import run_import

    first = make_corpus(block)
    importing = 0.0
    for copy in range(n // block):
        folder = first if copy == 0 else make_block_copy(first, OUT / "blocks" / f"{copy:03}", copy)
        try:
            started = time.perf_counter()
            run_import(project, [folder])
            importing += time.perf_counter() - started
        finally:
            if copy:
                shutil.rmtree(folder, ignore_errors=True)
        print(f"  block {copy + 1} of {n // block}: {importing:.0f} s importing so far", flush=True)
    return importing


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _stage(name: str, count: int, work: Callable[[], Any]) -> tuple[str, float, int]:
    print(f"{name} ...", flush=True)
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"  {seconds:8.1f} s  {count / seconds:8.1f} images/s  {result}", flush=True)
    return name, seconds, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="JPEGs in the folder")
    parser.add_argument("--keep", action="store_true", help="keep the project afterwards")
    parser.add_argument(
        "--block", type=int, default=0, help="import in blocks of this many files (see above)"
    )
    args = parser.parse_args()
    if args.block and (args.block > args.n or args.n % args.block):
        parser.error("--block must divide --n")

    from corpuscope.services.clustering import run_clustering
    from corpuscope.services.importing import run_import
    from corpuscope.services.vectors import run_vectors
    from corpuscope.store.db import create_project

    first = args.block or args.n
    print(f"generating {first} JPEGs of {SIZE[0]}x{SIZE[1]} (cached in {OUT}) ...", flush=True)
    started = time.perf_counter()
    folder = make_corpus(first)
    print(f"  ready in {time.perf_counter() - started:.0f} s", flush=True)
    work = Path(tempfile.mkdtemp(prefix="end-to-end-"))
    stages = []
    try:
        with create_project(work / "project") as project:

            def cluster() -> str:
                run = run_clustering(project, k=-1)
                return f"{len(run.groups)} groups"

            if args.block:
                print("import (in blocks) ...", flush=True)
                seconds = import_in_blocks(project, args.n, args.block)
                print(f"  {seconds:8.1f} s  {args.n / seconds:8.1f} images/s", flush=True)
                stages.append(("import", seconds, args.n))
            else:
                stages.append(_stage("import", args.n, lambda: run_import(project, [folder])))
            stages.append(_stage("vectors", args.n, lambda: run_vectors(project)))
            stages.append(_stage("automatic clusters", args.n, cluster))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total = sum(seconds for _, seconds, _ in stages)
    print("\n| stage | seconds | images/s | share |\n| --- | --- | --- | --- |")
    for name, seconds, count in stages:
        print(f"| {name} | {seconds:.1f} | {count / seconds:.1f} | {seconds / total:.0%} |")
    print(f"| total | {total:.1f} | {args.n / total:.1f} | 100% |")
    print(f"\npeak memory: this process {_peak_mb(resource.RUSAGE_SELF):.0f} MB, "
          f"largest worker {_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
