"""Reading standard metadata from real files written here with Pillow (EXIF, GPS, XMP, IPTC,
PNG text), and never failing on files without it or with a damaged block."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from tests.conftest import camera_exif, picture

from corpuscope.ingest.metadata import FIELD_KEYS, read_file_metadata, read_metadata

XMP = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 exif:GPSLatitude="35,40.5N" exif:GPSLongitude="139,45.25E" xmp:CreateDate="2021-03-04T05:06:07">
 <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Shibuya crossing</rdf:li></rdf:Alt></dc:title>
 <dc:subject><rdf:Bag><rdf:li>street</rdf:li><rdf:li>night</rdf:li></rdf:Bag></dc:subject>
 <dc:creator><rdf:Seq><rdf:li>A. Photographer</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta>"""


def _iptc(*datasets: tuple[int, bytes]) -> bytes:
    """IPTC-IIM record 2 datasets, as TIFF tag 33723 holds them."""
    return b"".join(
        b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(v)) + v for number, v in datasets
    )


def test_camera_exif_gives_date_camera_position_and_size(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    exif = camera_exif(
        taken="2019:07:14 10:30:00", make="Canon", model="EOS 5D", position=(48.8584, -2.2945)
    )
    picture(1, (300, 200)).save(path, "JPEG", exif=exif)
    with Image.open(path) as image:
        found = read_metadata(image)
    assert found["taken"] == "2019-07-14T10:30:00"
    assert (found["camera_make"], found["camera_model"]) == ("Canon", "EOS 5D")
    assert found["latitude"] == pytest.approx(48.8584, abs=1e-6)
    assert found["longitude"] == pytest.approx(-2.2945, abs=1e-6)
    assert (found["width"], found["height"]) == (300, 200)
    assert set(found) <= FIELD_KEYS


def test_orientation_swaps_the_displayed_size(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jpg"
    picture(2, (300, 200)).save(path, "JPEG", exif=camera_exif(orientation=6))
    found = read_file_metadata(path)
    assert found is not None
    assert (found["width"], found["height"], found["orientation"]) == (200, 300, 6)


def test_a_file_without_metadata_has_only_its_size(tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    picture(3, (64, 32)).save(path, "PNG")
    assert read_file_metadata(path) == {"width": 64, "height": 32}


def test_xmp_title_keywords_creator_date_and_position(tmp_path: Path) -> None:
    path = tmp_path / "xmp.jpg"
    picture(4).save(path, "JPEG", xmp=XMP)
    found = read_file_metadata(path)
    assert found is not None
    assert found["title"] == "Shibuya crossing"
    assert found["keywords"] == "street; night"
    assert found["artist"] == "A. Photographer"
    assert found["taken"] == "2021-03-04T05:06:07"
    assert found["latitude"] == pytest.approx(35 + 40.5 / 60)
    assert found["longitude"] == pytest.approx(139 + 45.25 / 60)


def test_exif_wins_over_xmp_for_the_same_field(tmp_path: Path) -> None:
    path = tmp_path / "both.jpg"
    picture(5).save(path, "JPEG", xmp=XMP, exif=camera_exif(taken="2000:01:02 03:04:05"))
    found = read_file_metadata(path)
    assert found is not None and found["taken"] == "2000-01-02T03:04:05"


def test_iptc_caption_keywords_and_date_in_a_tiff(tmp_path: Path) -> None:
    path = tmp_path / "iptc.tif"
    iptc = _iptc(
        (120, "Fête au village".encode()),
        (25, b"fete"),
        (25, b"village"),
        (55, b"19990521"),
        (116, b"(c) Museum"),
    )
    picture(6, (64, 48)).save(path, "TIFF", tiffinfo={33723: iptc})
    found = read_file_metadata(path)
    assert found is not None
    assert found["description"] == "Fête au village"
    assert found["keywords"] == "fete; village"
    assert found["taken"] == "1999-05-21"
    assert found["copyright"] == "(c) Museum"


def test_png_text_chunks(tmp_path: Path) -> None:
    path = tmp_path / "text.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Title", "Plate 4")
    info.add_itxt("Description", "Gravure sur bois, état ii")
    info.add_text("Author", "Unknown engraver")
    info.add_text("Creation Time", "Sat, 02 Jan 2021 10:30:00 +0000")
    picture(7, (40, 30)).save(path, "PNG", pnginfo=info)
    found = read_file_metadata(path)
    assert found is not None
    assert found["title"] == "Plate 4"
    assert found["description"] == "Gravure sur bois, état ii"
    assert found["artist"] == "Unknown engraver"
    assert found["taken"] == "2021-01-02T10:30:00"


@pytest.mark.parametrize(
    ("exif", "missing"),
    [
        (camera_exif(taken="0000:00:00 00:00:00"), "taken"),
        (camera_exif(taken="2019:02:30 10:00:00"), "taken"),
        (camera_exif(taken="not a date"), "taken"),
        (camera_exif(position=(0.0, 0.0)), "latitude"),
    ],
)
def test_absurd_values_are_left_out(tmp_path: Path, exif: Image.Exif, missing: str) -> None:
    path = tmp_path / "odd.jpg"
    picture(8).save(path, "JPEG", exif=exif)
    found = read_file_metadata(path)
    assert found is not None and missing not in found and "longitude" not in found


def test_a_latitude_out_of_range_is_left_out(tmp_path: Path) -> None:
    exif = camera_exif(position=(10.0, 20.0))
    exif.get_ifd(0x8825)[2] = camera_exif(position=(95.0, 0.0)).get_ifd(0x8825)[2]
    path = tmp_path / "far.jpg"
    picture(9).save(path, "JPEG", exif=exif)
    found = read_file_metadata(path)
    assert found is not None and "latitude" not in found and "longitude" not in found


def test_damaged_blocks_are_ignored_not_fatal(tmp_path: Path) -> None:
    damaged_exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x00" * 5
    path = tmp_path / "damaged.jpg"
    picture(10, (50, 40)).save(path, "JPEG", exif=damaged_exif, xmp=b"<x:xmpmeta><not closed")
    found = read_file_metadata(path)
    assert found == {"width": 50, "height": 40}


def test_control_characters_and_long_texts_are_cleaned() -> None:
    exif = camera_exif(make="Nik\x00on\x07  ", model="x" * 5000)
    buffer = io.BytesIO()
    picture(11).save(buffer, "JPEG", exif=exif)
    with Image.open(buffer) as image:
        found = read_metadata(image)
    assert found["camera_make"] == "Nik on"
    assert found["camera_model"] == "x" * 2000


def test_a_file_that_is_not_an_image_has_no_metadata(tmp_path: Path) -> None:
    path = tmp_path / "fake.jpg"
    path.write_bytes(b"not an image at all")
    assert read_file_metadata(path) is None
    assert read_file_metadata(tmp_path / "absent.jpg") is None
