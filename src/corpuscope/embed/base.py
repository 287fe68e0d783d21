"""The interface every embedder implements, and the checks and helpers they share.

An embedder turns preprocessed pictures (and, for models with a text tower, texts) into
float32 L2-normalised vectors. ``name`` and ``version`` are stored with the vectors so that
vectors from different models, weights or preprocessing are never mixed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from PIL import Image

from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.errors import InvalidInput


class WorkerModel(Protocol):
    """The model as a worker process holds it: unit vectors from preprocessed batches."""

    def embed_batch(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]: ...


class WorkerRecipe(Protocol):
    """A small picklable value from which a worker process loads its own copy of a model."""

    def load(self, threads: int) -> WorkerModel: ...


class Embedder(ABC):
    """A loaded model.

    Attributes:
        name: stable model name stored in the database, e.g. ``"efficientnet-lite0"``.
        version: changes whenever weights or preprocessing would change the vectors.
        dim: length ``d`` of each vector.
        has_text: whether :meth:`embed_text` works.
        preprocessing: what :meth:`embed_batch` expects to have been done to each picture.
        batch_size: the batch size measured to run fastest with this model here.
        runtime: what runs the forward pass, e.g. ``"onnxruntime (1 thread)"``.
    """

    name: str
    version: str
    dim: int
    has_text: bool
    preprocessing: ImagePreprocessing
    batch_size: int = 32
    runtime: str = ""

    @abstractmethod
    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``(n, d)`` raw features for a validated, non-empty ``(n, 3, H, W)`` batch."""

    def embed_batch(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """``(n, d)`` float32 unit vectors from an ``(n, 3, H, W)`` float32 preprocessed batch."""
        batch = self._check_batch(batch)
        if len(batch) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        return normalize_rows(self._forward(batch))

    def embed_images(self, images: Sequence[Image.Image]) -> npt.NDArray[np.float32]:
        """``(n, d)`` unit vectors for in-memory pictures, in batches of :attr:`batch_size`."""
        parts = [np.empty((0, self.dim), dtype=np.float32)]
        for start in range(0, len(images), self.batch_size):
            chunk = images[start : start + self.batch_size]
            batch = np.stack([self.preprocessing.apply(image) for image in chunk])
            parts.append(self.embed_batch(batch))
        return np.concatenate(parts)

    def worker_recipe(self) -> WorkerRecipe | None:
        """How a worker process can load this model cheaply, or ``None`` if it cannot.

        Models that are small and quick to load (the bundled one through ONNX Runtime) let
        the pipeline run decoding and inference side by side in every worker, which scales
        with the cores; the others run inference in the main process.
        """
        return None

    def use_gpu(self) -> bool:
        """Run the forward pass on this process's GPU from now on, if there is one and this
        model can; whether it does."""
        return False

    def embed_text(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """``(n, d)`` unit vectors for texts, comparable with this model's image vectors."""
        raise InvalidInput(
            f"The model {self.name} has no text encoder; "
            "choose a CLIP-class model to search by text."
        )

    def _check_batch(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        size = self.preprocessing.size
        array = np.asarray(batch)
        if array.ndim != 4 or array.shape[1:] != (3, size, size):
            raise InvalidInput(
                f"The model {self.name} takes batches shaped (n, 3, {size}, {size}), "
                f"not {tuple(array.shape)}."
            )
        return np.ascontiguousarray(array, dtype=np.float32)


def normalize_rows(X: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """``(n, d)`` float32 copy of ``X``, each row scaled to unit length (zero rows stay zero)."""
    vectors = np.array(X, dtype=np.float32, copy=True)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


def check_texts(texts: Sequence[str]) -> list[str]:
    """The texts as a list; refuses a bare string or non-strings (a common slip)."""
    if isinstance(texts, str):
        raise InvalidInput("Pass a list of texts, not a single string.")
    result = list(texts)
    if not all(isinstance(text, str) for text in result):
        raise InvalidInput("Every text to embed must be a string.")
    return result
