"""Fixtures for the embed tests: the bundled model (exported once per session into a private
cache), real photographs from scikit-image, a tiny CLIP saved in the Hugging Face layout, a
numpy-only fake embedder, and broken image files of every kind."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from corpuscope.embed.base import Embedder, WorkerModel, WorkerRecipe
from corpuscope.embed.efficientnet import EfficientNetLite0
from corpuscope.embed.preprocessing import ImagePreprocessing

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "camera", "coins")
CLIP_SIZE = 32  # the tiny CLIP's input side


@pytest.fixture(scope="session")
def bundled(private_cache: Path) -> EfficientNetLite0:
    """The default model as users get it (ONNX Runtime; exported on first use)."""
    return EfficientNetLite0()


@pytest.fixture(scope="session")
def bundled_torch() -> EfficientNetLite0:
    return EfficientNetLite0(runtime="torch")


@pytest.fixture(scope="session")
def photos() -> dict[str, Image.Image]:
    """Real photographs bundled with scikit-image, as RGB pictures."""
    import skimage.data

    return {
        name: Image.fromarray(np.asarray(getattr(skimage.data, name)())).convert("RGB")
        for name in PHOTOS
    }


class FakeEmbedder(Embedder):
    """Numpy-only model for pipeline tests: the mean colour of 4x4 regions, 48-d."""

    name = "fake"
    version = "1"
    dim = 48
    has_text = False
    batch_size = 4

    def __init__(self, preprocessing: ImagePreprocessing | None = None) -> None:
        self.preprocessing = preprocessing or ImagePreprocessing(
            resize=16, crop=16, mean=(128.0, 128.0, 128.0), std=(64.0, 64.0, 64.0)
        )

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        n = len(batch)
        blocks = batch.reshape(n, 3, 4, 4, 4, 4).mean(axis=(3, 5))
        return np.asarray(blocks.reshape(n, -1) + 1.0, dtype=np.float32)


@dataclass(frozen=True)
class FakeRecipe:
    """Lets pipeline workers hold the fake model themselves, as they do the bundled one."""

    preprocessing: ImagePreprocessing

    def load(self, threads: int) -> WorkerModel:
        return FakeEmbedder(self.preprocessing)


class FakeEmbedderWithRecipe(FakeEmbedder):
    def worker_recipe(self) -> WorkerRecipe | None:
        return FakeRecipe(self.preprocessing)


@dataclass(frozen=True)
class CrashingPreprocessing(ImagePreprocessing):
    """Kills the worker process on any 13 x 13 picture, as a decoder bug would."""

    def apply(self, image: Image.Image) -> npt.NDArray[np.float32]:
        if image.size == (13, 13):
            os._exit(3)
        return super().apply(image)


@pytest.fixture
def fake() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def importable_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let spawned workers import the fakes above (``embed.conftest``) by name."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))


def generated_picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A structured picture (gradient, discs, stripes) that differs clearly from seed to seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    slope = rng.uniform(-1, 1, (3, 2))
    base = rng.uniform(0, 255, 3)
    rgb = np.stack(
        [base[c] + 255 * (slope[c, 0] * xx / width + slope[c, 1] * yy / height) for c in range(3)],
        axis=-1,
    )
    for _ in range(4):
        cx, cy, radius = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(20, 80)
        rgb[(xx - cx) ** 2 + (yy - cy) ** 2 < radius**2] = rng.uniform(0, 255, 3)
    rgb += 30 * np.sin(xx / rng.uniform(8, 40))[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


@pytest.fixture
def broken_files(tmp_path: Path) -> dict[str, Path]:
    """Files that are not usable images, by kind."""
    folder = tmp_path / "broken"
    folder.mkdir()
    good = Image.fromarray(np.full((60, 80, 3), 90, np.uint8))
    good.save(folder / "good.jpg", quality=90)
    data = (folder / "good.jpg").read_bytes()
    files = {
        "empty": folder / "empty.jpg",
        "truncated": folder / "truncated.jpg",
        "fake": folder / "fake.png",
        "garbage": folder / "garbage.jpg",
        "missing": folder / "missing.jpg",
        "folder": folder / "a-folder.jpg",
    }
    files["empty"].write_bytes(b"")
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["fake"].write_text("This is a text file with an image name.\n")
    files["garbage"].write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    files["folder"].mkdir()
    return files


def save_tiny_clip(folder: Path, *, seed: int = 0) -> Path:
    """A randomly initialised small CLIP with its processor files, as ``save_pretrained``
    writes them (the layout of openai/clip-vit-base-patch32, at toy size)."""
    import torch
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    tokenizer: Any = tiny_tokenizer(CLIPTokenizer)
    torch.manual_seed(seed)
    config = CLIPConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 16,
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": CLIP_SIZE,
            "patch_size": 8,
        },
        projection_dim=24,
    )
    model: Any = CLIPModel(config)
    model.eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    processor = {
        "image_processor_type": "CLIPImageProcessor",
        "do_resize": True,
        "size": {"shortest_edge": CLIP_SIZE},
        "resample": 3,
        "do_center_crop": True,
        "crop_size": {"height": CLIP_SIZE, "width": CLIP_SIZE},
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711],
        "do_convert_rgb": True,
    }
    (folder / "preprocessor_config.json").write_text(json.dumps(processor, indent=2))
    return folder


def tiny_tokenizer(cls: Any) -> Any:
    """A byte-level BPE vocabulary made by hand: every byte, with and without ``</w>``."""
    from transformers import convert_slow_tokenizer

    converter: Any = convert_slow_tokenizer
    symbols = list(converter.bytes_to_unicode().values())
    vocab = {symbol: index for index, symbol in enumerate(symbols)}
    vocab.update({symbol + "</w>": len(symbols) + index for index, symbol in enumerate(symbols)})
    merges = [("t", "h"), ("th", "e</w>"), ("c", "a"), ("ca", "t</w>")]
    for token in ("th", "the</w>", "ca", "cat</w>", "<|startoftext|>", "<|endoftext|>"):
        vocab[token] = len(vocab)
    return cls(vocab=vocab, merges=merges)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding ``clip-vit-b-32/`` (the tiny CLIP, in the real layout)."""
    root = tmp_path_factory.mktemp("models")
    save_tiny_clip(root / "clip-vit-b-32")
    return root


@pytest.fixture
def placeholder_models(tmp_path: Path) -> Path:
    """A models root whose clip-vit-b-32 folder has every file, as placeholders (no model)."""
    folder = tmp_path / "models" / "clip-vit-b-32"
    folder.mkdir(parents=True)
    for name in ("config.json", "preprocessor_config.json", "model.safetensors", "tokenizer.json"):
        (folder / name).write_bytes(b'{"resample": 3}' + bytes(range(256)) * 9000)
    return tmp_path / "models"


@pytest.fixture
def empty_hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the Hugging Face cache at an empty folder, whatever this machine has cached."""
    from huggingface_hub import constants

    folder = tmp_path / "hf-cache"
    folder.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(folder))
    return folder
