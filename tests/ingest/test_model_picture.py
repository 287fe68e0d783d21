"""Model pictures: the bundled model's input pixels, written at import, identical to what the
vectors step computes from the thumbnail."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.conftest import picture

from corpuscope.embed.chunks import (
    ModelPicture,
    prepare_chunk,
    prepare_file,
    prepare_picture,
    prepare_source,
)
from corpuscope.embed.efficientnet import PREPROCESSING
from corpuscope.embed.picture_format import decode_picture, encode_picture
from corpuscope.embed.preprocessing import ImagePreprocessing
from corpuscope.ingest.decode import BadImage
from corpuscope.ingest.model_picture import (
    fits,
    model_picture_path,
    write_model_picture,
)
from corpuscope.ingest.thumbnails import LARGE, thumbnail_path, write_thumbnails
from corpuscope.services.importing import run_import

SHA1 = "ab" + "0" * 38


def _thumbnail(thumbs: Path, size: tuple[int, int], seed: int = 0) -> Path:
    write_thumbnails(picture(seed, size), thumbs, SHA1)
    return thumbnail_path(thumbs, SHA1, LARGE)


@pytest.mark.parametrize(
    "size", [(1600, 1200), (1200, 1600), (3000, 700), (512, 512), (300, 200), (90, 40)]
)
def test_the_picture_gives_the_very_pixels_the_thumbnail_gives(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    thumb = _thumbnail(tmp_path, size, seed=sum(size))
    assert write_model_picture(tmp_path, SHA1)
    path = model_picture_path(tmp_path, SHA1)
    assert path.parent == thumb.parent and path.suffix == ".ppm"
    from_picture = prepare_picture(path.read_bytes(), PREPROCESSING)
    assert np.array_equal(from_picture, prepare_file(thumb, PREPROCESSING))
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_an_existing_picture_is_kept_and_a_bad_thumbnail_gives_none(tmp_path: Path) -> None:
    thumb = _thumbnail(tmp_path, (640, 480))
    path = model_picture_path(tmp_path, SHA1)
    assert write_model_picture(tmp_path, SHA1)
    stamp = path.stat().st_mtime_ns
    assert write_model_picture(tmp_path, SHA1) and path.stat().st_mtime_ns == stamp
    path.unlink()
    thumb.write_bytes(b"\xff\xd8\xff\xe0 no longer a JPEG")
    assert not write_model_picture(tmp_path, SHA1)
    thumb.unlink()
    assert not write_model_picture(tmp_path, SHA1)
    assert sorted(p.name for p in thumb.parent.iterdir()) == [f"{SHA1}-128.jpg"]


def test_only_models_cut_like_the_bundled_one_take_pictures() -> None:
    assert fits(PREPROCESSING)
    other_normalisation = ImagePreprocessing(resize=256, crop=224, mean=(0, 0, 0), std=(1, 1, 1))
    assert fits(other_normalisation)
    clip_like = ImagePreprocessing(resize=224, crop=224, mean=(0, 0, 0), std=(1, 1, 1))
    assert not fits(clip_like)
    assert not fits(ImagePreprocessing(256, 224, (0, 0, 0), (1, 1, 1), resample="bilinear"))


def test_the_picture_file_holds_the_raw_pixels_and_nothing_else_passes(tmp_path: Path) -> None:
    pixels = np.asarray(picture(3, (224, 224)))
    data = encode_picture(pixels)
    assert data.startswith(b"P6\n224 224\n255\n") and len(data) == 15 + 224 * 224 * 3
    assert np.array_equal(decode_picture(data, 224), pixels)
    with Image.open(io.BytesIO(data)) as opened:  # a standard PPM file
        assert np.array_equal(np.asarray(opened), pixels)
    assert decode_picture(data, 256) is None and decode_picture(data[:-1], 224) is None
    png = io.BytesIO()
    Image.fromarray(pixels).save(png, "PNG")
    for other in (png.getvalue(), b"", data[:5000], b"P5" + data[2:]):
        with pytest.raises(BadImage, match="224 x 224 RGB picture"):
            prepare_picture(other, PREPROCESSING)
    with pytest.raises(ValueError, match="uint8"):
        encode_picture(pixels[:, :200])


def test_a_damaged_picture_falls_back_to_its_thumbnail(tmp_path: Path) -> None:
    thumb = _thumbnail(tmp_path, (640, 480))
    write_model_picture(tmp_path, SHA1)
    path = model_picture_path(tmp_path, SHA1)
    path.write_bytes(path.read_bytes()[:3000])  # cut short
    source = ModelPicture(str(path), str(thumb))
    assert np.array_equal(prepare_source(source, PREPROCESSING), prepare_file(thumb, PREPROCESSING))
    gone = ModelPicture(str(tmp_path / "gone.ppm"), str(tmp_path / "gone.jpg"))
    chunk = prepare_chunk([(1, source), (2, gone)], PREPROCESSING)
    assert chunk.ids.tolist() == [1] and "does not exist" in chunk.failures[0][1]


def test_import_writes_a_picture_beside_the_thumbnails(project, tmp_path, write_image) -> None:
    for seed in range(3):
        write_image(tmp_path / "in" / f"{seed}.jpg", seed=seed, size=(800, 600))
    write_image(tmp_path / "in" / "small.png", seed=9, size=(60, 30))
    run_import(project, [tmp_path / "in"])
    sha1s = [row[0] for row in project.read().execute("SELECT sha1 FROM images")]
    assert len(sha1s) == 4
    for sha1 in sha1s:
        picture_file = model_picture_path(project.thumbs_dir, sha1)
        with Image.open(picture_file) as opened:
            assert (opened.format, opened.mode, opened.size) == ("PPM", "RGB", (224, 224))
        expected = prepare_file(thumbnail_path(project.thumbs_dir, sha1, LARGE), PREPROCESSING)
        assert np.array_equal(prepare_picture(picture_file.read_bytes(), PREPROCESSING), expected)
