"""Finding Hugging Face model folders on disk, and fetching them where a network exists.

A model folder is the usual Hugging Face layout, e.g. for ``clip-vit-b-32``::

    <models root>/clip-vit-b-32/
        config.json  preprocessor_config.json  model.safetensors
        tokenizer.json (or vocab.json + merges.txt)  tokenizer_config.json ...

Nothing here downloads unless :func:`download` is called (``corpuscope models download``).
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from corpuscope.embed.catalog import ModelSpec
from corpuscope.embed.locations import MODELS_ENV, models_root
from corpuscope.errors import ModelUnavailable

CONFIGS = (
    "config.json",
    "preprocessor_config.json",
    "tokenizer.json",
    "vocab.json",
    "spiece.model",
)
WEIGHTS = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")
TOKENIZERS = (("tokenizer.json",), ("vocab.json", "merges.txt"), ("spiece.model",))
DOWNLOAD_PATTERNS = [
    "config.json",
    "preprocessor_config.json",
    "processor_config.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "model-*-of-*.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "spiece.model",
]


def missing_files(folder: Path, *, text: bool = True) -> list[str]:
    """Files a model folder lacks (empty when it is complete); ``text``: it needs a tokenizer."""
    required = ("config.json", "preprocessor_config.json")
    missing = [name for name in required if not (folder / name).is_file()]
    if not any((folder / name).is_file() for name in WEIGHTS):
        missing.append("model.safetensors")
    if text and not any(all((folder / name).is_file() for name in group) for group in TOKENIZERS):
        missing.append("tokenizer.json (or vocab.json and merges.txt, or spiece.model)")
    return missing


def needed_files(spec: ModelSpec) -> list[str]:
    """The files a user copies into the model's folder, as ``corpuscope models`` lists them."""
    files = ["config.json", "preprocessor_config.json", "model.safetensors"]
    if spec.has_text:
        files += [spec.tokenizer or "tokenizer.json", "tokenizer_config.json"]
    return files


def search_places(spec: ModelSpec, models_dir: Path | None = None) -> list[str]:
    """Where :func:`find_folder` looks for ``spec``, in order, as a user reads it."""
    cache = "$HF_HOME/hub"
    if importlib.util.find_spec("huggingface_hub") is not None:
        from huggingface_hub import constants

        cache = constants.HF_HUB_CACHE
    return [
        str(models_root(models_dir) / spec.name),
        f"the Hugging Face cache ({cache}), repository {spec.repo_id}",
    ]


def find_folder(spec: ModelSpec, models_dir: Path | None = None) -> Path | None:
    """The first complete folder for ``spec``: the models root, then the Hugging Face cache."""
    own = models_root(models_dir) / spec.name
    if own.is_dir() and not missing_files(own, text=spec.has_text):
        return own
    cached = _hf_cache_folder(spec.repo_id)
    if cached is not None and not missing_files(cached, text=spec.has_text):
        return cached
    return None


def _hf_cache_folder(repo_id: str) -> Path | None:
    if not repo_id or importlib.util.find_spec("huggingface_hub") is None:
        return None
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # not in the cache (LocalEntryNotFoundError) or an unreadable cache
        return None


def missing_message(spec: ModelSpec, models_dir: Path | None = None) -> str:
    """How to make a downloadable model usable: the command, or the folder to fill by hand."""
    folder = models_root(models_dir) / spec.name
    files = ", ".join(needed_files(spec))
    return (
        f"The model {spec.name} is not on this machine: fetch it with "
        f"`corpuscope models download {spec.name}` where a network exists, or copy the files "
        f"of the Hugging Face repository {spec.repo_id} ({files}) into {folder}/ "
        f"(set {MODELS_ENV} to use another folder)."
    )


def download(spec: ModelSpec, models_dir: Path | None = None) -> Path:
    """Fetch ``spec`` from the Hugging Face Hub into ``<models root>/<name>/``."""
    target = models_root(models_dir) / spec.name
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise ModelUnavailable(
            "Downloading models needs the Hugging Face libraries; "
            "run: pip install 'corpuscope[clip]'"
        ) from None
    try:
        snapshot_download(spec.repo_id, local_dir=target, allow_patterns=DOWNLOAD_PATTERNS)
    except Exception as error:  # no network, a proxy, a rate limit: all end the same way
        raise ModelUnavailable(
            f"Could not download {spec.name} from the Hugging Face Hub "
            f"({type(error).__name__}); without a network, copy the files of {spec.repo_id} "
            f"into {target}/ by hand."
        ) from None
    missing = missing_files(target, text=spec.has_text)
    if missing:
        raise ModelUnavailable(
            f"The download of {spec.name} into {target}/ lacks {', '.join(missing)}."
        )
    return target


def fingerprint(folder: Path) -> str:
    """A short digest that changes when the model's configuration or weights change.

    Configuration files are hashed whole; weight files by size and their first, middle and
    last mebibyte, which is quick even for gigabyte files.
    """
    digest = hashlib.sha1()
    for name in CONFIGS:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    for name in WEIGHTS:
        path = folder / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + _sample(path))
    return digest.hexdigest()[:12]


def file_fingerprint(path: Path) -> str:
    """A short digest of one weights file, by the same sampling rule as :func:`fingerprint`."""
    return hashlib.sha1(_sample(path)).hexdigest()[:12]


def _sample(path: Path, block: int = 1 << 20) -> bytes:
    size = path.stat().st_size
    parts = [str(size).encode()]
    with path.open("rb") as handle:
        for offset in sorted({0, max(0, size // 2 - block // 2), max(0, size - block)}):
            handle.seek(offset)
            parts.append(handle.read(block))
    return hashlib.sha1(b"".join(parts)).digest()
