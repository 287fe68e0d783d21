"""CLIP-class models (image and text towers) through Hugging Face ``transformers``.

Weights are read from a local folder only (``local_files_only=True``): never a download at
run time. Images are preprocessed by :class:`ImagePreprocessing` built from the folder's
``preprocessor_config.json`` (no torchvision, usable in worker processes); texts go through
the folder's tokenizer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.embed.base import Embedder, check_texts, normalize_rows
from corpuscope.embed.cores import count_cores
from corpuscope.embed.gpu import cuda_device
from corpuscope.embed.hub import fingerprint
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.errors import ModelUnavailable

REVISION = 1  # bump when the way features are taken from the model changes


class ClipEmbedder(Embedder):
    """A CLIP or SigLIP model loaded from ``folder`` in the Hugging Face layout."""

    has_text = True
    batch_size = 32

    def __init__(self, name: str, folder: Path, *, threads: int | None = None) -> None:
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise ModelUnavailable(
                f"The model {name} needs the Hugging Face libraries; "
                "run: pip install 'corpuscope[clip]'"
            ) from None
        self.name = name
        self.threads = threads if threads is not None else count_cores()
        torch.set_num_threads(self.threads)
        self._torch = torch
        self._device = "cpu"
        self.preprocessing = ImagePreprocessing.from_hf_config(folder / "preprocessor_config.json")
        logging_module: Any = hf_logging
        logging_module.disable_progress_bar()  # corpuscope reports its own progress
        try:
            self._model: Any = AutoModel.from_pretrained(folder, local_files_only=True).eval()
            self._tokenizer: Any = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        except Exception as error:  # OSError, ValueError, SafetensorError, ...: all unusable
            raise ModelUnavailable(
                f"The model folder {folder} could not be loaded ({type(error).__name__}); "
                f"download {name} again or copy a complete folder."
            ) from None
        config = self._model.config
        self.dim = int(getattr(config, "projection_dim", 0) or config.vision_config.hidden_size)
        self._max_length = int(config.text_config.max_position_embeddings)
        self._pad_to_max = config.model_type == "siglip"  # SigLIP was trained on padded texts
        described = hashlib.sha1(self.preprocessing.describe().encode()).hexdigest()[:8]
        self.version = f"{REVISION}-w{fingerprint(folder)}-p{described}"
        self.runtime = f"torch ({self.threads} thread{'s' if self.threads > 1 else ''})"

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        pixels = self._torch.from_numpy(batch).to(self._device)
        with self._torch.inference_mode():
            output = self._model.get_image_features(pixel_values=pixels)
        return _features(output)

    def use_gpu(self) -> bool:
        device = cuda_device()
        if device is None:
            return False
        self._model.to(device)
        self._device = device
        self.runtime = f"torch ({device})"
        return True

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
