"""CLIP-class models (image and text towers) through Hugging Face ``transformers``.

CLIP, SigLIP and SigLIP 2 (its fixed-resolution checkpoints, which are SigLIP networks with a
multilingual tokenizer) load from a local folder only (:mod:`.hf_folder`): never a download at
run time. Texts go through the folder's tokenizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.embed.base import check_texts, normalize_rows
from corpuscope.embed.hf_folder import FolderEmbedder, load_folder

REVISION = 1  # bump when the way features are taken from the model changes
MODEL_TYPES = ("clip", "siglip")


class ClipEmbedder(FolderEmbedder):
    """A CLIP or SigLIP model loaded from ``folder`` in the Hugging Face layout."""

    has_text = True
    batch_size = 32

    def __init__(self, name: str, folder: Path, *, threads: int | None = None) -> None:
        loaded = load_folder(name, folder, model_types=MODEL_TYPES, tokenizer=True, threads=threads)
        self.name = name
        self.threads = loaded.threads
        self._torch = loaded.torch
        self._model: Any = loaded.model
        self._tokenizer: Any = loaded.tokenizer
        self.preprocessing = loaded.preprocessing
        config = self._model.config
        self.dim = int(getattr(config, "projection_dim", 0) or config.vision_config.hidden_size)
        self._max_length = int(config.text_config.max_position_embeddings)
        self._pad_to_max = config.model_type == "siglip"  # SigLIP was trained on padded texts
        self.version = loaded.version(REVISION)
        self.runtime = loaded.runtime

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        with self._torch.inference_mode():
            output = self._model.get_image_features(pixel_values=self.on_device(batch))
        return _features(output)

    def embed_text(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """``(n, d)`` unit vectors for texts, comparable with this model's image vectors."""
        items = check_texts(texts)
        if not items:
            return np.empty((0, self.dim), dtype=np.float32)
        tokens = self._tokenizer(
            items,
            padding="max_length" if self._pad_to_max else True,
            truncation=True,
            max_length=self._max_length,
            return_tensors="pt",
        )
        inputs = {"input_ids": tokens["input_ids"]}
        if "attention_mask" in tokens and not self._pad_to_max:
            inputs["attention_mask"] = tokens["attention_mask"]
        inputs = {key: value.to(self._device) for key, value in inputs.items()}
        with self._torch.inference_mode():
            output = self._model.get_text_features(**inputs)
        return normalize_rows(_features(output))


def _features(output: Any) -> npt.NDArray[np.float32]:
    """The projected features, whether transformers returns a tensor or a model output."""
    tensor = output if hasattr(output, "numpy") else output.pooler_output
    return np.asarray(tensor.float().cpu().numpy(), dtype=np.float32)
