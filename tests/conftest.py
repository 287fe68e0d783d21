"""Shared fixtures: real project folders and real image files, generated in ``tmp_path``."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from corpuscope.store.db import Project, create_project

ImageWriter = Callable[..., Path]


def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A structured picture (gradient, blobs, stripes) that differs clearly from seed to seed."""
    rng = np.random.default_rng(seed)
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = rng.uniform(0, 255, 3)
    slope = rng.uniform(-1, 1, (3, 2))
    rgb = np.stack(
        [
            base[c] + slope[c, 0] * xx * 255 / width + slope[c, 1] * yy * 255 / height
            for c in range(3)
        ],
        axis=-1,
    )
    for _ in range(4):
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(0.1, 0.3) * min(size)
        mask = (xx - cx) ** 2 + (yy - cy) ** 2 < radius**2
        rgb[mask] = rng.uniform(0, 255, 3)
    period = rng.uniform(8, 40)
    rgb += 30 * np.sin(xx / period)[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Model exports go to a session folder, never to the user's cache; no models folder."""
    from corpuscope.embed.locations import CACHE_ENV, MODELS_ENV

    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(folder))
        patch.setenv(MODELS_ENV, str(tmp_path_factory.mktemp("no-models")))
        yield folder


@pytest.fixture
def write_image() -> ImageWriter:
    """``write_image(path, seed=0, size=(320, 240), format=None, orientation=None)``."""

    def write(
        path: Path,
        seed: int = 0,
        size: tuple[int, int] = (320, 240),
        format: str | None = None,
        orientation: int | None = None,
        quality: int = 90,
    ) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        image = picture(seed, size)
        kwargs: dict[str, object] = {}
        fmt = format or Image.registered_extensions()[path.suffix.lower()]
        if fmt == "JPEG":
            kwargs["quality"] = quality
        if orientation is not None:
            exif = Image.Exif()
            exif[0x0112] = orientation
            kwargs["exif"] = exif
        image.save(path, fmt, **kwargs)
        return path

    return write


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    handle = create_project(tmp_path / "project")
    yield handle
    handle.close()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""
    buffer = io.BytesIO()
    Image.new("1", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


@pytest.fixture
def claiming_png() -> Callable[[int, int], bytes]:
    """``claiming_png(w, h)``: PNG bytes whose header claims w x h pixels."""
    return png_claiming


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return (IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 1000))


def camera_exif(
    *,
    taken: str | None = None,
    make: str | None = None,
    model: str | None = None,
    position: tuple[float, float] | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    """EXIF as a camera writes it: date taken (``"2019:07:14 10:30:00"``), make and model,
    a GPS position (latitude, longitude in degrees) in the GPS block, orientation."""
    exif = Image.Exif()
    if make is not None:
        exif[0x010F] = make
    if model is not None:
        exif[0x0110] = model
    if orientation is not None:
        exif[0x0112] = orientation
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken
    if position is not None:
        latitude, longitude = position
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = ("N" if latitude >= 0 else "S"), _dms(abs(latitude))
        gps[3], gps[4] = ("E" if longitude >= 0 else "W"), _dms(abs(longitude))
    return exif


@pytest.fixture
def write_photo() -> Callable[..., Path]:
    """``write_photo(path, seed=0, size=(320, 240), **camera_exif)``: a JPEG with EXIF."""

    def write(
        path: Path, seed: int = 0, size: tuple[int, int] = (320, 240), **exif: object
    ) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        picture(seed, size).save(path, "JPEG", quality=90, exif=camera_exif(**exif))  # type: ignore[arg-type]
        return path

    return write


def _docs_block(text: str, after: str, language: str) -> str:
    """The first ``language`` code block after the line ``after`` in a Markdown page."""
    start = text.index(after)
    opening = text.index(f"```{language}\n", start) + len(language) + 4
    return text[opening : text.index("```", opening)]


@pytest.fixture
def example_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The plug-in package of docs/models.md, installed for this test: its module and a
    ``.dist-info`` with its entry points, on ``sys.path``, where importlib.metadata finds them.
    Returns the model's name."""
    import tomllib

    page = (Path(__file__).resolve().parents[1] / "docs" / "models.md").read_text()
    project = tomllib.loads(_docs_block(page, "`pyproject.toml`:", "toml"))["project"]
    code = _docs_block(page, "`colour_histogram.py`:", "python")
    site = tmp_path / "site-packages"
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (site / "colour_histogram.py").write_text(code)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    points = project["entry-points"]["corpuscope.models"]
    lines = ["[corpuscope.models]", *(f"{name} = {target}" for name, target in points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    monkeypatch.syspath_prepend(str(site))
    yield next(iter(points))
    import sys

    sys.modules.pop("colour_histogram", None)
