"""Tiny randomly initialised models in the real on-disk formats, made offline in the tests.

- SigLIP (a sentencepiece ``spiece.model`` trained here on a few sentences) and SigLIP 2 (a
  Gemma-style ``tokenizer.json`` built with the tokenizers library), both as ``SiglipModel``
  folders, the layout of google/siglip-base-patch16-224 and google/siglip2-base-patch16-224;
- DINOv2 (``Dinov2Model``, the layout of facebook/dinov2-small), no tokenizer;
- ONNX image encoders exported with ``torch.onnx.export``, good and broken ones.
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any

SIZE = 32  # the tiny models' input side
SENTENCES = [
    "a photograph of a cat",
    "the cat sits on the mat",
    "a red vase on a table",
    "un chat noir sur la table",
    "ein hund im garten",
]


def _processor(folder: Path, *, short: int, crop: int | None, mean: list[float]) -> None:
    config: dict[str, Any] = {
        "do_resize": True,
        "resample": 3,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": mean,
        "image_std": [0.5, 0.5, 0.5] if crop is None else [0.229, 0.224, 0.225],
    }
    if crop is None:  # SigLIP: squash to a square
        config |= {
            "image_processor_type": "SiglipImageProcessor",
            "size": {"height": short, "width": short},
        }
    else:  # DINOv2: short side, then centre crop
        config |= {
            "image_processor_type": "BitImageProcessor",
            "size": {"shortest_edge": short},
            "do_center_crop": True,
            "crop_size": {"height": crop, "width": crop},
        }
    (folder / "preprocessor_config.json").write_text(json.dumps(config, indent=2))


def siglip_tokenizer(folder: Path, *, multilingual: bool) -> Any:
    """SigLIP's sentencepiece tokenizer, or SigLIP 2's Gemma-style tokenizer.json, saved."""
    if not multilingual:
        import sentencepiece
        from transformers import SiglipTokenizer

        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(SENTENCES * 10),
            model_writer=model,
            vocab_size=30,
            model_type="unigram",
            pad_id=-1,
            eos_id=1,
            unk_id=2,
            bos_id=-1,
            minloglevel=2,
        )
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "spiece.model").write_bytes(model.getvalue())
        tokenizer: Any = SiglipTokenizer(vocab_file=str(folder / "spiece.model"))
    else:
        from transformers import GemmaTokenizer

        vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
        for symbol in "abcdefghijklmnopqrstuvwxyzé▁":
            vocab[symbol] = len(vocab)
        merges = [("t", "h"), ("th", "e"), ("c", "a"), ("ca", "t")]
        for token in ("th", "the", "ca", "cat"):
            vocab[token] = len(vocab)
        tokenizer = GemmaTokenizer(vocab=vocab, merges=merges)
    tokenizer.save_pretrained(folder)
    return tokenizer


def save_tiny_siglip(folder: Path, *, seed: int = 0, multilingual: bool = False) -> Path:
    """A tiny SigLIP (or, ``multilingual``, SigLIP 2) folder as ``save_pretrained`` writes it."""
    import torch
    from transformers import SiglipConfig, SiglipModel

    tokenizer = siglip_tokenizer(folder, multilingual=multilingual)
    torch.manual_seed(seed)
    config = SiglipConfig(
        text_config={
            "vocab_size": len(tokenizer),
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "max_position_embeddings": 16,
            "pad_token_id": tokenizer.pad_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "bos_token_id": None,
        },
        vision_config={
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_hidden_layers": 2,
            "num_attention_heads": 2,
            "image_size": SIZE,
            "patch_size": 8,
        },
    )
    model: Any = SiglipModel(config)
    model.eval().save_pretrained(folder)
    _processor(folder, short=SIZE, crop=None, mean=[0.5, 0.5, 0.5])
    return folder


def save_tiny_dinov2(folder: Path, *, seed: int = 0) -> Path:
    """A tiny DINOv2 folder (no tokenizer), as ``save_pretrained`` writes it."""
    import torch
    from transformers import Dinov2Config, Dinov2Model

    torch.manual_seed(seed)
    config = Dinov2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        mlp_ratio=2,
        image_size=SIZE,
        patch_size=8,
    )
    model: Any = Dinov2Model(config)
    model.eval().save_pretrained(folder)
    _processor(folder, short=40, crop=SIZE, mean=[0.485, 0.456, 0.406])
    return folder


def export_onnx(
    module: Any,
    path: Path,
    *,
    shape: tuple[int, ...] = (2, 3, SIZE, SIZE),
    outputs: tuple[str, ...] = ("features",),
    dynamic_batch: bool = True,
    dynamic_size: bool = False,
    metadata: dict[str, str] | None = None,
) -> Path:
    """Export ``module`` (a torch module) to ``path`` with torch.onnx.export (TorchScript)."""
    import onnx
    import torch

    torch.manual_seed(0)
    axes = {"pixels": {0: "n"}, **{name: {0: "n"} for name in outputs}} if dynamic_batch else None
    if dynamic_size:
        axes = {"pixels": {0: "n", 2: "height", 3: "width"}, **{name: {0: "n"} for name in outputs}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation notes
        torch.onnx.export(
            module.eval(),
            (torch.rand(*shape),),
            str(path),
            dynamo=False,
            input_names=["pixels"],
            output_names=list(outputs),
            dynamic_axes=axes,
            opset_version=17,
        )
    if metadata:
        proto: Any = onnx.load(str(path))
        for key, value in metadata.items():
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, value
        onnx.save(proto, str(path))
    return path


def tiny_encoder(kind: str = "good") -> Any:
    """A small random convolutional encoder; ``kind`` makes broken variants."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.conv = torch.nn.Conv2d(3, 8, 3, stride=2)
            self.head = torch.nn.Linear(8, 16)

        def forward(self, pixels: torch.Tensor) -> Any:
            if kind == "nhwc":
                pixels = pixels.permute(0, 3, 1, 2)
            if kind == "flat":
                pixels = pixels.reshape(-1, 3, SIZE, SIZE)
            features = torch.relu(self.conv(pixels))
            if kind == "map":
                return features  # (n, 8, h, w): averaged over space by corpuscope
            vector = self.head(features.mean(dim=(2, 3)))
            if kind == "nan":
                return vector * float("nan")
            if kind == "integer":
                return vector.argmax(dim=1)
            if kind == "two":
                return vector, features.mean(dim=(2, 3))
            return vector

    return Encoder()
