"""Metadata at import: read-only typed properties that filter, sort, group (by year or month)
and refresh on re-import; files without metadata or with a damaged block import as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image
from tests.conftest import camera_exif, picture

from corpuscope.errors import Conflict
from corpuscope.services import annotations as notes
from corpuscope.services.csv_io import export_csv, import_csv
from corpuscope.services.grouping import DatePart, group_images, list_group_member_ids
from corpuscope.services.images import ConditionSpec, FilterSpec, SortSpec, list_image_ids
from corpuscope.services.importing import run_import
from corpuscope.services.maps import map_places
from corpuscope.store.db import Project
from corpuscope.store.properties import list_properties


def _values(project: Project, field: str) -> dict[str, object]:
    """File name -> the value of a metadata field."""
    rows = project.read().execute(
        """SELECT files.path, image_values.value FROM image_values
           JOIN properties ON properties.id = image_values.property_id
           JOIN files ON files.image_id = image_values.image_id
           WHERE properties.metadata_field = ?""",
        (field,),
    )
    return {Path(path).name: value for path, value in rows}


@pytest.fixture
def photos(tmp_path: Path, write_photo, write_image) -> Path:
    folder = tmp_path / "photos"
    write_photo(folder / "paris.jpg", seed=1, taken="2019:07:14 10:30:00", make="Canon",
                model="EOS 5D", position=(48.8584, 2.2945))  # fmt: skip
    write_photo(folder / "tokyo.jpg", seed=2, taken="2019:12:31 23:59:59", make="Sony",
                model="A7", position=(35.6595, 139.7005))  # fmt: skip
    write_photo(folder / "rome.jpg", seed=3, taken="2021:06:05 08:00:00", make="Canon",
                model="EOS R")  # fmt: skip
    write_image(folder / "scan.png", seed=4, size=(200, 100))  # no metadata at all
    return folder


def test_import_reads_metadata_into_read_only_typed_properties(project, photos) -> None:
    summary = run_import(project, [photos])
    assert (summary.added, summary.errors) == (4, 0)
    found = {p.name: (p.type, p.metadata) for p in list_properties(project.read())}
    assert found["Date taken"] == ("date", "taken")
    assert found["Camera make"] == ("text", "camera_make")
    assert found["Latitude"] == ("number", "latitude")
    assert found["Width"] == ("number", "width")
    assert "Title" not in found  # no file has one: no empty column
    assert _values(project, "taken") == {
        "paris.jpg": "2019-07-14T10:30:00",
        "tokyo.jpg": "2019-12-31T23:59:59",
        "rome.jpg": "2021-06-05T08:00:00",
    }
    assert _values(project, "width")["scan.png"] == 200
    assert sorted(_values(project, "latitude")) == ["paris.jpg", "tokyo.jpg"]


def test_metadata_properties_cannot_be_edited_renamed_or_deleted(project, photos) -> None:
    run_import(project, [photos])
    make = next(p for p in list_properties(project.read()) if p.metadata == "camera_make")
    attempts = [
        lambda: notes.set_values(project, make.id, [1], "Nikon"),
        lambda: notes.clear_values(project, make.id, [1]),
        lambda: notes.rename_property(project, make.id, "Brand"),
        lambda: notes.delete_property(project, make.id),
        lambda: notes.apply_changes(project, [1], [notes.Change(make.id, "set", "Nikon")]),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict, match="read from the image files"):
            attempt()
    assert _values(project, "camera_make")["paris.jpg"] == "Canon"


def test_filter_sort_and_group_by_year_and_month(project, photos) -> None:
    run_import(project, [photos])
    taken = "Date taken"
    in_2019 = FilterSpec(conditions=[ConditionSpec(taken, "lt", value="2020-01-01")])
    assert len(list_image_ids(project, in_2019).ids) == 2
    canon = FilterSpec(conditions=[ConditionSpec("Camera make", "eq", value="Canon")])
    assert len(list_image_ids(project, canon).ids) == 2
    by_date = list_image_ids(project, None, SortSpec("property", taken, descending=True)).ids
    assert len(by_date) == 4  # the scan without a date comes last
    years = group_images(project, [DatePart(taken, "year")])
    assert [(g.label, g.count) for g in years.groups] == [
        ("2019", 2),
        ("2021", 1),
        ("(no value)", 1),
    ]
    nested = group_images(project, [DatePart(taken, "year"), DatePart(taken, "month")])
    assert [(g.label, g.count) for g in nested.groups[0].children] == [
        ("2019-07", 1),
        ("2019-12", 1),
    ]
    december = list_group_member_ids(
        project, [DatePart(taken, "year"), DatePart(taken, "month")], ["2019", "2019-12"]
    )
    assert len(december.ids) == 1
    assert len(list_group_member_ids(project, [DatePart(taken, "year")], ["2019"]).ids) == 2


def test_grouping_a_text_property_by_year_is_refused(project, photos) -> None:
    run_import(project, [photos])
    with pytest.raises(Exception, match="Only date properties"):
        group_images(project, [DatePart("Camera make", "year")])


def test_reimport_refreshes_changed_files_and_reads_images_never_read(project, photos) -> None:
    run_import(project, [photos])
    rome = photos / "rome.jpg"
    picture(3).save(rome, "JPEG", exif=camera_exif(taken="2022:01:01 12:00:00", make="Leica"))
    os.utime(rome, ns=(1, 10**18))  # a different modification time: read again
    with project.write() as conn:  # as if imported by a corpuscope without metadata reading
        conn.execute("UPDATE images SET metadata_version = NULL WHERE id = 1")
        conn.execute("DELETE FROM image_values WHERE image_id = 1")
    run_import(project, [photos])
    assert _values(project, "camera_make")["rome.jpg"] == "Leica"
    assert _values(project, "taken")["rome.jpg"] == "2022-01-01T12:00:00"
    assert _values(project, "taken")["paris.jpg"] == "2019-07-14T10:30:00"  # read again
    versions = project.read().execute("SELECT COUNT(*) FROM images WHERE metadata_version IS NULL")
    assert versions.fetchone()[0] == 0


def test_values_removed_from_a_file_are_removed_on_reimport(project, tmp_path, write_photo) -> None:
    folder = tmp_path / "in"
    path = write_photo(folder / "a.jpg", taken="2019:07:14 10:30:00", position=(10.0, 20.0))
    run_import(project, [folder])
    Image.open(path).copy().save(path, "JPEG")  # metadata stripped, new bytes
    run_import(project, [folder])
    assert _values(project, "taken") == {}
    assert _values(project, "latitude") == {}


# Pillow warns when it opens the file (before any metadata reading): the import goes on
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_damaged_exif_block_never_fails_the_import(project, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    damaged = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x00" * 5
    picture(1).save(folder / "damaged.jpg", "JPEG", exif=damaged)
    summary = run_import(project, [folder])
    assert (summary.added, summary.errors) == (1, 0)
    assert _values(project, "width") == {"damaged.jpg": 320}


def test_a_user_property_with_the_same_name_is_left_alone(project, photos) -> None:
    notes.create_property(project, "Date taken", "text")
    run_import(project, [photos])
    names = {p.name: p.metadata for p in list_properties(project.read())}
    assert names["Date taken"] is None
    assert names["Date taken (2)"] == "taken"


def test_csv_round_trip_skips_read_only_columns(project, photos) -> None:
    import io

    run_import(project, [photos])
    out = io.StringIO()
    export_csv(project, out)
    text = out.getvalue().replace("Canon", "Nikon")
    summary = import_csv(project, io.StringIO(text))
    assert summary.properties_created == 0
    assert _values(project, "camera_make")["paris.jpg"] == "Canon"


def test_map_places_are_the_images_with_a_position(project, photos) -> None:
    run_import(project, [photos])
    places = map_places(project)
    assert len(places) == 2
    by_latitude = sorted(places, key=lambda row: row[1])
    assert by_latitude[0][1:] == pytest.approx((35.6595, 139.7005), abs=1e-6)
    assert by_latitude[1][1:] == pytest.approx((48.8584, 2.2945), abs=1e-6)
