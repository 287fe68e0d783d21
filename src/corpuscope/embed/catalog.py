"""The models corpuscope knows, by stable name, with what a user needs to choose one.

Speeds are images per second on a 2-core laptop-class CPU (docs/models.md says how they were
measured: ``bench/models_bench.py``, with randomly initialised networks of each architecture's real
size where the weights cannot be downloaded); sizes are the download.

Models added from a file (:mod:`.custom`) and by installed packages (:mod:`.plugins`) are not in
this catalogue: the registry lists all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from corpuscope.errors import InvalidInput

# hf-clip: image and text towers (CLIP, SigLIP, SigLIP 2); hf-dinov2: image only.
Family = Literal["bundled", "hf-clip", "hf-dinov2"]


@dataclass(frozen=True)
class ModelSpec:
    """A model corpuscope can load: ``name`` is what the database stores."""

    name: str
    title: str
    family: Family
    dim: int
    has_text: bool
    size: str
    speed: str
    repo_id: str = ""  # Hugging Face repository, for downloadable models
    tokenizer: str = ""  # the tokenizer files a text model's folder needs, as a user reads it


CATALOG: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="efficientnet-lite0",
        title="EfficientNet-Lite0, ImageNet (bundled, works offline)",
        family="bundled",
        dim=1280,
        has_text=False,
        size="17 MB, installed with corpuscope",
        speed="about 150 images/s on 2 CPU cores (ONNX Runtime)",
    ),
    ModelSpec(
        name="clip-vit-b-32",
        title="CLIP ViT-B/32 (OpenAI): images and text",
        family="hf-clip",
        dim=512,
        has_text=True,
        size="600 MB",
        speed="about 14 images/s on 2 CPU cores",
        repo_id="openai/clip-vit-base-patch32",
        tokenizer="tokenizer.json (or vocab.json and merges.txt)",
    ),
    ModelSpec(
        name="clip-vit-b-16",
        title="CLIP ViT-B/16 (OpenAI): images and text, finer detail",
        family="hf-clip",
        dim=512,
        has_text=True,
        size="600 MB",
        speed="about 3 images/s on 2 CPU cores",
        repo_id="openai/clip-vit-base-patch16",
        tokenizer="tokenizer.json (or vocab.json and merges.txt)",
    ),
    ModelSpec(
        name="clip-vit-l-14",
        title="CLIP ViT-L/14 (OpenAI): images and text, best and slowest",
        family="hf-clip",
        dim=768,
        has_text=True,
        size="1.7 GB",
        speed="under 1 image/s on 2 CPU cores; use a GPU",
        repo_id="openai/clip-vit-large-patch14",
        tokenizer="tokenizer.json (or vocab.json and merges.txt)",
    ),
    ModelSpec(
        name="siglip-base-patch16-224",
        title="SigLIP ViT-B/16 (Google): images and English text",
        family="hf-clip",
        dim=768,
        has_text=True,
        size="800 MB",
        speed="about 5 images/s on 2 CPU cores",
        repo_id="google/siglip-base-patch16-224",
        tokenizer="spiece.model",
    ),
    ModelSpec(
        name="siglip2-base-patch16-224",
        title="SigLIP 2 ViT-B/16 (Google): images and multilingual text",
        family="hf-clip",
        dim=768,
        has_text=True,
        size="1.5 GB",
        speed="about 5 images/s on 2 CPU cores",
        repo_id="google/siglip2-base-patch16-224",
        tokenizer="tokenizer.json",
    ),
    ModelSpec(
        name="dinov2-small",
        title="DINOv2 ViT-S/14 (Meta): images only, composition and layout",
        family="hf-dinov2",
        dim=384,
        has_text=False,
        size="90 MB",
        speed="about 7 images/s on 2 CPU cores",
        repo_id="facebook/dinov2-small",
    ),
    ModelSpec(
        name="dinov2-base",
        title="DINOv2 ViT-B/14 (Meta): images only, finer than small",
        family="hf-dinov2",
        dim=768,
        has_text=False,
        size="350 MB",
        speed="about 3 images/s on 2 CPU cores",
        repo_id="facebook/dinov2-base",
    ),
)

DEFAULT_MODEL = "efficientnet-lite0"


def find_spec(name: str) -> ModelSpec:
    """The spec named ``name``; an unknown name lists the known ones."""
    for spec in CATALOG:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in CATALOG)
    raise InvalidInput(f"Unknown model {name!r}; the models are: {known}.")
