"""Vectors per second for every model family corpuscope can run, on this machine.

Real weights of CLIP, SigLIP, SigLIP 2 and DINOv2 cannot be downloaded here, so each is built
with its real architecture and size (the published configuration: layers, widths, patch size,
input side) and random weights, saved in the Hugging Face layout, and loaded through
corpuscope's registry exactly as a downloaded folder is. A forward pass costs the same whatever
the weights' values, so the speeds are the real ones; the vectors are of course meaningless.
Text towers are kept tiny (they do not take part in image vectors). An ONNX file added with
``corpuscope models add`` is measured on the bundled network's own export, so its ratio to the
bundled model shows what the generic ONNX path costs.

Every model embeds the same 512-px thumbnails through ``embed_files`` (the pipeline
``corpuscope vectors`` uses), end to end after loading; the baseline is the bundled model in the
same run, and each line prints its ratio to it.

    flock /tmp/bench.lock .venv/bin/python bench/models_bench.py [--n 64] [--only NAME,...]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from corpuscope.embed.installation import AddOptions
from corpuscope.embed.pipeline import embed_files
from corpuscope.embed.registry import add_model, load_embedder

OUT = Path("bench-output/models")
VIT_B = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12}
TINY_TEXT = {
    "vocab_size": 64,
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "max_position_embeddings": 16,
}
# name -> (family, vision configuration, image side, short side for the crop or None)
MODELS: dict[str, tuple[str, dict[str, Any], int, int | None]] = {
    "clip-vit-b-32": ("clip", {**VIT_B, "num_attention_heads": 12, "patch_size": 32}, 224, 224),
    "clip-vit-b-16": ("clip", {**VIT_B, "num_attention_heads": 12, "patch_size": 16}, 224, 224),
    "siglip-base-patch16-224": ("siglip", {**VIT_B, "num_attention_heads": 12, "patch_size": 16}, 224, None),
    "siglip2-base-patch16-224": ("siglip", {**VIT_B, "num_attention_heads": 12, "patch_size": 16}, 224, None),
    "dinov2-small": ("dinov2", {"hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 6}, 224, 256),
    "dinov2-base": ("dinov2", {**VIT_B, "num_attention_heads": 12}, 224, 256),
}  # fmt: skip


def make_thumbnails(n: int, out: Path) -> list[Path]:
    """``n`` photo-like 512-px JPEGs (scikit-image's photos, cropped and shifted)."""
    import skimage.data

    folder = out / "thumbnails"
    folder.mkdir(parents=True, exist_ok=True)
    photos = [
        np.asarray(getattr(skimage.data, name)())
        for name in ("astronaut", "coffee", "chelsea", "rocket")
    ]
    paths = []
    for index in range(n):
        path = folder / f"{index:04d}.jpg"
        if not path.is_file():
            photo = Image.fromarray(photos[index % len(photos)]).convert("RGB")
            shift = 7 * index % 60
            photo = photo.crop((shift, shift // 2, photo.width - 60 + shift, photo.height - 30))
            photo.thumbnail((512, 512))
            photo.save(path, quality=90)
        paths.append(path)
    return paths


def _processor(folder: Path, side: int, short: int | None) -> None:
    config: dict[str, Any] = {
        "do_resize": True,
        "resample": 3,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
    }
    config |= {"do_normalize": True, "image_mean": [0.5] * 3, "image_std": [0.5] * 3}
    if short is None:
        config["size"] = {"height": side, "width": side}
    else:
        config |= {
            "size": {"shortest_edge": short},
            "do_center_crop": True,
            "crop_size": {"height": side, "width": side},
        }
    (folder / "preprocessor_config.json").write_text(json.dumps(config))


def save_random(name: str, root: Path) -> None:
    """The model ``name`` at its real size with random weights, in the Hugging Face layout."""
    import torch
    from transformers import (
        CLIPConfig,
        CLIPModel,
        Dinov2Config,
        Dinov2Model,
        GemmaTokenizer,
        SiglipConfig,
        SiglipModel,
    )

    family, vision, side, short = MODELS[name]
    folder = root / name
    torch.manual_seed(0)
    if family == "dinov2":
        model: Any = Dinov2Model(Dinov2Config(**vision, image_size=518, patch_size=14))
    else:
        vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
        vocab |= {letter: 5 + i for i, letter in enumerate("abcdefghijklmnopqrstuvwxyz▁")}
        tokenizer: Any = GemmaTokenizer(vocab=vocab, merges=[])
        tokenizer.save_pretrained(folder)
        text = {**TINY_TEXT, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2}
        if family == "clip":
            model = CLIPModel(
                CLIPConfig(
                    text_config=text,
                    vision_config={**vision, "image_size": side},
                    projection_dim=512,
                )
            )
        else:
            model = SiglipModel(
                SiglipConfig(text_config=text, vision_config={**vision, "image_size": side})
            )
    model.eval().save_pretrained(folder)
    _processor(folder, side, short)


def measure(name: str, paths: list[Path], root: Path) -> tuple[float, str]:
    """End-to-end images/s of the pipeline for ``name`` (after loading), and its runtime."""
    embedder = load_embedder(name, models_dir=root)
    items = list(enumerate(paths))
    started = time.perf_counter()
    count = sum(len(batch.ids) for batch in embed_files(items, embedder))
    seconds = time.perf_counter() - started
    assert count == len(paths), f"{name}: {count} of {len(paths)} embedded"
    return len(paths) / seconds, embedder.runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="thumbnails for the fast models")
    parser.add_argument("--n-vit", type=int, default=24, help="thumbnails for the ViT models")
    parser.add_argument("--only", default="", help="comma-separated model names")
    args = parser.parse_args()
    paths = make_thumbnails(max(args.n, args.n_vit), OUT)
    wanted = set(filter(None, args.only.split(",")))
    root = Path(tempfile.mkdtemp(prefix="models-bench-"))
    try:
        base, runtime = measure("efficientnet-lite0", paths[: args.n], root)
        print(f"{'efficientnet-lite0 (baseline)':<36} {base:7.1f} images/s  1.00x  {runtime}")
        export = next(Path(p) for p in _onnx_exports())
        add_model("bundled-as-file", export, AddOptions(mean=(127 / 255,) * 3, std=(128 / 255,) * 3, input_size=224), models_dir=root)  # fmt: skip
        rate, runtime = measure("bundled-as-file", paths[: args.n], root)
        print(
            f"{'ONNX file (the bundled network)':<36} {rate:7.1f} images/s  {rate / base:.2f}x  {runtime}"
        )
        for name in MODELS:
            if wanted and name not in wanted:
                continue
            save_random(name, root)
            rate, runtime = measure(name, paths[: args.n_vit], root)
            print(
                f"{name + ' (random weights)':<36} {rate:7.1f} images/s  {rate / base:.2f}x  {runtime}"
            )
            shutil.rmtree(root / name)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _onnx_exports() -> list[str]:
    from corpuscope.embed.locations import cache_dir

    found = sorted(str(p) for p in (cache_dir() / "onnx").glob("efficientnet-lite0-*.onnx"))
    if not found:
        raise SystemExit("Run the bundled model once first (corpuscope vectors) to export it.")
    return found


if __name__ == "__main__":
    main()
