"""Loading a Hugging Face model folder with ``transformers``, from local files only.

Shared by the image-and-text models (:mod:`.clip`: CLIP, SigLIP, SigLIP 2) and the image-only
ones (:mod:`.dinov2`). The image preprocessing is read from ``preprocessor_config.json`` and
applied by corpuscope itself (no torchvision, usable in worker processes). A folder's version
hashes its configuration files, samples of its weights and the preprocessing, so changed
weights show up as "vectors missing", never as silently incomparable vectors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpuscope.embed.base import Embedder
from corpuscope.embed.cores import count_cores
from corpuscope.embed.gpu import cuda_device
from corpuscope.embed.hub import fingerprint
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.errors import CorpuscopeError, ModelUnavailable


@dataclass(frozen=True)
class LoadedFolder:
    """What a folder gives: the network (eval mode), its tokenizer, its preprocessing."""

    model: Any
    tokenizer: Any
    preprocessing: ImagePreprocessing
    torch: Any
    threads: int
    weights: str  # the folder's fingerprint

    def version(self, revision: int) -> str:
        """``<revision>-w<weights>-p<preprocessing>``: changes whenever the vectors would."""
        described = hashlib.sha1(self.preprocessing.describe().encode()).hexdigest()[:8]
        return f"{revision}-w{self.weights}-p{described}"

    @property
    def runtime(self) -> str:
        return f"torch ({self.threads} thread{'s' if self.threads > 1 else ''})"


class FolderEmbedder(Embedder):
    """An embedder whose network comes from :func:`load_folder`: it runs on this process's GPU
    when asked and there is one (a Ray worker given a GPU), else on the CPU threads."""

    _torch: Any
    _model: Any
    _device = "cpu"

    def use_gpu(self) -> bool:
        device = cuda_device()
        if device is None:
            return False
        self._model.to(device)
        self._device = device
        self.runtime = f"torch ({device})"
        return True

    def on_device(self, batch: npt.NDArray[np.float32]) -> Any:
        """A model input as a tensor on the network's device."""
        return self._torch.from_numpy(batch).to(self._device)


def load_folder(
    name: str,
    folder: Path,
    *,
    model_types: tuple[str, ...],
    tokenizer: bool,
    threads: int | None = None,
) -> LoadedFolder:
    """Load ``folder`` (whose ``config.json`` must name one of ``model_types``).

    Raises :class:`ModelUnavailable` with a sentence for missing libraries, a folder of another
    kind of model and files that cannot be loaded.
    """
    try:
        import torch
        from transformers import AutoConfig, AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError:
        raise ModelUnavailable(
            f"The model {name} needs the Hugging Face libraries; "
            "run: pip install 'corpuscope[clip]'"
        ) from None
    count = threads if threads is not None else count_cores()
    torch.set_num_threads(count)
    logging_module: Any = hf_logging
    logging_module.disable_progress_bar()  # corpuscope reports its own progress
    try:
        preprocessing = ImagePreprocessing.from_hf_config(folder / "preprocessor_config.json")
        kind = AutoConfig.from_pretrained(folder, local_files_only=True).model_type
    except CorpuscopeError as error:
        raise ModelUnavailable(f"The model folder {folder} is not usable: {error}") from None
    except Exception as error:  # OSError, ValueError, JSONDecodeError: all unusable
        raise ModelUnavailable(
            f"The model folder {folder} could not be loaded ({type(error).__name__}); "
            f"download {name} again or copy a complete folder."
        ) from None
    if kind not in model_types:
        expected = " or ".join(model_types)
        raise ModelUnavailable(
            f"The folder {folder} holds a {kind} model, not a {expected} model as {name} needs."
        )
    try:
        # safetensors whenever the folder has them: never unpickle a .bin beside them
        safe = any(folder.glob("*.safetensors")) or None
        model: Any = AutoModel.from_pretrained(
            folder, local_files_only=True, use_safetensors=safe
        ).eval()
        words: Any = (
            AutoTokenizer.from_pretrained(folder, local_files_only=True) if tokenizer else None
        )
    except Exception as error:  # OSError, ValueError, SafetensorError, ...: all unusable
        raise ModelUnavailable(
            f"The model folder {folder} could not be loaded ({type(error).__name__}); "
            f"download {name} again or copy a complete folder."
        ) from None
    return LoadedFolder(model, words, preprocessing, torch, count, fingerprint(folder))
