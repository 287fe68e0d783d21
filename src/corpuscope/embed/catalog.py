"""The models corpuscope knows, by stable name, with what a user needs to choose one.

Speeds are images per second on a 2-core laptop-class CPU (docs/models.md says how they were
measured); sizes are the download.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from corpuscope.errors import InvalidInput

Family = Literal["bundled", "hf-clip"]


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
