import sys
from pathlib import Path

import pytest

from corpuscope.ingest.reader import ReadSettings, read_file
from corpuscope.ingest.readers import CRASHED, read_files
from corpuscope.ingest.scan import ScannedFile, scan_folder

HERE = Path(__file__).resolve().parent


@pytest.fixture
def crashing_reader(monkeypatch: pytest.MonkeyPatch):
    """The test reader, importable by name in worker processes."""
    monkeypatch.syspath_prepend(str(HERE))
    import crashing_reader

    yield crashing_reader.crash_on_name
    sys.modules.pop("crashing_reader", None)


def _files(tmp_path: Path, write_image, names: list[str]) -> list[ScannedFile]:
    for seed, name in enumerate(names):
        write_image(tmp_path / "in" / name, seed=seed, size=(200, 150))
    return [e for e in scan_folder(tmp_path / "in") if isinstance(e, ScannedFile)]


def test_pooled_reading_gives_the_same_records_in_order(tmp_path, write_image) -> None:
    files = _files(tmp_path, write_image, [f"{i:02}.png" for i in range(20)])
    settings = ReadSettings(tmp_path / "thumbs", 10**8)
    pooled = list(read_files(tmp_path / "in", files, settings, workers=2, chunk_size=3))
    alone = [
        read_file(tmp_path / "in", f, ReadSettings(tmp_path / "thumbs2", 10**8)) for f in files
    ]
    assert pooled == alone


def test_a_file_that_crashes_its_worker_is_an_error_and_the_rest_is_read(
    tmp_path, write_image, crashing_reader
) -> None:
    names = [f"{i:02}.png" for i in range(12)] + ["crash-1.png", "crash-2.png", "z.png"]
    files = _files(tmp_path, write_image, names)
    settings = ReadSettings(tmp_path / "thumbs", 10**8)
    records = list(
        read_files(
            tmp_path / "in", files, settings, workers=2, chunk_size=4, reader=crashing_reader
        )
    )
    assert [r.rel_path for r in records] == [f.rel_path for f in files]
    errors = {r.rel_path: r.error for r in records if r.error}
    assert errors == {"crash-1.png": CRASHED, "crash-2.png": CRASHED}
    assert all(r.image is not None for r in records if not r.error)
