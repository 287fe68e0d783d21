"""The wheel as a user installs it: built web app and ONNX model inside, no torch pulled.

The wheel is built from this checkout (``make setup`` made the web app and the ONNX file),
installed into a fresh virtual environment with its dependencies pinned to the versions of
this environment (pip takes them from its cache or the registries), and run from there.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from importlib.metadata import distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
STATIC = "corpuscope/web/static/index.html"
MODEL = "corpuscope/embed/bundled/efficientnet-lite0.onnx"


def _build_wheel(source: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _copy_source(target: Path, *, leave_out: tuple[str, ...] = ()) -> Path:
    """What the sdist holds, in a fresh folder (no stale build/ from an earlier build)."""
    target.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", *leave_out)
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for path in (STATIC, MODEL):
        if not (ROOT / "src" / path).is_file():
            pytest.fail(f"{path} is not built: run `make setup`")
    folder = tmp_path_factory.mktemp("wheel")
    result = _build_wheel(_copy_source(folder / "source"), folder / "dist")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (found,) = (folder / "dist").glob("corpuscope-*.whl")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.slow
def test_the_wheel_carries_the_web_app_and_the_model_but_requires_no_torch(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requirements = [
            line.split(":", 1)[1].strip()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    assert STATIC in names and MODEL in names
    assert any(re.fullmatch(r"corpuscope/web/static/assets/index-.+\.js", n) for n in names)
    required = [r for r in requirements if "extra ==" not in r]
    assert "onnxruntime" in " ".join(required)
    assert not [r for r in required if re.match(r"(torch|efficientnet)\b", r)], required
    assert any(r.startswith("torch") and 'extra == "clip"' in r for r in requirements)


@pytest.mark.slow
def test_building_without_the_web_app_fails_with_a_sentence(tmp_path: Path) -> None:
    source = _copy_source(tmp_path / "source", leave_out=("static",))
    result = _build_wheel(source, tmp_path / "dist")
    assert result.returncode != 0
    assert "Cannot build corpuscope without the built web app" in result.stdout + result.stderr
    assert not list((tmp_path / "dist").glob("*.whl"))


@pytest.mark.slow
def test_the_installed_wheel_serves_the_ui_and_embeds_without_torch(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, timeout=300)
    python, corpuscope = env_dir / "bin" / "python", env_dir / "bin" / "corpuscope"
    constraints = tmp_path / "constraints.txt"  # this environment's versions, so pip reuses them
    constraints.write_text(
        "\n".join(
            f"{d.metadata['Name']}=={d.version}"
            for d in distributions()
            if d.metadata["Name"] and d.metadata["Name"].lower() not in {"corpuscope", "torch"}
        )
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-c", str(constraints), str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
        env=clean,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    probe = (
        "import sys; from PIL import Image; from corpuscope.embed.registry import load_embedder; "
        "e = load_embedder(threads=1); v = e.embed_images([Image.new('RGB', (300, 200), 'teal')]); "
        "print(e.runtime, v.shape, 'torch' in sys.modules, e.version)"
    )
    embedded = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=clean
    )
    assert embedded.returncode == 0, embedded.stderr[-3000:]
    assert embedded.stdout.startswith("onnxruntime (1 thread) (1, 1280) False 1-w")
    no_torch = subprocess.run([str(python), "-c", "import torch"], capture_output=True, env=clean)
    assert no_torch.returncode != 0  # the install did not pull PyTorch

    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(corpuscope), "serve", str(tmp_path / "p"), "--port", str(port), "--no-browser"],
            cwd=tmp_path,
            env=clean,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/", server, log)
        script = re.search(r'src="(/assets/index-[^"]+\.js)"', page.decode())
        assert script is not None, page[:500]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{script[1]}", timeout=30) as reply:
            assert reply.status == 200
            assert "javascript" in reply.headers["content-type"]
            assert len(reply.read()) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get_when_up(url: str, server: subprocess.Popen[bytes], log: Path) -> bytes:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                assert reply.status == 200
                body: bytes = reply.read()
                return body
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start: {log.read_text()}") from None
            time.sleep(0.5)
