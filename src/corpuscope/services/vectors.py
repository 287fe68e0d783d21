"""Computing, loading and exporting image vectors.

Vectors are computed from the model pictures the importer wrote (the bundled model's input
pixels, see :mod:`corpuscope.ingest.model_picture`) for the models that take them, else from the
512-px thumbnails (already EXIF-oriented, and about 20x cheaper to decode than a camera JPEG);
an image without either falls back to its original file. Each batch is committed on its own: a
kill loses at most the batch in flight.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpuscope.analysis import vector_index
from corpuscope.analysis.kmeans import prepare_kmeans
from corpuscope.analysis.threads import prepare_thread_limits
from corpuscope.embed.base import Embedder
from corpuscope.embed.pipeline import EmbeddedBatch, ModelPicture, embed_files
from corpuscope.embed.ray_pipeline import RayOptions, embed_on_ray
from corpuscope.embed.registry import load_embedder
from corpuscope.errors import InvalidInput, NotFound
from corpuscope.ingest.model_picture import fits, model_picture_path
from corpuscope.ingest.thumbnails import LARGE, thumbnail_path
from corpuscope.services.models import project_model
from corpuscope.services.vector_search import read_index_ahead, vector_index_for
from corpuscope.store import vectors as vecstore
from corpuscope.store.db import Project, in_one_snapshot
from corpuscope.store.files import list_export_rows
from corpuscope.store.vectors import VectorSet


@dataclass(frozen=True)
class VectorProgress:
    model: str
    done: int
    total: int
    failed: int


@dataclass(frozen=True)
class VectorSummary:
    model: str
    computed: int
    failed: int
    already: int
    seconds: float
    cancelled: bool


@dataclass(frozen=True)
class VectorOptions:
    model: str | None = None
    models_dir: Path | None = None
    batch_size: int | None = None
    workers: int | None = None
    on_progress: Callable[[VectorProgress], None] | None = None
    cancel: threading.Event | None = None
    ray: RayOptions | None = None  # compute on a Ray cluster instead of this machine's cores


def run_vectors(
    project: Project, options: VectorOptions | None = None, *, embedder: Embedder | None = None
) -> VectorSummary:
    """Compute the vectors a model still lacks in this project (resumable, cancellable)."""
    options = options or VectorOptions()
    name = options.model or project_model(project)
    embedder = embedder or load_embedder(name, models_dir=options.models_dir)
    with project.write() as conn:
        vector_set = vecstore.save_vector_set(
            conn,
            model=embedder.name,
            version=embedder.version,
            dim=embedder.dim,
            preprocessing=embedder.preprocessing.describe(),
            runtime=embedder.runtime,
        )
    todo = vecstore.list_images_without_vectors(project.read(), vector_set.id)
    already = _count(project, vector_set)
    started = time.perf_counter()
    done = failed = 0
    report = options.on_progress or (lambda progress: None)
    report(VectorProgress(embedder.name, 0, len(todo), 0))
    used: dict[int, str] = {}  # image id -> the model picture given for it
    inputs = _inputs(project, todo, pictures=fits(embedder.preprocessing), used=used)
    batches = _embed(inputs, embedder, options)
    cancelled = False
    try:
        for batch in batches:
            with project.write() as conn:
                vecstore.save_vectors(conn, vector_set, batch.ids, batch.vectors, batch.failures)
            _discard_pictures(used, batch.ids)
            done += len(batch.ids) + len(batch.failures)
            failed += len(batch.failures)
            report(VectorProgress(embedder.name, done, len(todo), failed))
            if options.cancel is not None and options.cancel.is_set():
                cancelled = done < len(todo)
                break
    finally:
        batches.close()
    if done:  # build the load cache and the search index now, while the user is waiting anyway
        current = vecstore.load_vector_set(project.read(), embedder.name)
        if current.id == vector_set.id:  # else an older version's set was filled up
            vector_index_for(project, current, _loaded_vectors(project, current)[1])
        else:
            vecstore.load_vectors(project.read(), vector_set, project.cache_dir)
    seconds = time.perf_counter() - started
    return VectorSummary(embedder.name, done - failed, failed, already, seconds, cancelled)


def _embed(
    inputs: Iterator[tuple[int, Path | ModelPicture]], embedder: Embedder, options: VectorOptions
) -> Generator[EmbeddedBatch, None, None]:
    """Batches from this machine's pipeline, or from a Ray cluster."""
    if options.ray is None:
        return embed_files(inputs, embedder, batch_size=options.batch_size, workers=options.workers)
    return embed_on_ray(
        inputs, embedder, options.ray, batch_size=options.batch_size, models_dir=options.models_dir
    )


def _inputs(
    project: Project,
    todo: list[tuple[int, str, str, str]],
    *,
    pictures: bool,
    used: dict[int, str],
) -> Iterator[tuple[int, Path | ModelPicture]]:
    """Each image's model picture (noted in ``used``) if the model takes one and it is there,
    else its large thumbnail, else its original file."""
    for image_id, sha1, folder, rel_path in todo:
        thumb = thumbnail_path(project.thumbs_dir, sha1, LARGE)
        source = thumb if thumb.is_file() else Path(folder) / rel_path
        picture = model_picture_path(project.thumbs_dir, sha1) if pictures else None
        if picture is not None and picture.is_file():
            used[image_id] = str(picture)
            yield image_id, ModelPicture(str(picture), str(source))
        else:
            yield image_id, source


def _discard_pictures(used: dict[int, str], ids: npt.NDArray[np.int64]) -> None:
    """A model picture has served once its image has a vector: free its disk space (147 KB)."""
    for image_id in ids.tolist():
        picture = used.pop(image_id, None)
        if picture is not None:
            Path(picture).unlink(missing_ok=True)


def _count(project: Project, vector_set: VectorSet) -> int:
    for found, count in vecstore.list_vector_sets(project.read()):
        if found.id == vector_set.id:
            return count
    return 0


@in_one_snapshot
def load_project_vectors(
    project: Project, model: str | None = None, *, image_ids: Sequence[int] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], VectorSet]:
    """``(ids (n,), X (n, d) float32, set)`` for every image with a vector, or for ``image_ids``.

    ``model`` None: the project's model (services/models.py says which).
    """
    conn = project.read()
    vector_set = vecstore.load_vector_set(conn, model or project_model(project))
    ids, X = _loaded_vectors(project, vector_set)
    if image_ids is None:
        return ids, X, vector_set
    wanted = np.unique(np.asarray(image_ids, dtype=np.int64))
    positions = np.searchsorted(ids, wanted)
    positions = np.clip(positions, 0, max(len(ids) - 1, 0))
    present = (len(ids) > 0) & (ids[positions] == wanted) if len(ids) else np.zeros(0, bool)
    if not np.all(present):
        raise _without_vectors(wanted[~present][:5].tolist(), vector_set)
    return ids[positions], X[positions], vector_set


#: Vector sets kept loaded in this process (memory maps of their cache files, whose pages stay
#: mapped between requests instead of being faulted in again by each one).
_KEPT = 2
_kept: OrderedDict[
    tuple[str, int, int, str], tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]
] = OrderedDict()
_keeping = threading.Lock()


def _loaded_vectors(
    project: Project, vector_set: VectorSet
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """The set's vectors at its current revision, loaded once per process and kept."""
    key = (str(project.root.resolve()), vector_set.id, vector_set.revision, vector_set.created_at)
    with _keeping:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    found = vecstore.load_vectors(project.read(), vector_set, project.cache_dir)
    with _keeping:
        _kept[key] = found
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return found


def warm_vectors(project: Project) -> bool:
    """Load the project's vectors and their search index ahead of the first search (the web
    server does it in the background when it opens a project). Only sets large enough to be
    searched through an index (``EXACT_LIMIT``) are warmed; their pages are read once, so
    that the first search finds them in memory (237 ms -> about 30 ms at a million images).
    Returns whether it warmed anything.
    """
    try:
        vector_set = vecstore.load_vector_set(project.read(), project_model(project))
    except (InvalidInput, NotFound):
        return False  # no vectors yet, or a model that is not installed: nothing to warm
    _, X = _loaded_vectors(project, vector_set)
    if len(X) < vector_index.EXACT_LIMIT:
        return False
    vector_index_for(project, vector_set, X)
    read_index_ahead(project, vector_set)
    for start in range(0, len(X), 65_536):  # a value every 4 KB faults every page in
        X[start : start + 65_536, ::1024].sum()
    prepare_kmeans()  # for the first recommendations (a group's modes are k-means centres)
    prepare_thread_limits()  # searches and k-means run single-threaded
    return True


def check_vectors_exist(
    project: Project, model: str | None = None, *, image_ids: Sequence[int] | None = None
) -> VectorSet:
    """The model's vector set, refused (``NotFound``) when it lacks some of ``image_ids``: the
    checks of :func:`load_project_vectors` without loading any vector."""
    conn = project.read()
    vector_set = vecstore.load_vector_set(conn, model or project_model(project))
    if image_ids is not None:
        missing = vecstore.list_ids_without_vectors(conn, vector_set.id, image_ids)
        if missing:
            raise _without_vectors(missing, vector_set)
    return vector_set


def _without_vectors(missing: list[int], vector_set: VectorSet) -> NotFound:
    return NotFound(
        f"Images {missing} have no {vector_set.model} vectors yet; run `corpuscope vectors` first.",
        code="vectors.missing",
        params={"model": vector_set.model},
    )


@in_one_snapshot
def export_vectors(project: Project, path: Path, *, model: str | None = None) -> int:
    """Write ``vectors``, ``image_ids``, ``paths`` (one relative path per image) and ``model``
    to an .npz file, or as the same columns (one row per image) to a .parquet file."""
    if path.suffix not in (".npz", ".parquet"):
        raise InvalidInput("The export file name must end in .npz or .parquet.")
    ids, X, vector_set = load_project_vectors(project, model)
    first_path: dict[int, str] = {}
    for _, image_id, _, rel_path, _ in list_export_rows(project.read()):
        first_path.setdefault(image_id, rel_path)
    paths = [first_path.get(int(i), "") for i in ids]
    if path.suffix == ".parquet":
        _write_parquet(path, ids, X, paths, vector_set.model)
    else:
        np.savez(
            path,
            vectors=X,
            image_ids=ids,
            paths=np.array(paths, dtype=str),
            model=np.array(vector_set.model),
        )
    return len(ids)


def _write_parquet(
    path: Path, ids: npt.NDArray[np.int64], X: npt.NDArray[np.float32], paths: list[str], model: str
) -> None:
    """Columns ``image_ids``, ``paths``, ``vectors`` (fixed-size lists of float32), ``model``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = X.shape[1] if X.ndim == 2 else 0
    vectors = pa.FixedSizeListArray.from_arrays(pa.array(X.reshape(-1), pa.float32()), d)
    table = pa.table(
        {
            "image_ids": pa.array(ids, pa.int64()),
            "paths": pa.array(paths, pa.string()),
            "vectors": vectors,
            "model": pa.array([model] * len(ids), pa.string()).dictionary_encode(),
        }
    )
    pq.write_table(table, path)
