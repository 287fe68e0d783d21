"""The standard metadata inside an image file: EXIF (with its GPS block), XMP, IPTC, PNG text.

Pillow reads all four (XMP through defusedxml). :func:`read_metadata` turns what it finds into
plain values keyed by :data:`FIELDS`: a date taken as ISO text, numbers as floats, texts
cleaned of control characters. Nothing here raises for a file: metadata that is missing,
damaged or absurd (a date in year 0, a latitude of 200 degrees) is left out.

Where several blocks hold the same field, the first wins: EXIF, then XMP, then IPTC, then PNG
text.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

from PIL import Image, IptcImagePlugin

#: Bump when the reader finds more or reads differently: a re-import then reads every image again.
METADATA_VERSION = 1

MetadataValue = str | float
Metadata = dict[str, MetadataValue]


@dataclass(frozen=True)
class MetadataField:
    """``key`` is stored in the database; ``name`` is the read-only property's name."""

    key: str
    name: str
    type: Literal["date", "text", "number"]


FIELDS: tuple[MetadataField, ...] = (
    MetadataField("taken", "Date taken", "date"),
    MetadataField("camera_make", "Camera make", "text"),
    MetadataField("camera_model", "Camera model", "text"),
    MetadataField("latitude", "Latitude", "number"),
    MetadataField("longitude", "Longitude", "number"),
    MetadataField("orientation", "Orientation", "number"),
    MetadataField("width", "Width", "number"),
    MetadataField("height", "Height", "number"),
    MetadataField("title", "Title", "text"),
    MetadataField("description", "Description", "text"),
    MetadataField("keywords", "Keywords", "text"),
    MetadataField("artist", "Artist", "text"),
    MetadataField("copyright", "Copyright", "text"),
)
FIELD_KEYS = frozenset(field.key for field in FIELDS)

_MAX_TEXT = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_DATE = re.compile(
    r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?"
)  # EXIF "2019:07:14 10:30:00", XMP "2019-07-14T10:30:00+02:00", IPTC "20190714" below
_ROTATED = {5, 6, 7, 8}

# EXIF tags (Pillow's ExifTags names them; the numbers are the standard's)
_IFD0 = {0x010F: "camera_make", 0x0110: "camera_model", 0x010E: "description"}
_IFD0 |= {0x013B: "artist", 0x8298: "copyright"}
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_ORIENTATION, _DATETIME = 0x0112, 0x0132
_DATE_ORIGINAL, _DATE_DIGITIZED = 0x9003, 0x9004

# XMP properties (namespaces stripped) per field, in order of preference
_XMP = {
    "taken": ("DateTimeOriginal", "DateCreated", "CreateDate"),
    "camera_make": ("Make",),
    "camera_model": ("Model",),
    "title": ("title",),
    "description": ("description",),
    "keywords": ("subject",),
    "artist": ("creator",),
    "copyright": ("rights",),
}

# IPTC-IIM datasets (record 2)
_IPTC = {(2, 5): "title", (2, 120): "description", (2, 25): "keywords"}
_IPTC |= {(2, 80): "artist", (2, 116): "copyright", (2, 55): "taken"}

# PNG text keywords (the PNG specification's predefined ones)
_PNG = {"Title": "title", "Description": "description", "Comment": "description"}
_PNG |= {"Author": "artist", "Copyright": "copyright", "Creation Time": "taken"}


def read_metadata(image: Image.Image) -> Metadata:
    """The metadata of an opened (not necessarily decoded) image; never raises."""
    found: Metadata = {}
    readers: tuple[Callable[[Image.Image], Iterable[tuple[str, object]]], ...] = (
        _size,
        _exif,
        _xmp,
        _iptc,
        _png_text,
    )
    for reader in readers:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Pillow warns about damaged blocks
                for key, raw in reader(image):
                    value = _clean(key, raw)
                    if value is not None:
                        found.setdefault(key, value)
        except Exception:  # damaged metadata of any kind is left out, never an error
            continue
    _drop_null_island(found)
    return found


def read_file_metadata(path: Path) -> Metadata | None:
    """The metadata of an image file, read from its header only; None if it cannot be opened."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                return read_metadata(image)
    except Exception:  # an unreadable file has no metadata; the import records its error
        return None


# --- readers: each yields (field, raw value) ---------------------------------------------------


def _size(image: Image.Image) -> Iterator[tuple[str, object]]:
    width, height = image.size
    orientation = _orientation(image)
    if orientation in _ROTATED:
        width, height = height, width
    yield "width", width
    yield "height", height


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # a damaged EXIF block: as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _exif(image: Image.Image) -> Iterator[tuple[str, object]]:
    exif = image.getexif()
    if not exif:
        return
    orientation = exif.get(_ORIENTATION)
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        yield "orientation", orientation
    for tag, key in _IFD0.items():
        if tag in exif:
            yield key, exif[tag]
    details = exif.get_ifd(_EXIF_IFD)
    for raw in (details.get(_DATE_ORIGINAL), details.get(_DATE_DIGITIZED), exif.get(_DATETIME)):
        if raw is not None and _date(raw) is not None:
            yield "taken", raw
            break
    gps = exif.get_ifd(_GPS_IFD)
    if gps and gps.get(9) != "V":  # GPSStatus V: the receiver had no fix
        yield "latitude", _degrees(gps.get(2), gps.get(1), "S")
        yield "longitude", _degrees(gps.get(4), gps.get(3), "W")


def _degrees(value: object, ref: object, negative: str) -> float | None:
    """EXIF GPS (degrees, minutes, seconds) rationals and a hemisphere letter -> degrees."""
    if not isinstance(value, tuple | list) or not 1 <= len(value) <= 3:
        return None
    parts = [float(part) for part in value]
    degrees: float = sum(part / 60**index for index, part in enumerate(parts))
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -degrees if isinstance(ref, str) and ref.strip().upper() == negative else degrees


def _xmp(image: Image.Image) -> Iterator[tuple[str, object]]:
    if "xmp" not in image.info:
        return
    values = _xmp_values(image.getxmp())
    for key, names in _XMP.items():
        for name in names:
            if values.get(name):
                texts = values[name]
                yield key, "; ".join(texts) if key == "keywords" else texts[0]
                break
    for key, name in (("latitude", "GPSLatitude"), ("longitude", "GPSLongitude")):
        if values.get(name):
            yield key, _xmp_degrees(values[name][0])


def _xmp_values(node: object, found: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Every XMP property (at any depth) -> its texts: simple values, attributes, and the items
    of Alt, Bag and Seq arrays."""
    found = {} if found is None else found
    if isinstance(node, list):
        for item in node:
            _xmp_values(item, found)
    elif isinstance(node, dict):
        for name, value in node.items():
            texts = _xmp_texts(value)
            if texts and name not in ("li", "text", "lang"):
                found.setdefault(name, texts)
            _xmp_values(value, found)
    return found


def _xmp_texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        if "text" in value and isinstance(value["text"], str):
            return [value["text"]]
        for array in ("Alt", "Bag", "Seq"):
            if isinstance(value.get(array), dict):
                items = value[array].get("li")
                listed = items if isinstance(items, list) else [items]
                return [text for item in listed for text in _xmp_texts(item)]
    return []


def _xmp_degrees(text: str) -> float | None:
    """XMP GPS coordinates: ``"48,51.4936N"`` or ``"48,51,29.6N"`` (degrees, minutes, [seconds])."""
    match = re.fullmatch(r"\s*([\d.]+),([\d.]+)(?:,([\d.]+))?\s*([NSEW])\s*", text)
    if match is None:
        return None
    degrees = float(match[1]) + float(match[2]) / 60 + float(match[3] or 0) / 3600
    return -degrees if match[4] in "SW" else degrees


def _iptc(image: Image.Image) -> Iterator[tuple[str, object]]:
    info: dict[tuple[int, int], Any] | None = IptcImagePlugin.getiptcinfo(image)  # type: ignore[arg-type]
    if not info:
        return
    for dataset, key in _IPTC.items():
        raw = info.get(dataset)
        if raw is None:
            continue
        texts = [_decode(item) for item in (raw if isinstance(raw, list) else [raw])]
        if key == "keywords":
            yield key, "; ".join(text for text in texts if text.strip())
        elif key == "taken":
            yield key, _iptc_date(texts[0])
        else:
            yield key, texts[0]


def _iptc_date(text: str) -> str | None:
    match = re.fullmatch(r"\s*(\d{4})(\d{2})(\d{2})\s*", text)
    return f"{match[1]}-{match[2]}-{match[3]}" if match else None


def _png_text(image: Image.Image) -> Iterator[tuple[str, object]]:
    if image.format != "PNG":
        return
    for keyword, key in _PNG.items():
        # text chunks before the image data (where writers put them); reading those after it
        # would decode the whole picture here
        value = image.info.get(keyword)
        if isinstance(value, str):
            yield key, _rfc1123(value) if key == "taken" else value


def _rfc1123(text: str) -> str:
    """PNG's Creation Time is recommended as ``Sat, 02 Jan 2021 10:30:00 +0000``; ISO passes."""
    try:
        return parsedate_to_datetime(text).replace(tzinfo=None).isoformat()
    except (TypeError, ValueError, IndexError):
        return text


# --- cleaning ---------------------------------------------------------------------------------


def _clean(key: str, raw: object) -> MetadataValue | None:
    """The stored form of a raw value for a field, or None when it is unusable."""
    if raw is None:
        return None
    if key == "taken":
        return _date(raw)
    if key in ("latitude", "longitude"):
        limit = 90.0 if key == "latitude" else 180.0
        number = _number(raw)
        return round(number, 7) if number is not None and abs(number) <= limit else None
    if key in ("width", "height", "orientation"):
        number = _number(raw)
        return number if number is not None and number > 0 else None
    return _text(raw)


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        try:
            number = float(raw)  # type: ignore[arg-type]  # EXIF rationals (IFDRational)
        except (TypeError, ValueError):
            return None
    else:
        try:
            number = float(raw)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _text(raw: object) -> str | None:
    if isinstance(raw, bytes):
        raw = _decode(raw)
    if not isinstance(raw, str):
        return None
    text = " ".join(_CONTROL.sub(" ", raw).split())
    return text[:_MAX_TEXT] or None


def _decode(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes):
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _date(raw: object) -> str | None:
    """ISO ``YYYY-MM-DDTHH:MM:SS`` (or ``YYYY-MM-DD``) in the camera's local time, or None."""
    text = _decode(raw) if isinstance(raw, bytes) else raw
    if not isinstance(text, str):
        return None
    match = _DATE.match(text)
    if match is None:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    if not 1800 <= year <= 2200:
        return None
    try:
        if match[4] is None:
            return date(year, month, day).isoformat()
        stamp = datetime(year, month, day, int(match[4]), int(match[5]), int(match[6] or 0))
    except ValueError:
        return None
    return stamp.isoformat()


def _drop_null_island(found: Metadata) -> None:
    """Both coordinates or neither; exactly (0, 0) is what receivers without a fix write."""
    latitude, longitude = found.get("latitude"), found.get("longitude")
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        found.pop("latitude", None)
        found.pop("longitude", None)
