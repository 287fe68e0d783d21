"""The pipeline's worker processes: prepare a chunk of files, and embed it when they can.

A worker started with a :class:`WorkerRecipe` holds its own small copy of the model and
returns vectors; one started without returns model inputs for the main process to embed.
Nothing here imports torch.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from corpuscope.embed.base import WorkerModel, WorkerRecipe
from corpuscope.embed.chunks import EmbeddedBatch, PreparedChunk, Source, prepare_chunk
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.lifeline import end_with

log = logging.getLogger(__name__)

_model: WorkerModel | None = None


def start(recipe: WorkerRecipe | None, threads: int, owner: int) -> None:
    """Process initializer: end with process ``owner``; load the model if there is a recipe
    (if that fails, decode only)."""
    global _model
    end_with(owner)
    _model = None
    if recipe is None:
        return
    try:
        _model = recipe.load(threads)
    except Exception as error:  # the main process then embeds what this worker prepares
        log.warning("A pipeline worker could not load the model (%s); decoding only.", error)


def process(
    chunk: Sequence[tuple[int, Source]], preprocessing: ImagePreprocessing
) -> PreparedChunk | EmbeddedBatch:
    """The chunk's vectors when this worker holds the model, else its model inputs."""
    prepared = prepare_chunk(chunk, preprocessing)
    if _model is None or len(prepared.ids) == 0:
        return prepared
    return EmbeddedBatch(prepared.ids, _model.embed_batch(prepared.pixels), prepared.failures)
