"""Near-duplicate quality at the default setting, through the real importer and service.

The protocol follows copy-detection benchmarks (ISC 2021: each query is ONE edited copy of a
reference picture among many distractors). Real files are written and imported into one
project (thumbnails and fingerprints as a user's import makes them), vectors are computed with
the bundled model (cached under ``bench-output/`` by content hash, so reruns are quick), then
``run_duplicates`` runs at its default on subsets of the project (``image_ids``):

1. one corpus per edit kind: every original, ONE copy of each original made by that edit
   (``corpuscope.calibration``), and the distractors (distinct low-detail pictures: MNIST
   digits, scikit-learn digits, lfw faces, drawn icons). Prints recall and precision per edit;
2. the stress row, "many copies of one picture": every original with its copies by all 11
   edits in one corpus (a family of 12 look-alikes, which the ratio test finds harder);
3. distinct low-detail pictures placed in any group, over all the runs above (target <= 2 %);
4. the same with the layout fingerprint alone (the project without vectors);
5. ``--demo``: the demo corpus (``corpuscope demo``, with its vectors);
6. speed: ``compute_duplicates`` on synthetic rows with planted copies (fingerprints, finer
   pictures and vectors) against the same decision over the exact all-pairs scan.

The originals: scikit-image's and scikit-learn's photographs; the large ones (retina, Hubble
deep field, brick, grass, gravel) are cut into non-overlapping parts, each a distinct picture.

    flock /tmp/bench.lock .venv/bin/python bench/duplicates_quality.py [--demo] [--n N] [--full]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from corpuscope.analysis import duplicates as analysis
from corpuscope.analysis.detail import DETAIL_LENGTH
from corpuscope.analysis.duplicates import DEFAULT_THRESHOLD, compute_duplicates
from corpuscope.analysis.fingerprint import FINGERPRINT_LENGTH
from corpuscope.calibration import EASY_EDITS, EDITS, compute_edit, load_low_detail
from corpuscope.demo import write_demo_corpus
from corpuscope.embed.registry import load_embedder
from corpuscope.services import duplicates as service
from corpuscope.services.duplicates import run_duplicates
from corpuscope.services.importing import run_import
from corpuscope.services.vectors import run_vectors
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import Project, create_project, open_project
from corpuscope.store.files import load_image_paths

OUTPUT = Path(__file__).resolve().parent.parent / "bench-output" / "duplicates"
#: Changes whenever the written files would change (the project under OUTPUT is then rebuilt).
CORPUS_VERSION = "v3"
WHOLE = (
    "astronaut", "camera", "chelsea", "coffee", "coins", "clock", "immunohistochemistry",
    "moon", "page", "rocket", "text", "colorwheel", "cell", "horse", "logo", "retina",
)  # fmt: skip
#: Large pictures without a subject cut into non-overlapping parts (rows x columns), each a
#: distinct original: textures and a star field, whose layout is noise (reported apart).
PARTS = {"hubble_deep_field": (2, 2), "brick": (1, 2), "grass": (1, 2), "gravel": (1, 2)}
LOW_DETAIL_QUICK = {"mnist": 500, "digits": 200, "faces": 100, "icons": 100}
LOW_DETAIL_FULL = {"mnist": 2000, "digits": 600, "faces": 200, "icons": 300}
HARD_TARGETS = ("flip", "rotation", "overlay")


def photographs() -> dict[str, Image.Image]:
    """The distinct originals, by name."""
    from skimage import data
    from sklearn.datasets import load_sample_images

    out: dict[str, Image.Image] = {}
    for name in WHOLE:
        out[name] = Image.fromarray(getattr(data, name)()).convert("RGB")
    left, _, _ = data.stereo_motorcycle()  # type: ignore[no-untyped-call]
    out["motorcycle"] = Image.fromarray(left).convert("RGB")
    for name, (rows, cols) in PARTS.items():
        pixels = getattr(data, name)()
        h, w = pixels.shape[0] // rows, pixels.shape[1] // cols
        for r in range(rows):
            for c in range(cols):
                part = pixels[r * h : (r + 1) * h, c * w : (c + 1) * w]
                out[f"{name}-{r}{c}"] = Image.fromarray(part).convert("RGB")
    for i, pixels in enumerate(load_sample_images().images):
        out[f"sample-{i}"] = Image.fromarray(pixels)
    return out


def write_calibration(folder: Path, low_detail: dict[str, int]) -> dict[str, tuple[str, str]]:
    """Files under ``folder``; returns path -> (family, kind) ('original', an edit, 'distinct')."""
    truth: dict[str, tuple[str, str]] = {}
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    (folder / "copies").mkdir(exist_ok=True)
    for p, (name, image) in enumerate(photographs().items()):
        image.save(folder / "photos" / f"{name}.png")
        truth[f"photos/{name}.png"] = (name, "original")
        for j, kind in enumerate(EDITS):
            rel = f"copies/{name}-{kind}.jpg"
            compute_edit(image, kind, seed=100 * p + j).save(folder / rel, quality=92)
            truth[rel] = (name, kind)
    for kind, count in low_detail.items():
        (folder / kind).mkdir(exist_ok=True)
        for i, picture in enumerate(load_low_detail(kind, count)):
            rel = f"{kind}/{i:04}.png"
            picture.save(folder / rel)
            truth[rel] = (f"{kind}-{i}", "distinct")
    return truth


def prepared_project(
    name: str, write: Callable[[Path], object], *, fresh: bool
) -> tuple[Project, Path]:
    """The imported project under OUTPUT (built once per ``CORPUS_VERSION``), with vectors."""
    root = OUTPUT / f"{name}-{CORPUS_VERSION}"
    done = root / "imported"
    if fresh or not done.exists():
        import shutil

        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        write(root / "in")
        project = create_project(root / "project")
        run_import(project, [root / "in"])
        done.touch()
    else:
        project = open_project(root / "project")
    ensure_vectors(project)
    return project, root / "in"


def ensure_vectors(project: Project) -> None:
    """The bundled model's vectors for every image, from the cache by content hash first."""
    cache_path = OUTPUT / "vectors-cache.npz"
    cache: dict[str, np.ndarray] = {}
    if cache_path.exists():
        with np.load(cache_path) as stored:
            cache = dict(zip(stored["sha1"].tolist(), stored["vectors"], strict=True))
    embedder = load_embedder(None)
    with project.write() as conn:
        vector_set = vecstore.save_vector_set(
            conn, model=embedder.name, version=embedder.version, dim=embedder.dim,
            preprocessing=embedder.preprocessing.describe(), runtime=embedder.runtime,
        )  # fmt: skip
        todo = vecstore.list_images_without_vectors(conn, vector_set.id)
        known = [(image_id, sha1) for image_id, sha1, _, _ in todo if sha1 in cache]
        if known:
            ids = np.asarray([i for i, _ in known], dtype=np.int64)
            vecstore.save_vectors(conn, vector_set, ids, np.stack([cache[s] for _, s in known]))
    started = time.perf_counter()
    summary = run_vectors(project, embedder=embedder)
    if summary.computed:
        print(f"vectors: {summary.computed} computed in {time.perf_counter() - started:.0f} s")
    ids, X = vecstore.load_vectors(project.read(), vector_set, project.cache_dir)
    sha1 = dict(project.read().execute("SELECT id, sha1 FROM images").fetchall())
    cache.update({sha1[int(i)]: x for i, x in zip(ids.tolist(), X, strict=True)})
    OUTPUT.mkdir(parents=True, exist_ok=True)
    np.savez(cache_path, sha1=np.asarray(list(cache)), vectors=np.stack(list(cache.values())))


def groups_of(project: Project, image_ids: Sequence[int] | None) -> list[set[int]]:
    view = run_duplicates(project, image_ids=image_ids)
    return [{i for i, _ in g.members} for g in view.groups if g.size > 1]


def bench_calibration(project: Project, truth: dict[str, tuple[str, str]], label: str) -> None:
    paths = load_image_paths(project.read())
    id_of = {path: i for i, path in paths.items()}
    info = {id_of[p]: t for p, t in truth.items() if p in id_of}
    originals = {family: i for i, (family, kind) in info.items() if kind == "original"}
    distinct = [i for i, (_, kind) in info.items() if kind == "distinct"]
    placed: set[int] = set()
    textures = {f for f in originals if f.split("-")[0] in PARTS}
    print(
        f"\n{label}: {len(originals) - len(textures)} photographs and {len(textures)} parts of "
        f"textures and star fields (each with one copy per edit), {len(distinct)} distractors"
    )
    print(
        "| edit | recall, photographs | precision | stress: all 11 copies in one corpus | "
        "recall, textures | target |\n| --- | --- | --- | --- | --- | --- |"
    )
    stress = groups_of(project, None)
    for kind in EDITS:
        copies = [i for i, (_, k) in info.items() if k == kind]
        groups = groups_of(project, [*originals.values(), *copies, *distinct])
        placed |= {i for g in groups for i in g if info[i][1] == "distinct"}
        photos = [i for i in copies if info[i][0] not in textures]
        found, precise = _recall(groups, photos, info, originals)
        in_stress, _ = _recall(stress, photos, info, originals)
        hard, _ = _recall(groups, [i for i in copies if info[i][0] in textures], info, originals)
        target = "100 %" if kind in EASY_EDITS else ">= 90 %" if kind in HARD_TARGETS else "-"
        print(f"| {kind} | {found:.1%} | {precise} | {in_stress:.1%} | {hard:.1%} | {target} |")
    placed |= {i for g in stress for i in g if info[i][1] == "distinct"}
    print("| low-detail set | pictures | placed in a group (any run) | target |")
    print("| --- | --- | --- | --- |")
    for kind in dict.fromkeys(
        family.split("-")[0] for family, k in info.values() if k == "distinct"
    ):
        mine = [i for i in distinct if info[i][0].startswith(f"{kind}-")]
        share = np.mean([i in placed for i in mine])
        print(f"| {kind} | {len(mine)} | {share:.1%} ({sum(i in placed for i in mine)}) | <= 2 % |")


def _recall(
    groups: list[set[int]],
    copies: list[int],
    info: dict[int, tuple[str, str]],
    originals: dict[str, int],
) -> tuple[float, str]:
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    hits, precision = [], []
    for i in copies:
        family = info[i][0]
        g = group_of.get(i)
        hits.append(g is not None and group_of.get(originals[family]) == g)
        if g is not None:
            precision.append(np.mean([info[m][0] == family for m in groups[g] if m != i]))
    return float(np.mean(hits)), f"{np.mean(precision):.1%}" if precision else "-"


def without_vectors() -> object:
    """Run the service as for a project without vectors (the layout fingerprint alone)."""
    original = service.find_vectors

    def none(*args: object, **kwargs: object) -> tuple[None, None]:
        return None, None

    service.find_vectors = none  # type: ignore[assignment]
    return original


def bench_demo(fresh: bool) -> None:
    project, _ = prepared_project("demo", partial(write_demo_corpus), fresh=fresh)
    paths = load_image_paths(project.read())
    started = time.perf_counter()
    groups = [[paths[i] for i in g] for g in groups_of(project, None)]
    seconds = time.perf_counter() - started
    digits = sum(1 for g in groups for p in g if p.startswith("digits/"))
    group_of = {p: k for k, g in enumerate(groups) for p in g}
    copies = sorted(p for p in paths.values() if p.startswith("photos/copies/"))
    found = [
        c for c in copies
        if c in group_of and group_of.get(c.replace("copies/", "").replace("-half.jpg", ".png")) == group_of[c]
    ]  # fmt: skip
    mixed = [
        sorted(g) for g in groups
        if len({Path(p).name.split("-half")[0].split(".")[0] for p in g}) > 1
        and any(p.startswith("photos/") for p in g)
    ]  # fmt: skip
    print(
        f"\ndemo corpus: {len(groups)} groups, {sum(map(len, groups))} images; photo copy pairs "
        f"found {len(found)} of {len(copies)} (target: all; cat.png and chelsea.png have the same "
        f"bytes, one copy); groups holding different pictures {mixed or 'none'}; digit images "
        f"in groups {digits} (target <= 100); search {seconds:.1f} s"
    )


def bench_speed(n: int, dim: int = 320) -> None:
    rng = np.random.default_rng(0)

    def unit(rows: np.ndarray) -> np.ndarray:
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    prints = unit(rng.standard_normal((n, FINGERPRINT_LENGTH)))
    vectors = unit(rng.standard_normal((n, dim)))
    details = rng.random((n, DETAIL_LENGTH), dtype=np.float32)
    copies = n // 50
    src, dst = rng.choice(n, copies, replace=False), rng.choice(n, copies, replace=False)
    for X, noise in ((prints, 0.01), (vectors, 0.01), (details, 0.01)):
        X[dst] = X[src] + rng.standard_normal((copies, X.shape[1])).astype(np.float32) * noise
    prints, vectors = unit(prints), unit(vectors)
    run = partial(compute_duplicates, prints, details=details, vectors=vectors)
    started = time.perf_counter()
    ours = run()
    ours_s = time.perf_counter() - started
    fast = analysis.nearest_rows  # both neighbour searches (layout, vectors) go through it
    analysis.nearest_rows = partial(fast, exact_limit=n + 1)  # the same decision, exact scans
    try:
        started = time.perf_counter()
        exact = run()
        exact_s = time.perf_counter() - started
    finally:
        analysis.nearest_rows = fast
    same = {frozenset(g.tolist()) for g in ours.groups} == {
        frozenset(g.tolist()) for g in exact.groups
    }
    print(
        f"\nspeed at {n} rows (layout, finer picture, {dim}-d vectors): ours {ours_s:.1f} s "
        f"({len(ours.groups)} groups, {copies} planted copies), the same decision over exact "
        f"all-pairs scans {exact_s:.1f} s ({len(exact.groups)} groups; same groups: {same}): "
        f"{exact_s / ours_s:.1f}x (target >= 10x at 100,000)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="larger distractor sets, 100,000 rows")
    parser.add_argument("--demo", action="store_true", help="the demo corpus (on with --full)")
    parser.add_argument(
        "--n", type=int, default=None, help="rows for the speed comparison (0: none)"
    )
    parser.add_argument("--fresh", action="store_true", help="write and import everything again")
    args = parser.parse_args()
    low_detail = LOW_DETAIL_FULL if args.full else LOW_DETAIL_QUICK
    name = "calibration-full" if args.full else "calibration"
    print(f"default duplicate score threshold: {DEFAULT_THRESHOLD} ({analysis.__name__})")
    truth: dict[str, tuple[str, str]] = {}
    project, folder = prepared_project(
        name, partial(lambda f: truth.update(write_calibration(f, low_detail))), fresh=args.fresh
    )
    if not truth:  # reused: the truth is the written files' names
        truth = write_calibration_truth(folder)
    bench_calibration(project, truth, "with vectors (bundled model)")
    original = without_vectors()
    try:
        bench_calibration(project, truth, "layout fingerprint alone (no vectors)")
    finally:
        service.find_vectors = original  # type: ignore[assignment]
    if args.full or args.demo:
        bench_demo(args.fresh)
    n = 100_000 if args.full and args.n is None else args.n if args.n is not None else 20_000
    if n:
        bench_speed(n)


def write_calibration_truth(folder: Path) -> dict[str, tuple[str, str]]:
    """path -> (family, kind) read back from the names ``write_calibration`` gave the files."""
    truth: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.rglob("*.*")):
        rel = path.relative_to(folder).as_posix()
        top, stem = rel.split("/")[0], path.stem
        if top == "photos":
            truth[rel] = (stem, "original")
        elif top == "copies":
            family, kind = stem.rsplit("-", 1)
            truth[rel] = (family, kind)
        else:
            truth[rel] = (f"{top}-{int(stem)}", "distinct")
    return truth


if __name__ == "__main__":
    main()
