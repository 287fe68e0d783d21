"""Exports from the command line, run as a user runs them, read back with pyarrow."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from tests.cli.test_cli import run


def test_export_commands_have_help() -> None:
    for command in ("export-run", "export-map", "export-images"):
        assert "Usage" in run(command, "--help").stdout


@pytest.mark.slow
def test_metadata_then_every_export(tmp_path: Path, write_photo, write_image) -> None:
    photos = tmp_path / "photos"
    write_photo(photos / "a" / "IMG_1.jpg", seed=1, taken="2019:07:14 10:30:00", make="Canon")
    write_photo(photos / "b" / "IMG_1.jpg", seed=2, taken="2021:06:05 08:00:00",
                position=(48.85, 2.29))  # fmt: skip
    for seed in range(3, 7):
        write_image(photos / f"{seed}.png", seed=seed)
    project = tmp_path / "project"
    run("import", project, photos, "--quiet")
    listed = run("property", "list", project).stdout
    assert "Date taken  [date, image]" in listed and "Camera make" in listed
    refused = run("property", "set", project, "Camera make", "Nikon", "--images", "1", ok=False)
    assert refused.returncode == 4 and "read from the image files" in refused.stderr

    run("export", project, "-o", tmp_path / "values.parquet")
    values = pq.read_table(tmp_path / "values.parquet").to_pydict()
    assert sorted(v for v in values["Date taken [date, image]"] if v) == [
        "2019-07-14T10:30:00",
        "2021-06-05T08:00:00",
    ]

    out = run("export-images", project, tmp_path / "by-year", "--by", "Date taken:year", "-q")
    assert "Copied 6 images into 3 folders" in out.stdout
    assert (tmp_path / "by-year" / "2019" / "IMG_1.jpg").is_file()
    assert (tmp_path / "by-year" / "2021" / "IMG_1.jpg").is_file()
    assert len(list((tmp_path / "by-year" / "(no value)").iterdir())) == 4

    run("vectors", project, "--quiet")
    run("vectors", project, "--export", tmp_path / "v.parquet")
    assert pq.read_table(tmp_path / "v.parquet").num_rows == 6
    run("cluster", project, "--k", "2")
    run("export-run", project, "1", "-o", tmp_path / "run.csv")
    table = pacsv.read_csv(tmp_path / "run.csv").to_pydict()
    assert sorted(table["image_id"]) == [1, 2, 3, 4, 5, 6]
    assert set(table["group_path"]) == {"Cluster 1", "Cluster 2"}
    again = run("export-run", project, "1", "-o", tmp_path / "run.csv", ok=False)
    assert again.returncode == 2 and "already exists" in again.stderr
    run("export-map", project, "-o", tmp_path / "map.parquet")
    assert pq.read_table(tmp_path / "map.parquet").column_names[-2:] == ["x", "y"]
    linked = run("export-images", project, tmp_path / "run", "--run", "1", "--link", "-q")
    assert "Linked 6 images into 2 folders" in linked.stdout
    wrong = run("export-images", project, tmp_path / "x", "--run", "1", "--ids", "1", ok=False)
    assert "Export one thing" in wrong.stderr
