import io
from pathlib import Path

import pytest
from PIL import Image

from corpuscope.ingest.decode import BadImage, decode_rgb, open_image, read_header


def test_empty_and_fake_files_are_bad_images() -> None:
    with pytest.raises(BadImage, match="empty file"):
        open_image(b"")
    with pytest.raises(BadImage, match="not an image"):
        open_image(b"Dear diary, this is not a JPEG at all." * 10)


def test_a_decompression_bomb_is_refused_before_decoding(claiming_png) -> None:
    with pytest.raises(BadImage, match="decompression-bomb"):
        open_image(claiming_png(100_000, 100_000))
    with pytest.raises(BadImage, match="decompression-bomb"):
        open_image(claiming_png(2_000, 2_000), max_pixels=1_000_000)


def test_a_truncated_jpeg_fails_at_decode_with_a_reason(tmp_path: Path, write_image) -> None:
    data = write_image(tmp_path / "a.jpg", size=(800, 600)).read_bytes()
    image = open_image(data[: len(data) // 2])
    with pytest.raises(BadImage, match="truncated"):
        decode_rgb(image, target=512)


def test_exif_orientation_swaps_the_header_and_rotates_the_pixels(
    tmp_path: Path, write_image
) -> None:
    data = write_image(tmp_path / "a.jpg", size=(400, 200), orientation=6).read_bytes()
    image = open_image(data)
    assert read_header(image).width == 200 and read_header(image).height == 400
    width, height = decode_rgb(image, target=128).size
    assert height == 2 * width and height >= 128


def test_draft_mode_decodes_large_jpegs_at_a_reduced_scale(tmp_path: Path, write_image) -> None:
    data = write_image(tmp_path / "a.jpg", size=(2400, 1600)).read_bytes()
    decoded = decode_rgb(open_image(data), target=512)
    assert decoded.size == (600, 400)  # libjpeg decoded at 1/4 scale: long side still >= 512
    assert decoded.mode == "RGB"


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "I;16", "L", "CMYK"])
def test_every_mode_becomes_rgb(mode: str) -> None:
    buffer = io.BytesIO()
    fmt = "TIFF" if mode == "CMYK" else "PNG"
    Image.new(mode, (20, 10)).save(buffer, fmt)
    assert decode_rgb(open_image(buffer.getvalue()), target=64).mode == "RGB"
