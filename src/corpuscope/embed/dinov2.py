"""DINOv2 (image only) through Hugging Face ``transformers``, from a local folder only.

The vector is the class token after the final layer norm (the model's ``pooler_output``), the
image-level feature DINOv2's authors use for retrieval and k-NN classification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.embed.hf_folder import FolderEmbedder, load_folder

REVISION = 1  # bump when the way features are taken from the model changes


class Dinov2Embedder(FolderEmbedder):
    """A DINOv2 model loaded from ``folder`` in the Hugging Face layout (no text tower)."""

    has_text = False
    batch_size = 16

    def __init__(self, name: str, folder: Path, *, threads: int | None = None) -> None:
        loaded = load_folder(
            name, folder, model_types=("dinov2",), tokenizer=False, threads=threads
        )
        self.name = name
        self.threads = loaded.threads
        self._torch = loaded.torch
        self._model: Any = loaded.model
        self.preprocessing = loaded.preprocessing
        self.dim = int(self._model.config.hidden_size)
        self.version = loaded.version(REVISION)
        self.runtime = loaded.runtime

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        with self._torch.inference_mode():
            output = self._model(pixel_values=self.on_device(batch))
        return np.asarray(output.pooler_output.float().cpu().numpy(), dtype=np.float32)
