"""Throughput of corpuscope's vector pipeline against a naive loop and the model's ceiling.

Generates N photo-like JPEGs (1600x1200 originals made from scikit-image's bundled photos
with crops, flips, colour and brightness changes), their 512-px thumbnails and their model
pictures (as the importer writes them), then measures images/second for:

  pipeline  corpuscope.embed.pipeline.embed_files over the model pictures with its defaults,
            as the vectors step runs for a project imported today (end to end: worker
            start-up, decoding, normalisation, batched inference; the steady rate leaves out
            the first round of batches, i.e. the start-up)
  thumbs    the same over the 512-px thumbnails (decoding and bicubic resampling in the
            workers): projects imported before model pictures, and the path before them
  main      the thumbnails again, with inference in the main process and decoding-only
            workers (the layout CLIP models use), for comparison
  naive     one image at a time: open the original, full decode, preprocess, torch forward
  ceiling   forward passes alone on pre-made tensors with the pipeline's runtime and batch
            size: one single-threaded ONNX Runtime session per core, all running at once
            (and, for reference, one session given every core)

Targets: pipeline >= 3x naive and >= 80% of the ceiling. Files are kept in
bench-output/vectors/ and reused by later runs.

    .venv/bin/python bench/vectors_bench.py [--n 300] [--batch-size B] [--workers W]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageEnhance, ImageOps

OUT = Path("bench-output/vectors")
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "retina", "colorwheel")
MICRO = 2  # corpuscope.embed.efficientnet.WORKER_MICRO_BATCH, checked in main()
NAIVE_MAX = 80  # the naive loop is slow: time it on at most this many images


def _photo(name: str, out: Path) -> Image.Image:
    """A scikit-image photo, kept as PNG in ``out/photos`` (later runs need no scikit-image)."""
    path = out / "photos" / f"{name}.png"
    if not path.is_file():
        import skimage.data

        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB").save(path)
    with Image.open(path) as image:
        return image.convert("RGB")


def _variant(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    width, height = photo.size
    scale = rng.uniform(0.6, 1.0)
    crop_w, crop_h = int(width * scale), int(width * scale * 0.75)
    crop_h = min(crop_h, height)
    left = int(rng.integers(0, width - crop_w + 1))
    top = int(rng.integers(0, height - crop_h + 1))
    image = photo.crop((left, top, left + crop_w, top + crop_h)).resize((1600, 1200))
    if rng.random() < 0.5:
        image = ImageOps.mirror(image)
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.7, 1.3))
    return ImageEnhance.Color(image).enhance(rng.uniform(0.6, 1.4))


def make_images(n: int, out: Path) -> tuple[list[Path], list[Path], list[Any]]:
    """``n`` originals (1600x1200), their 512-px thumbnails and their model pictures (as
    :class:`ModelPicture` items), reusing existing files."""
    from corpuscope.embed.chunks import ModelPicture
    from corpuscope.ingest.model_picture import save_model_picture

    originals, thumbnails = out / "originals", out / "thumbnails"
    originals.mkdir(parents=True, exist_ok=True)
    thumbnails.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    photos = [_photo(name, out) for name in PHOTOS]
    pairs = []
    for index in range(n):
        original = originals / f"{index:05d}.jpg"
        thumbnail = thumbnails / f"{index:05d}-512.jpg"
        image = _variant(photos[index % len(photos)], rng)
        if not original.is_file():
            image.save(original, "JPEG", quality=90)
        if not thumbnail.is_file():
            image.thumbnail((512, 512), Image.Resampling.BICUBIC, reducing_gap=2.0)
            image.save(thumbnail, "JPEG", quality=85)
        pairs.append((original, thumbnail))
    pictures = []
    for _, thumbnail in pairs:
        picture = thumbnail.with_name(thumbnail.stem + ".ppm")
        assert save_model_picture(thumbnail, picture)
        pictures.append(ModelPicture(str(picture), str(thumbnail)))
    return [p[0] for p in pairs], [p[1] for p in pairs], pictures


def run_pipeline(
    paths: list[Any], *, batch_size: int | None, workers: int | None, in_main: bool = False
) -> tuple[float, float, str]:
    """(end-to-end images/s, steady images/s, layout description)."""
    from corpuscope.embed.cores import count_cores, default_workers
    from corpuscope.embed.pipeline import embed_files
    from corpuscope.embed.registry import load_embedder

    count = workers or (default_workers() if in_main else count_cores())
    embedder: Any = load_embedder(threads=max(1, count_cores() - count) if in_main else None)
    if in_main:
        embedder.worker_recipe = lambda: None  # hide the recipe: workers only decode
    layout = (
        f"{embedder.runtime} here + {count} decoding worker{'s' * (count > 1)}"
        if in_main
        else f"{count} worker{'s' * (count > 1)} x onnxruntime (1 thread, batches of {MICRO})"
    )
    start = time.perf_counter()
    warm_at, warm_count, total = 0.0, 0, 0
    batches = embed_files(enumerate(paths), embedder, batch_size=batch_size, workers=count)
    for index, batch in enumerate(batches):
        total += len(batch.ids) + len(batch.failures)
        if index == count - 1:  # every worker has delivered once: start-up is over
            warm_at, warm_count = time.perf_counter(), total
    end = time.perf_counter()
    steady = (total - warm_count) / (end - warm_at) if warm_at else float("nan")
    return total / (end - start), steady, layout


def run_naive(paths: list[Path]) -> float:
    """One image at a time: open the original, decode it whole, preprocess, torch forward."""
    import torch

    from corpuscope.embed.efficientnet import PREPROCESSING, build_torch_model, weights_path

    model = build_torch_model(weights_path())
    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as image:
            rgb = ImageOps.exif_transpose(image).convert("RGB")
        pixels = torch.from_numpy(PREPROCESSING.apply(rgb)[None])
        with torch.inference_mode():
            model(pixels)
    return len(paths) / (time.perf_counter() - start)


def _batch(size: int) -> npt.NDArray[np.float32]:
    shape = (size, 3, 224, 224)
    return np.random.default_rng(1).uniform(-1, 1, shape).astype(np.float32)


_barrier: Any = None


def _keep_barrier(barrier: Any) -> None:
    global _barrier
    _barrier = barrier


def _forward_for(recipe: Any, threads: int, size: int, seconds: float) -> float:
    """In a worker: once every worker has loaded and warmed up its model, forward passes for
    ``seconds``; images per second."""
    model = recipe.load(threads)
    batch = _batch(size)
    model.embed_batch(batch)  # warm-up
    _barrier.wait()  # all start together, however long a busy machine took to start them
    done, start = 0, time.perf_counter()
    while time.perf_counter() < start + seconds:
        model.embed_batch(batch)
        done += size
    return done / (time.perf_counter() - start)


def run_ceiling(*, processes: int, threads: int, batch_size: int, seconds: float) -> float:
    """Forward passes alone, ``processes`` sessions of ``threads`` threads at once: images/s.

    Each process runs batches of ``batch_size`` the way pipeline workers do (in the recipe's
    micro-batches) when single-threaded, and whole when given several threads.
    """
    import dataclasses

    from corpuscope.embed.registry import load_embedder

    recipe: Any = load_embedder().worker_recipe()
    if recipe is None:
        raise SystemExit("The bundled model is not running on ONNX Runtime here.")
    if threads > 1:
        recipe = dataclasses.replace(recipe, micro_batch=batch_size)
    context = get_context("spawn")
    barrier = context.Barrier(processes)
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_keep_barrier,
        initargs=(barrier,),
    ) as pool:
        futures = [
            pool.submit(_forward_for, recipe, threads, batch_size, seconds)
            for _ in range(processes)
        ]
        return sum(future.result() for future in futures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=300, help="number of images (default 300)")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=4.0, help="per ceiling measurement")
    parser.add_argument(
        "--repeat", type=int, default=2, help="rounds; each figure is its best round (noise)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from corpuscope.embed.cores import count_cores
    from corpuscope.embed.efficientnet import WORKER_MICRO_BATCH, EfficientNetLite0

    assert MICRO == WORKER_MICRO_BATCH, "update MICRO"

    originals, thumbnails, pictures = make_images(args.n, args.out)
    cores = count_cores()
    size = args.batch_size or EfficientNetLite0.batch_size
    print(f"{args.n} images (model pictures and 512-px thumbnails; naive loop: "
          f"{min(args.n, NAIVE_MAX)} originals 1600x1200); {cores} cores; batch size {size}")  # fmt: skip
    rounds: list[tuple[float, ...]] = []
    for _ in range(args.repeat):  # interleaved, so that a busy spell hits every figure alike
        pipeline = run_pipeline(pictures, batch_size=size, workers=args.workers)
        thumbs = run_pipeline(thumbnails, batch_size=size, workers=args.workers)
        in_main = run_pipeline(thumbnails, batch_size=size, workers=None, in_main=True)
        naive = run_naive(originals[:NAIVE_MAX])
        ceiling = run_ceiling(processes=cores, threads=1, batch_size=size, seconds=args.seconds)
        single = run_ceiling(processes=1, threads=cores, batch_size=size, seconds=args.seconds)
        rounds.append(
            (pipeline[0], pipeline[1], thumbs[0], thumbs[1], in_main[0], naive, ceiling, single)
        )
    best = [max(values) for values in zip(*rounds, strict=True)]
    end_to_end, steady, thumbs_e2e, thumbs_steady, main_rate, naive, ceiling, one_session = best
    rows = [
        ("pipeline, end to end", end_to_end, pipeline[2]),
        ("pipeline, steady", steady, pipeline[2]),
        ("from thumbnails, end to end", thumbs_e2e, "the same, from the 512-px thumbnails"),
        ("from thumbnails, steady", thumbs_steady, "the same, from the 512-px thumbnails"),
        ("main-process inference, e2e", main_rate, in_main[2] + ", thumbnails"),
        ("naive loop", naive, "torch, 1 image at a time, full decode of originals"),
        (
            "ceiling (forward only)",
            ceiling,
            f"{cores} x onnxruntime (1 thread, batches of {MICRO})",
        ),
        ("forward only, 1 session", one_session, f"onnxruntime ({cores} threads)"),
    ]
    print(f"\n| {'what':<28} | {'images/s':>8} | layout")
    print(f"|{'-' * 30}|{'-' * 10}|{'-' * 50}")
    for label, rate, note in rows:
        print(f"| {label:<28} | {rate:8.1f} | {note}")
    top = max(ceiling, one_session)
    print(f"\nbest of {args.repeat} interleaved rounds")
    print(f"pipeline / naive:   {end_to_end / naive:5.1f}x end to end (target >= 3x)")
    print(f"pipeline / ceiling: {end_to_end / top:5.0%} end to end, "
          f"{steady / top:5.0%} steady (target >= 80%; ceiling = the faster forward-only row)")  # fmt: skip
    print(f"from thumbnails:    {thumbs_e2e / top:5.0%} end to end, "
          f"{thumbs_steady / top:5.0%} steady (projects imported before model pictures)")  # fmt: skip


if __name__ == "__main__":
    main()
