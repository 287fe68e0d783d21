"""Near-duplicate quality at the default setting, through the real importer and service.

Writes real files into a temporary folder, imports them into a fresh project (thumbnails and
fingerprints as a user's import makes them) and runs ``run_duplicates`` at its default:

1. calibration corpus: scikit-image's and scikit-learn's photographs, each with copies made by 4
   of the ISC 2021 edits (``corpuscope.calibration``; every edit kind on ~10 photographs, 2
   seeds), beside distinct low-detail pictures (MNIST digits, scikit-learn digits, lfw faces,
   drawn icons). Prints recall and precision per edit kind and the share of the distinct
   pictures placed in any group, against the targets;
2. the demo corpus (``corpuscope demo``): its groups against "the 26 photo copy pairs plus at
   most 100 digit images";
3. speed: ``compute_duplicates`` on synthetic fingerprints with planted copies against the exact
   all-pairs scan of the same rows.

By default it runs in a few minutes on a busy laptop: fewer low-detail pictures, no demo corpus,
20,000 rows for the speed. ``--full`` is the complete run of the targets (the low-detail sets at
their full sizes, the demo corpus, 100,000 rows: about half an hour on a quiet 2-core machine).

    flock /tmp/bench.lock .venv/bin/python bench/duplicates_quality.py [--full] [--demo] [--n N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

import numpy as np

from corpuscope.analysis import duplicates as analysis
from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD, compute_duplicates
from corpuscope.analysis.fingerprint import FINGERPRINT_LENGTH
from corpuscope.calibration import EASY_EDITS, EDITS, compute_edit, load_low_detail
from corpuscope.demo import write_demo_corpus
from corpuscope.services.duplicates import run_duplicates
from corpuscope.services.importing import run_import
from corpuscope.store.db import Project, create_project
from corpuscope.store.files import load_image_paths

PHOTOS = (
    "astronaut", "camera", "chelsea", "coffee", "coins", "clock", "hubble_deep_field",
    "immunohistochemistry", "moon", "page", "retina", "rocket", "text", "colorwheel", "cell",
    "horse", "logo", "motorcycle_left", "motorcycle_right",
)  # fmt: skip
LOW_DETAIL_FULL = {"mnist": 2000, "digits": 600, "faces": 200, "icons": 300}
LOW_DETAIL_QUICK = {"mnist": 500, "digits": 200, "faces": 100, "icons": 100}
HARD_TARGETS = ("flip", "rotation", "overlay")


def _photographs() -> dict[str, object]:
    from PIL import Image
    from skimage import data
    from sklearn.datasets import load_sample_images

    out: dict[str, object] = {}
    left, right, _ = data.stereo_motorcycle()
    for name in PHOTOS:
        if name.startswith("motorcycle"):
            pixels = left if name.endswith("left") else right
        else:
            pixels = getattr(data, name)()
        out[name] = Image.fromarray(pixels).convert("RGB")
    for i, pixels in enumerate(load_sample_images().images):
        out[f"sample-{i}"] = Image.fromarray(pixels)
    return out


def write_calibration(folder: Path, low_detail: dict[str, int]) -> dict[str, tuple[str, str]]:
    """Files under ``folder``; returns path -> (family, kind) ('original', 'distinct')."""
    truth: dict[str, tuple[str, str]] = {}
    kinds = list(EDITS)
    for p, (name, image) in enumerate(_photographs().items()):
        (folder / "photos").mkdir(parents=True, exist_ok=True)
        image.save(folder / "photos" / f"{name}.png")  # type: ignore[attr-defined]
        truth[f"photos/{name}.png"] = (name, "original")
        for j in range(4):
            kind = kinds[(4 * p + j) % len(kinds)]
            for seed in range(2):
                copy = compute_edit(image, kind, seed=1000 * p + 10 * j + seed)  # type: ignore[arg-type]
                rel = f"copies/{name}-{kind}-{seed}.jpg"
                (folder / "copies").mkdir(exist_ok=True)
                copy.save(folder / rel, quality=92)
                truth[rel] = (name, kind)
    for kind, count in low_detail.items():
        (folder / kind).mkdir(exist_ok=True)
        for i, picture in enumerate(load_low_detail(kind, count)):
            rel = f"{kind}/{i:04}.png"
            picture.save(folder / rel)
            truth[rel] = (f"{kind}-{i}", "distinct")
    return truth


def _groups_by_path(project: Project) -> tuple[list[list[str]], float]:
    started = time.perf_counter()
    view = run_duplicates(project)
    seconds = time.perf_counter() - started
    paths = load_image_paths(project.read())
    return [[paths[i] for i, _ in g.members] for g in view.groups if g.size > 1], seconds


def bench_calibration(root: Path, low_detail: dict[str, int]) -> None:
    truth = write_calibration(root / "in", low_detail)
    project = create_project(root / "project")
    run_import(project, [root / "in"])
    groups, seconds = _groups_by_path(project)
    group_of = {path: g for g, members in enumerate(groups) for path in members}
    family_of = {path: family for path, (family, _) in truth.items()}
    original = {family: path for path, (family, kind) in truth.items() if kind == "original"}
    recall: dict[str, list[bool]] = defaultdict(list)
    precision: dict[str, list[float]] = defaultdict(list)
    for path, (family, kind) in truth.items():
        if kind in ("original", "distinct"):
            continue
        g = group_of.get(path)
        recall[kind].append(g is not None and group_of.get(original[family]) == g)
        if g is not None:
            mates = [m for m in groups[g] if m != path]
            precision[kind].append(float(np.mean([family_of[m] == family for m in mates])))
    print(f"calibration: {len(truth)} images, {len(groups)} groups, search {seconds:.1f} s")
    print("| edit | copies | recall | precision | target |\n| --- | --- | --- | --- | --- |")
    for kind in EDITS:
        target = "100 %" if kind in EASY_EDITS else ">= 90 %" if kind in HARD_TARGETS else "-"
        p = f"{np.mean(precision[kind]):.1%}" if precision[kind] else "-"
        print(f"| {kind} | {len(recall[kind])} | {np.mean(recall[kind]):.1%} | {p} | {target} |")
    print("| low-detail set | pictures | placed in a group | target |\n| --- | --- | --- | --- |")
    for kind in low_detail:
        placed = [
            path in group_of
            for path, (_, k) in truth.items()
            if k == "distinct" and path.startswith(kind)
        ]
        print(f"| {kind} | {len(placed)} | {np.mean(placed):.1%} | <= 2 % |")


def bench_demo(root: Path) -> None:
    write_demo_corpus(root / "demo")
    project = create_project(root / "demo-project")
    run_import(project, [root / "demo"])
    groups, seconds = _groups_by_path(project)
    digits = sum(1 for g in groups for p in g if p.startswith("digits/"))
    pairs = sum(1 for g in groups if all(p.startswith("photos/") for p in g))
    print(
        f"demo corpus: {len(groups)} groups, {sum(map(len, groups))} images; photo groups {pairs} "
        f"(target: the 26 copy pairs; cat.png and chelsea.png have the same bytes, so their two "
        f"pairs make one group of one image with two files and its copy), digit images in groups "
        f"{digits} (target <= 100); search {seconds:.1f} s"
    )


def bench_speed(n: int) -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, FINGERPRINT_LENGTH)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    copies = n // 50
    src, dst = rng.choice(n, copies, replace=False), rng.choice(n, copies, replace=False)
    X[dst] = X[src] + rng.standard_normal((copies, FINGERPRINT_LENGTH)).astype(np.float32) * 0.01
    started = time.perf_counter()
    ours = compute_duplicates(X)
    ours_s = time.perf_counter() - started
    fast_nearest = analysis.nearest_rows
    # the baseline: the same decision over the exact scan of all pairs for the neighbours
    analysis.nearest_rows = partial(fast_nearest, exact_limit=n + 1)
    try:
        started = time.perf_counter()
        exact = compute_duplicates(X)
        exact_s = time.perf_counter() - started
    finally:
        analysis.nearest_rows = fast_nearest
    same = {frozenset(g.tolist()) for g in ours.groups} == {
        frozenset(g.tolist()) for g in exact.groups
    }
    print(
        f"speed at {n} layout fingerprints: ours {ours_s:.1f} s ({len(ours.groups)} groups, "
        f"{copies} planted copies), the same decision over the exact all-pairs scan {exact_s:.1f} s "
        f"({len(exact.groups)} groups; same groups: {same}): {exact_s / ours_s:.1f}x (target >= 10x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the complete run of the targets")
    parser.add_argument("--demo", action="store_true", help="the demo corpus (on with --full)")
    parser.add_argument("--n", type=int, default=None, help="rows for the speed comparison")
    args = parser.parse_args()
    low_detail = LOW_DETAIL_FULL if args.full else LOW_DETAIL_QUICK
    n = args.n or (100_000 if args.full else 20_000)
    print(f"default duplicate score threshold: {DEFAULT_THRESHOLD} ({analysis.__name__})")
    with tempfile.TemporaryDirectory() as tmp:
        bench_calibration(Path(tmp) / "calibration", low_detail)
        if args.full or args.demo:
            bench_demo(Path(tmp) / "demo")
    bench_speed(n)


if __name__ == "__main__":
    main()
