"""What reading metadata costs at import, measured in the same run.

The corpus: N camera-like JPEGs (3000 x 2000, quality 90) carrying EXIF (date, camera, GPS) and
an XMP packet. Three timings, one process each time, thumbnails written anew:

- the importer's per-file work (hash, header, metadata, decode, thumbnails, fingerprint);
- the same with metadata reading switched off (the baseline: the importer before it);
- reading the metadata alone from the files' headers (what a re-import does for images
  imported before metadata was read).

    flock /tmp/bench.lock python bench/metadata_bench.py [--n 60]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from corpuscope.ingest import reader as reader_module
from corpuscope.ingest.metadata import read_file_metadata
from corpuscope.ingest.reader import ReadSettings, read_file
from corpuscope.ingest.scan import ScannedFile

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject>'
    b"<rdf:Bag><rdf:li>street</rdf:li><rdf:li>night</rdf:li></rdf:Bag></dc:subject>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def write_corpus(folder: Path, n: int) -> list[ScannedFile]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    files = []
    for i in range(n):
        small = rng.integers(0, 255, (200, 300, 3), dtype=np.uint8)
        picture = Image.fromarray(small).resize((3000, 2000), Image.Resampling.BICUBIC)
        exif = Image.Exif()
        exif[0x010F], exif[0x0110] = "Canon", "EOS 5D"
        exif.get_ifd(0x8769)[0x9003] = f"2019:07:{1 + i % 28:02d} 10:30:00"
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", (IFDRational(48), IFDRational(51), IFDRational(296, 10))
        gps[3], gps[4] = "E", (IFDRational(2), IFDRational(17), IFDRational(40, 1))
        path = folder / f"{i:04d}.jpg"
        picture.save(path, "JPEG", quality=90, exif=exif, xmp=XMP)
        info = path.stat()
        files.append(ScannedFile(path.name, info.st_size, info.st_mtime_ns))
    return files


def time_import(root: Path, files: list[ScannedFile], thumbs: Path) -> float:
    shutil.rmtree(thumbs, ignore_errors=True)
    settings = ReadSettings(thumbs, 250_000_000)
    started = time.perf_counter()
    for scanned in files:
        record = read_file(root, scanned, settings)
        assert record.error is None, record.error
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "photos"
        files = write_corpus(root, args.n)
        thumbs = Path(tmp) / "thumbs"
        time_import(root, files[:3], thumbs)  # warm up
        with_metadata = time_import(root, files, thumbs)
        with mock.patch.object(reader_module, "read_metadata", lambda image: {}):
            baseline = time_import(root, files, thumbs)
        started = time.perf_counter()
        found = [read_file_metadata(root / f.rel_path) for f in files]
        header_only = time.perf_counter() - started
    assert all(f and "taken" in f and "latitude" in f and "keywords" in f for f in found)
    n = args.n
    print(f"{n} camera JPEGs (3000 x 2000) with EXIF, GPS and XMP, one process")
    print(f"  import per file, baseline (no metadata): {1000 * baseline / n:7.1f} ms")
    print(f"  import per file, with metadata:          {1000 * with_metadata / n:7.1f} ms")
    print(f"  ratio with / baseline:                   {with_metadata / baseline:7.3f}")
    print(f"  metadata alone from the header:          {1000 * header_only / n:7.2f} ms "
          f"({n / header_only:,.0f} files/s: a re-import's catch-up)")  # fmt: skip


if __name__ == "__main__":
    main()
