"""Vectors on a Ray cluster (Ray Data), streamed back as the local pipeline streams them.

The same model files and the same preprocessing code as :mod:`corpuscope.embed.pipeline`:

    images to embed (id, file or model picture)          one Arrow table, in blocks
      -> [images="driver": read on the driver's node]    map_batches tasks pinned to that node
      -> _ModelWorker: prepare + embed                   map_batches actors, each holding the
                                                         model: one per CPU (1 thread, as the
                                                         local workers) or one per GPU
      -> iter_batches on the driver                      one EmbeddedBatch per block

Each worker loads the model by name from its own machine (corpuscope and the model files must
be installed there) and refuses to run if its version differs from the driver's, so vectors
never mix weights. Two ways for the workers to get the images:

- ``images="shared"``: the workers open the files themselves, at the paths the driver sees (a
  shared file system mounted at the same path everywhere). Only paths travel.
- ``images="driver"``: tasks pinned to the driver's node read the files and the bytes travel
  through Ray's object store (147 KB per model picture, about 50 KB per thumbnail). Needs the driver to run on a node
  of the cluster (not through Ray Client).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from corpuscope.embed.base import Embedder, WorkerModel
from corpuscope.embed.chunks import (
    EmbeddedBatch,
    ModelPicture,
    Source,
    prepare_bytes,
    prepare_each,
    prepare_picture,
    prepare_source,
    read_bytes,
)
from corpuscope.embed.picture_format import decode_picture
from corpuscope.embed.ray_session import import_ray, ray_session, uses_client
from corpuscope.errors import CorpuscopeError, InvalidInput, ModelUnavailable
from corpuscope.ingest.decode import BadImage

ImageAccess = Literal["shared", "driver"]
IMAGE_ACCESS: tuple[ImageAccess, ...] = ("shared", "driver")
BLOCK_ROWS = 64  # rows per block: one database commit each on the driver
GPU_BATCH = 256  # images per forward pass on a GPU worker
LARGE_MODEL_CPUS = 4  # a model without a worker recipe (CLIP) runs 4 threads per worker


@dataclass(frozen=True)
class RayOptions:
    """Where and how to run: ``address`` ``None`` starts a Ray instance on this machine;
    ``workers`` is the number of model copies (default: one per CPU, or per GPU, of the
    cluster)."""

    address: str | None = None
    images: ImageAccess = "shared"
    workers: int | None = None


def image_access(text: str) -> ImageAccess:
    """``"shared"`` or ``"driver"`` from a user's text; anything else is refused in a sentence."""
    for access in IMAGE_ACCESS:
        if text == access:
            return access
    raise InvalidInput(f"Images reach Ray workers as 'shared' or 'driver', not {text!r}.")


def embed_on_ray(
    items: Iterable[tuple[int, Path | ModelPicture]],
    embedder: Embedder,
    options: RayOptions,
    *,
    batch_size: int | None = None,
    models_dir: Path | None = None,
) -> Generator[EmbeddedBatch, None, None]:
    """Embed image files on Ray, yielding batches of about :data:`BLOCK_ROWS` items.

    Every item comes back exactly once, as a vector or as a failure with the reason the local
    pipeline gives; batches come in the order the cluster finishes them. Stop early with
    ``close()``: the run ends on the cluster, and a Ray instance started here shuts down.
    """
    image_access(options.images)
    if options.workers is not None and options.workers < 1:
        raise InvalidInput("The number of Ray workers must be at least 1.")
    rows = [(int(item_id), source) for item_id, source in items]
    if not rows:
        return
    with ray_session(options.address) as ray:
        layout = _layout(ray, embedder, options, batch_size, len(rows))
        dataset = ray.data.from_arrow(_tables(rows, layout.block_rows))
        if options.images == "driver":
            dataset = _read_on_driver(ray, dataset, embedder.preprocessing.size)
        dataset = _embed(ray, dataset, embedder, layout, models_dir)
        batches = dataset.iter_batches(batch_size=None, batch_format="numpy")
        yield from _results(ray, batches, embedder.dim)


@dataclass(frozen=True)
class _Layout:
    workers: int  # model copies
    cpus: int  # CPUs (threads) per copy; 0 on a GPU
    gpus: int  # GPUs per copy (0 or 1)
    batch_size: int  # images per forward pass
    block_rows: int  # images per block, i.e. per commit on the driver


def _layout(
    ray: ModuleType, embedder: Embedder, options: RayOptions, batch_size: int | None, count: int
) -> _Layout:
    """One model copy per GPU of the cluster, else one per CPU (per 4 CPUs for a model that
    runs in one process, like CLIP); never more copies than blocks of work."""
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), max(1, int(resources.get("CPU", 1)))
    threads = 1 if embedder.worker_recipe() is not None else min(LARGE_MODEL_CPUS, cpus)
    workers = options.workers or gpus or max(1, cpus // threads)
    block_rows = max(1, min(BLOCK_ROWS, math.ceil(count / workers)))
    return _Layout(
        workers=min(workers, math.ceil(count / block_rows)),
        cpus=0 if gpus else threads,
        gpus=1 if gpus else 0,
        batch_size=batch_size or (GPU_BATCH if gpus else embedder.batch_size),
        block_rows=block_rows,
    )


def _tables(rows: list[tuple[int, Path | ModelPicture]], block_rows: int) -> list[Any]:
    """The items as Arrow tables of ``block_rows`` rows: id, path, picture, fallback (paths as
    their bytes: a file name need not be UTF-8, and Arrow strings must be)."""
    import pyarrow as pa

    columns: dict[str, list[Any]] = {"id": [], "path": [], "picture": [], "fallback": []}
    for item_id, source in rows:
        picture = isinstance(source, ModelPicture)
        if isinstance(source, ModelPicture):
            path, fallback = source.path, source.fallback
        else:
            path, fallback = str(source), ""
        columns["id"].append(item_id)
        columns["path"].append(os.fsencode(path))
        columns["picture"].append(picture)
        columns["fallback"].append(os.fsencode(fallback))
    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("path", pa.binary()),
            ("picture", pa.bool_()),
            ("fallback", pa.binary()),
        ]
    )
    table = pa.table(columns, schema=schema)
    return [table.slice(start, block_rows) for start in range(0, len(rows), block_rows)]


def _read_on_driver(ray: ModuleType, dataset: Any, side: int) -> Any:
    """Replace paths by the files' bytes, read by tasks pinned to the driver's node."""
    if uses_client(ray):
        raise InvalidInput(
            "Through Ray Client (ray://) the workers cannot receive the images from this "
            "machine; run corpuscope on a node of the cluster, or use --ray-images shared."
        )
    here = {"ray.io/node-id": ray.get_runtime_context().get_node_id()}
    # No CPU reserved: reading is I/O, and the model workers hold every CPU.
    return dataset.map_batches(
        read_files,
        fn_kwargs={"side": side},
        batch_format="numpy",
        num_cpus=0,
        label_selector=here,
    )


def read_files(batch: dict[str, npt.NDArray[Any]], side: int) -> dict[str, npt.NDArray[Any]]:
    """Ray task: each row's bytes (its model picture, or its fallback file if the picture is
    missing or damaged, as the local pipeline does) or the reason they could not be read."""
    datas: list[bytes] = []
    pictures: list[bool] = []
    reasons: list[str] = []
    for path, picture, fallback in zip(
        batch["path"], batch["picture"], batch["fallback"], strict=True
    ):
        data, is_picture, reason = b"", bool(picture), ""
        try:
            data = read_bytes(Path(os.fsdecode(path)))
        except BadImage as error:
            reason = str(error)
        if is_picture and decode_picture(data, side) is None:  # a header check: no decoding
            data, is_picture, reason = b"", False, ""
            try:
                data = read_bytes(Path(os.fsdecode(fallback)))
            except BadImage as error:
                reason = str(error)
        datas.append(data)
        pictures.append(is_picture)
        reasons.append(reason)
    return {
        "id": batch["id"],
        "data": np.array(datas, dtype=object),
        "picture": np.array(pictures, dtype=bool),
        "reason": np.array(reasons, dtype=object),
    }


def _embed(
    ray: ModuleType, dataset: Any, embedder: Embedder, layout: _Layout, models_dir: Path | None
) -> Any:
    return dataset.map_batches(
        _ModelWorker,
        fn_constructor_kwargs={
            "model": embedder.name,
            "version": embedder.version,
            "models_dir": None if models_dir is None else str(models_dir),
            "threads": max(1, layout.cpus),
        },
        batch_size=layout.batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=layout.workers),
        num_cpus=layout.cpus,
        num_gpus=layout.gpus,
    )


class _ModelWorker:
    """Ray actor: one copy of the model; prepares rows (paths or bytes) and embeds them."""

    def __init__(self, model: str, version: str, models_dir: str | None, threads: int) -> None:
        from corpuscope.embed.registry import load_embedder

        embedder = load_embedder(
            model, models_dir=None if models_dir is None else Path(models_dir), threads=threads
        )
        if embedder.version != version:
            raise ModelUnavailable(
                f"A Ray worker has other files for the model {model} (version "
                f"{embedder.version}, the driver has {version}); install the same corpuscope "
                "and model files on every node."
            )
        self._preprocessing = embedder.preprocessing
        self._dim = embedder.dim
        recipe = embedder.worker_recipe()
        if embedder.use_gpu() or recipe is None:
            self._model: WorkerModel = embedder
        else:  # exactly what a local pipeline worker runs: the single-threaded export
            self._model = recipe.load(threads)

    def __call__(self, batch: dict[str, npt.NDArray[Any]]) -> dict[str, npt.NDArray[Any]]:
        ids = [int(item_id) for item_id in batch["id"]]
        prepare: Callable[[Any], npt.NDArray[np.float32]]
        if "data" in batch:  # bytes sent by the driver
            columns = (batch["data"], batch["picture"], batch["reason"])
            rows: list[Any] = list(zip(*columns, strict=True))
            prepare = self._prepare_bytes
        else:  # paths this worker opens itself
            rows = list(map(_source, batch["path"], batch["picture"], batch["fallback"]))
            prepare = self._prepare_source
        prepared = prepare_each(zip(ids, rows, strict=True), prepare, self._preprocessing)
        reasons = dict(prepared.failures)
        vectors = np.zeros((len(ids), self._dim), dtype=np.float32)
        if len(prepared.ids):  # prepared rows keep the input order
            ok = np.array([item_id not in reasons for item_id in ids], dtype=bool)
            vectors[ok] = self._model.embed_batch(prepared.pixels)
        return {
            "id": np.asarray(ids, dtype=np.int64),
            "vector": vectors,
            "reason": np.array([reasons.get(item_id, "") for item_id in ids], dtype=object),
        }

    def _prepare_source(self, source: Source) -> npt.NDArray[np.float32]:
        return prepare_source(source, self._preprocessing)

    def _prepare_bytes(self, row: tuple[bytes, bool, str]) -> npt.NDArray[np.float32]:
        data, picture, reason = row
        if reason:
            raise BadImage(str(reason))
        if picture:
            return prepare_picture(bytes(data), self._preprocessing)
        return prepare_bytes(bytes(data), self._preprocessing)


def _source(path: Any, picture: Any, fallback: Any) -> Source:
    if bool(picture):
        return ModelPicture(os.fsdecode(path), os.fsdecode(fallback))
    return os.fsdecode(path)


def _results(ray: ModuleType, batches: Iterator[Any], dim: int) -> Iterator[EmbeddedBatch]:
    """Blocks from the cluster as batches; a failure on the cluster as one sentence."""
    try:
        for batch in batches:
            ids = np.asarray(batch["id"], dtype=np.int64)
            vectors = np.asarray(batch["vector"], dtype=np.float32).reshape(len(ids), dim)
            reasons = [str(reason) for reason in batch["reason"]]
            ok = np.array([not reason for reason in reasons], dtype=bool)
            failures = tuple(
                (int(item_id), reason)
                for item_id, reason in zip(ids, reasons, strict=True)
                if reason
            )
            yield EmbeddedBatch(ids[ok], np.ascontiguousarray(vectors[ok]), failures)
    except ray.exceptions.RayError as error:  # a worker's error, a lost node, ...
        raise _sentence_for(error) from None


def _sentence_for(error: Exception) -> CorpuscopeError:
    """The user's error a Ray failure carries (a worker's ModelUnavailable), else a sentence."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, CorpuscopeError):
            return type(cause)(str(cause))
        cause = getattr(cause, "cause", None) or cause.__cause__
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ModelUnavailable(f"The Ray cluster could not compute the vectors ({first[:200]}).")


__all__ = ["IMAGE_ACCESS", "RayOptions", "embed_on_ray", "image_access", "import_ray"]
