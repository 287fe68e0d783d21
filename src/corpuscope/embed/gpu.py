"""Whether this process can run a model on a GPU (a Ray worker given one, for example).

Only PyTorch models move to a GPU: the bundled model then runs through torch instead of ONNX
Runtime, CLIP as it is. TF32 is switched off, so that GPU vectors match the CPU's to about 1e-6
and a project can mix vectors computed on either.
"""

from __future__ import annotations


def cuda_device() -> str | None:
    """``"cuda"`` when torch sees a GPU in this process, else ``None``."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return "cuda"
