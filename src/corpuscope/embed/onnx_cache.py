"""ONNX exports of torch models, made once, verified, and run with ONNX Runtime.

An export lives in ``<cache>/onnx/<stem>-<key>.onnx``; ``key`` hashes everything that shapes
the export (weights, torch version, opset, export revision), so a change makes a new file.
Each file carries, in its metadata, the torch output for a fixed probe input. The export is
checked against torch before it is written (to a temporary name, then renamed, so a crash
never leaves a half-written model), and against that stored output each time it is opened;
a file that disagrees is exported again.
"""

from __future__ import annotations

import base64
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from corpuscope.embed.base import WorkerModel, normalize_rows

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

OPSET = 17
_REFERENCE = "corpuscope.reference"  # metadata key: base64 float32 torch output for the probe
_TOLERANCE = 1e-4  # absolute and relative, on raw features; measured differences are ~7e-6


class ExportFailed(Exception):
    """The model could not be exported, or its export does not reproduce torch's output."""


@dataclass(frozen=True)
class OnnxRecipe:
    """Loads an already verified export in a worker process (no torch, no re-check).

    ``micro_batch``: the worker runs its chunks through the model this many images at a
    time; single-threaded, small batches stay in the CPU caches and run fastest.
    """

    path: str
    micro_batch: int = 2

    def load(self, threads: int) -> WorkerModel:
        return _NormalizedRunner(OnnxRunner(Path(self.path), threads=threads), self.micro_batch)


class _NormalizedRunner:
    def __init__(self, runner: OnnxRunner, micro_batch: int) -> None:
        self._runner = runner
        self._step = max(1, micro_batch)

    def embed_batch(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        parts = [
            self._runner.run(batch[start : start + self._step])
            for start in range(0, len(batch), self._step)
        ]
        return normalize_rows(np.concatenate(parts))


class OnnxRunner:
    """Runs one exported model: ``run((n, 3, H, W) float32) -> (n, d)`` float32 features."""

    def __init__(self, path: Path, *, threads: int) -> None:
        self.path = path
        self.threads = threads
        self._session = open_session(path, threads=threads)
        self._input = self._session.get_inputs()[0].name
        self.metadata: dict[str, str] = dict(self._session.get_modelmeta().custom_metadata_map)

    def run(self, batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        outputs = self._session.run(None, {self._input: batch})
        return np.asarray(outputs[0], dtype=np.float32)


def open_session(path: Path, *, threads: int) -> Any:
    """An ONNX Runtime CPU session for ``path`` with ``threads`` threads that never spin idle."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: a user's model may warn about its own graph
    # Idle threads must not spin on cores the decoding workers need.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load_runner(
    *,
    path: Path,
    build_model: Callable[[], torch.nn.Module],
    probe: npt.NDArray[np.float32],
    threads: int,
) -> OnnxRunner:
    """An :class:`OnnxRunner` for ``path``, exporting ``build_model()`` there first if needed.

    Raises :class:`ExportFailed` when no faithful export can be made (the caller falls back
    to torch) and ImportError when onnxruntime is missing.
    """
    import onnxruntime  # noqa: F401  (fail before exporting what could not be run)

    if path.is_file():
        try:
            return open_verified(path, probe=probe, threads=threads)
        except ExportFailed as error:
            log.warning("The cached ONNX export %s %s; exporting again.", path, error)
    export(build_model(), path=path, probe=probe)
    return OnnxRunner(path, threads=threads)


def open_verified(path: Path, *, probe: npt.NDArray[np.float32], threads: int) -> OnnxRunner:
    """Open an export and check it still gives the torch output stored in it for ``probe``.

    Raises :class:`ExportFailed` for a damaged, foreign or disagreeing file and ImportError
    when onnxruntime is missing.
    """
    try:
        runner = OnnxRunner(path, threads=threads)
        agrees = _agrees(runner.run(probe), _stored_reference(runner.metadata))
    except ImportError:
        raise
    except Exception as error:  # a damaged or foreign file
        raise ExportFailed(f"is unusable ({error})") from error
    if not agrees:
        raise ExportFailed("disagrees with torch")
    return runner


def export(
    model: torch.nn.Module,
    *,
    path: Path,
    probe: npt.NDArray[np.float32],
    metadata: dict[str, str] | None = None,
) -> None:
    """Export ``model`` to ``path`` atomically, after checking ONNX Runtime reproduces it.

    ``metadata`` is stored in the file beside the reference output (ONNX metadata props).
    """
    import torch

    with torch.inference_mode():
        reference = model(torch.from_numpy(probe)).numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    temporary.chmod(0o644)  # mkstemp makes it private; the cache is an ordinary folder
    try:
        _export_to(model, temporary, probe, {_REFERENCE: _encode(reference), **(metadata or {})})
        if not _agrees(OnnxRunner(temporary, threads=1).run(probe), reference):
            raise ExportFailed("the ONNX export does not reproduce the torch output")
        os.replace(temporary, path)
    except ExportFailed:
        raise
    except Exception as error:
        raise ExportFailed(f"ONNX export failed: {error}") from error
    finally:
        temporary.unlink(missing_ok=True)


def _export_to(
    model: torch.nn.Module,
    path: Path,
    probe: npt.NDArray[np.float32],
    metadata: dict[str, str],
) -> None:
    import onnx
    import torch

    with warnings.catch_warnings():
        # The TorchScript exporter (dynamo=False; the dynamo one needs onnxscript) announces
        # its deprecation, and notes Slice ops it cannot constant-fold: both are harmless here.
        warnings.filterwarnings("ignore", message=r".*legacy TorchScript-based ONNX export")
        warnings.filterwarnings("ignore", message=r"The feature will be removed")
        warnings.filterwarnings("ignore", message=r"Constant folding - Only steps=1")
        torch.onnx.export(
            model,
            (torch.from_numpy(probe),),
            str(path),
            dynamo=False,
            input_names=["pixels"],
            output_names=["features"],
            dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}},
            opset_version=OPSET,
        )
    proto: Any = onnx.load(str(path))
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key = key
        entry.value = value
    onnx.save(proto, str(path))


def _encode(array: npt.NDArray[np.float32]) -> str:
    rows, cols = array.shape
    data = base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode()
    return f"{rows}x{cols}:{data}"


def _stored_reference(metadata: dict[str, str]) -> npt.NDArray[np.float32]:
    shape, _, data = metadata[_REFERENCE].partition(":")
    rows, cols = (int(part) for part in shape.split("x"))
    values = np.frombuffer(base64.b64decode(data), dtype="<f4")
    return values.reshape(rows, cols).astype(np.float32)


def _agrees(output: npt.NDArray[np.float32], reference: npt.NDArray[np.float32]) -> bool:
    return output.shape == reference.shape and bool(
        np.allclose(output, reference, rtol=_TOLERANCE, atol=_TOLERANCE)
    )
