"""Vectors on a local Ray instance against the local pipeline, on the same pictures.

The corpus is vectors_bench's (photo-like 1600x1200 originals, their 512-px thumbnails and
their model pictures, in bench-output/vectors/). Measured, in one run:

  local     corpuscope.embed.pipeline.embed_files over the model pictures (2 workers)
  ray       corpuscope.embed.ray_pipeline.embed_on_ray on a Ray instance started by the bench
            with this machine's CPUs, images read by the workers (shared) and sent by the
            driver (driver)

For Ray: the start of the instance, the time to the first batch (actors starting and loading
the model) and the steady rate after it; the memory of Ray's processes (resident, summed) at
the end of the run. The ratio ray / local is of the steady rates, and end to end.

    .venv/bin/python bench/ray_bench.py [--n 2000]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import time
from typing import Any

from vectors_bench import OUT, make_images

Rates = tuple[float, float, float]  # (end to end, steady, seconds to the first batch)


def _timed(batches: Any) -> Rates:
    start = time.perf_counter()
    first_at, first_count, total = 0.0, 0, 0
    for batch in batches:
        total += len(batch.ids) + len(batch.failures)
        if not first_at:
            first_at, first_count = time.perf_counter(), total
    end = time.perf_counter()
    steady = (total - first_count) / (end - first_at) if end > first_at else float("nan")
    return total / (end - start), steady, first_at - start


def run_local(items: list[Any]) -> Rates:
    from corpuscope.embed.pipeline import embed_files
    from corpuscope.embed.registry import load_embedder

    return _timed(embed_files(enumerate(items), load_embedder()))


def run_ray(items: list[Any], images: str) -> Rates:
    from corpuscope.embed.ray_pipeline import RayOptions, embed_on_ray
    from corpuscope.embed.registry import load_embedder

    options = RayOptions(images="driver" if images == "driver" else "shared")
    return _timed(embed_on_ray(enumerate(items), load_embedder(), options))


def ray_memory_mb() -> float:
    """Resident memory of this process's descendants (Ray's head processes and workers)."""
    table = subprocess.run(["ps", "-eo", "pid=,ppid=,rss="], capture_output=True, text=True)
    rows = [tuple(int(field) for field in line.split()) for line in table.stdout.splitlines()]
    below, kilobytes, grew = {os.getpid()}, 0, True
    while grew:  # add children of what is already in, until nothing new joins
        grew = False
        for pid, parent, rss in rows:
            if parent in below and pid not in below:
                below.add(pid)
                kilobytes += rss
                grew = True
    return kilobytes / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="number of images (default 2000)")
    args = parser.parse_args()

    import ray

    from corpuscope.embed.cores import count_cores
    from corpuscope.embed.ray_session import LOCAL_OBJECT_STORE

    _, _, pictures = make_images(args.n, OUT)
    cores = count_cores()
    print(f"{args.n} model pictures; {cores} cores", flush=True)
    local = run_local(pictures)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    started = time.perf_counter()
    ray.init(
        address="local",
        num_cpus=cores,
        object_store_memory=LOCAL_OBJECT_STORE,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    start_up = time.perf_counter() - started
    try:
        shared = run_ray(pictures, "shared")
        memory = ray_memory_mb()
        driver = run_ray(pictures, "driver")
    finally:
        ray.shutdown()
    print(f"\nRay instance started in {start_up:.1f} s (object store "
          f"{LOCAL_OBJECT_STORE / 2**20:.0f} MB); Ray's processes held {memory:.0f} MB "
          "after the shared run\n")  # fmt: skip
    print(f"| {'what':<28} | {'e2e img/s':>9} | {'steady img/s':>12} | {'first batch':>11} |")
    print(f"|{'-' * 30}|{'-' * 11}|{'-' * 14}|{'-' * 13}|")
    for label, (e2e, steady, first) in (
        (f"local pipeline ({cores} workers)", local),
        (f"ray, shared ({cores} workers)", shared),
        (f"ray, driver ({cores} workers)", driver),
    ):
        print(f"| {label:<28} | {e2e:9.1f} | {steady:12.1f} | {first:9.1f} s |")
    print(
        f"\nray / local, steady: shared {shared[1] / local[1]:.2f}, driver {driver[1] / local[1]:.2f}"
    )
    print(f"ray / local, end to end (instance already started): shared {shared[0] / local[0]:.2f}, "
          f"driver {driver[0] / local[0]:.2f}")  # fmt: skip
    print(f"per Ray worker, steady: {shared[1] / cores:.1f} images/s")


if __name__ == "__main__":
    main()
