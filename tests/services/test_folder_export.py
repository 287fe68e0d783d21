"""Exporting images to a folder: copies or links, a sub-folder per group (nested runs and tag
paths as nested folders), names kept and collisions numbered, never an overwrite, and a CSV
beside them that pyarrow reads back and ``import-csv`` accepts."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import datetime
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from corpuscope.errors import InvalidInput, NotFound
from corpuscope.services import annotations as notes
from corpuscope.services.csv_io import import_csv
from corpuscope.services.export_names import safe_name
from corpuscope.services.export_plan import FolderExport
from corpuscope.services.folder_export import (
    check_export_task,
    export_from_params,
    export_params,
    run_folder_export,
)
from corpuscope.services.grouping import DatePart
from corpuscope.services.images import ConditionSpec, FilterSpec
from corpuscope.services.importing import run_import
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project
from corpuscope.store.runs import NewGroup, NewRun


def _ids(project: Project) -> dict[str, int]:
    """``"a/IMG_1.jpg"`` -> image id."""
    rows = project.read().execute("SELECT path, image_id FROM files WHERE status = 'ok'")
    return {path: image_id for path, image_id in rows}


@pytest.fixture
def corpus(project, tmp_path, write_image, write_photo) -> dict[str, int]:
    """Six images; two folders hold a file named IMG_1.jpg each."""
    folder = tmp_path / "corpus"
    write_photo(folder / "a" / "IMG_1.jpg", seed=1, taken="2019:07:14 10:30:00")
    write_photo(folder / "b" / "IMG_1.jpg", seed=2, taken="2019:08:01 09:00:00")
    write_photo(folder / "a" / "IMG_2.jpg", seed=3, taken="2021:01:02 03:04:05")
    write_image(folder / "b" / "scan.png", seed=4)
    write_image(folder / "c" / "other.png", seed=5)
    write_image(folder / "c" / "last.png", seed=6)
    run_import(project, [folder])
    return _ids(project)


def _run(project: Project, groups: list[tuple[str | None, list[int]]], **nested: int) -> int:
    new = NewRun(
        algorithm="kmeans",
        params={},
        seed=0,
        vector_set_id=None,
        scope={},
        n_images=sum(len(m) for _, m in groups),
        seconds=0.0,
        groups=[
            NewGroup(
                "cluster", 10.0 * rank, members, [1.0 - 0.1 * i for i in range(len(members))], name
            )
            for rank, (name, members) in enumerate(groups)
        ],
        **nested,  # type: ignore[arg-type]
    )
    with project.write() as conn:
        return runstore.save_run(conn, new)


def _tree(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or p.is_symlink()
    }


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()


def test_a_run_exports_a_folder_per_group_nested_runs_nested(project, corpus, tmp_path) -> None:
    a1, b1, a2 = corpus["a/IMG_1.jpg"], corpus["b/IMG_1.jpg"], corpus["a/IMG_2.jpg"]
    scan, other, last = corpus["b/scan.png"], corpus["c/other.png"], corpus["c/last.png"]
    run = _run(project, [("Photos", [a1, b1, a2]), (None, [scan, other, last])])
    top = runstore.load_run(project.read(), run).groups[0]
    _run(project, [("July", [a1, b1]), ("Later", [a2])], parent_run_id=run, parent_group_id=top.id)
    out = tmp_path / "out"
    summary = run_folder_export(project, FolderExport(out, run_id=run))
    assert (summary.exported, summary.missing, summary.failed) == (6, 0, 0)
    assert _tree(out) == {
        "Photos/July/IMG_1.jpg",
        "Photos/July/IMG_1 (2).jpg",  # same name from another folder: numbered, both kept
        "Photos/Later/IMG_2.jpg",
        "Cluster 2/scan.png",
        "Cluster 2/other.png",
        "Cluster 2/last.png",
        "images.csv",
    }
    assert summary.folders == 4
    copied = {_sha1(out / "Photos/July/IMG_1.jpg"), _sha1(out / "Photos/July/IMG_1 (2).jpg")}
    sources = {_sha1(tmp_path / "corpus/a/IMG_1.jpg"), _sha1(tmp_path / "corpus/b/IMG_1.jpg")}
    assert copied == sources
    table = pacsv.read_csv(out / "images.csv").to_pydict()
    assert sorted(table["exported"]) == sorted(_tree(out) - {"images.csv"})
    assert set(table["group"]) == {"Photos/July", "Photos/Later", "Cluster 2"}
    row = table["exported"].index("Photos/Later/IMG_2.jpg")
    assert table["Date taken [date, image]"][row] == datetime(2021, 1, 2, 3, 4, 5)


def test_one_cluster_with_links(project, corpus, tmp_path) -> None:
    ids = list(corpus.values())
    run = _run(project, [("Keep", ids[:2]), ("Other", ids[2:])])
    group = runstore.load_run(project.read(), run).groups[0]
    out = tmp_path / "links"
    summary = run_folder_export(project, FolderExport(out, group_id=group.id, link=True))
    assert summary.exported == 2
    links = [p for p in (out / "Keep").iterdir()]
    assert all(p.is_symlink() and p.resolve().is_file() for p in links)
    assert {p.resolve().parent.parent for p in links} == {(tmp_path / "corpus").resolve()}


def test_nothing_existing_is_overwritten(project, corpus, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "scan.png").write_bytes(b"mine")
    (out / "images.csv").write_text("mine")
    selection = FolderExport(out, image_ids=(corpus["b/scan.png"],))
    first = run_folder_export(project, selection)
    second = run_folder_export(project, selection)
    assert (out / "scan.png").read_bytes() == b"mine"
    assert (out / "images.csv").read_text() == "mine"
    assert _tree(out) == {
        "scan.png", "scan (2).png", "scan (3).png", "images.csv", "images (2).csv", "images (3).csv",
    }  # fmt: skip
    assert (first.csv, second.csv) == ("images (2).csv", "images (3).csv")


def test_grid_groups_by_year_and_tag_paths(project, corpus, tmp_path) -> None:
    kind = notes.create_property(project, "Kind", "multi_tags")
    animals = notes.create_tag(project, kind.id, "Animals")
    cats = notes.create_tag(project, kind.id, "Cats/kittens", parents=[animals.id])
    notes.set_values(project, kind.id, [corpus["a/IMG_1.jpg"]], [cats.id])
    notes.set_values(project, kind.id, [corpus["a/IMG_2.jpg"]], [animals.id, cats.id])
    out = tmp_path / "years"
    run_folder_export(project, FolderExport(out, levels=(DatePart("Date taken", "year"),)))
    assert _tree(out) - {"images.csv"} == {
        "2019/IMG_1.jpg", "2019/IMG_1 (2).jpg", "2021/IMG_2.jpg",
        "(no value)/scan.png", "(no value)/other.png", "(no value)/last.png",
    }  # fmt: skip
    out = tmp_path / "tags"
    run_folder_export(project, FolderExport(out, levels=("Kind",), key=(animals.id,)))
    assert _tree(out) - {"images.csv"} == {
        "Animals/Cats_kittens/IMG_1.jpg",  # the slash in the tag name cannot make a folder
        "Animals/Cats_kittens/IMG_2.jpg",
        "Animals/IMG_2.jpg",
    }


def test_a_filter_narrows_the_grid_export(project, corpus, tmp_path) -> None:
    flt = FilterSpec(conditions=[ConditionSpec("Date taken", "ge", value="2020-01-01")])
    out = tmp_path / "out"
    summary = run_folder_export(project, FolderExport(out, levels=("folder",), filter=flt))
    assert summary.exported == 1
    assert _tree(out) - {"images.csv"} == {"corpus/IMG_2.jpg"}


def test_a_missing_file_is_counted_not_fatal(project, corpus, tmp_path) -> None:
    (tmp_path / "corpus" / "c" / "last.png").unlink()
    ids = (corpus["c/last.png"], corpus["c/other.png"])
    summary = run_folder_export(project, FolderExport(tmp_path / "out", image_ids=ids))
    assert (summary.exported, summary.missing) == (1, 1)


def test_cancelling_stops_and_still_writes_the_listing(project, corpus, tmp_path) -> None:
    cancel = threading.Event()
    cancel.set()
    out = tmp_path / "out"
    summary = run_folder_export(
        project, FolderExport(out, image_ids=tuple(corpus.values())), cancel=cancel
    )
    assert summary.cancelled and summary.exported == 0
    assert _tree(out) == {"images.csv"}


def test_the_listing_imports_back(project, corpus, tmp_path) -> None:
    note = notes.create_property(project, "Note", "text")
    notes.set_values(project, note.id, [corpus["b/scan.png"]], "kept")
    out = tmp_path / "out"
    run_folder_export(project, FolderExport(out, image_ids=(corpus["b/scan.png"],)))
    notes.clear_values(project, note.id, [corpus["b/scan.png"]])
    with (out / "images.csv").open(newline="", encoding="utf-8") as listing:
        summary = import_csv(project, listing)
    assert (summary.rows, summary.unmatched) == (1, 0)
    detail = project.read().execute(
        "SELECT value FROM image_values WHERE property_id = ?", (note.id,)
    )
    assert [tuple(row) for row in detail] == [("kept",)]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("a/b\\c", "a_b_c"),
        ("..", "unnamed"),
        ("", "unnamed"),
        ("  .hidden. ", "hidden"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("tab\there", "tab_here"),
        ("é" * 200, "é" * 75),
    ],
)
def test_safe_names(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_groups_whose_names_become_equal_get_two_folders(project, corpus, tmp_path) -> None:
    ids = list(corpus.values())
    run = _run(project, [("a/b", ids[:1]), ("a_b", ids[1:2]), ("A_B", ids[2:3])])
    out = tmp_path / "out"
    run_folder_export(project, FolderExport(out, run_id=run))
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["A_B (3)", "a_b", "a_b (2)"]


def test_refused_exports(project, corpus, tmp_path) -> None:
    ids = (corpus["b/scan.png"],)
    file = tmp_path / "file.txt"
    file.write_text("x")
    refused = [
        (FolderExport(Path("relative"), image_ids=ids), InvalidInput, "full path"),
        (FolderExport(file, image_ids=ids), InvalidInput, "is a file"),
        (
            FolderExport(tmp_path / "corpus" / "out", image_ids=ids),
            InvalidInput,
            "inside the imported",
        ),
        (FolderExport(project.root / "out", image_ids=ids), InvalidInput, "project's own folder"),
        (FolderExport(tmp_path / "o", image_ids=ids, run_id=1), InvalidInput, "Export one thing"),
        (FolderExport(tmp_path / "o", run_id=99), NotFound, "no clustering run 99"),
        (FolderExport(tmp_path / "o", image_ids=(12345,)), NotFound, "no image with id 12345"),
        (FolderExport(tmp_path / "o", levels=("Nope",)), NotFound, "no property named"),
    ]
    for spec, error, text in refused:
        with pytest.raises(error, match=text):
            run_folder_export(project, spec)
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_destination_is_refused(project, corpus, tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(InvalidInput, match="cannot be written"):
        run_folder_export(project, FolderExport(locked / "out", image_ids=(1,)))


def test_task_parameters_round_trip(project, corpus, tmp_path) -> None:
    spec = FolderExport(
        tmp_path / "out",
        link=True,
        levels=(DatePart("Date taken", "month"), "folder"),
        key=("2019-07",),
        filter=FilterSpec(conditions=[ConditionSpec("Date taken", "not_empty")]),
    )
    params = check_export_task(project, export_params(spec))
    assert export_from_params(params) == FolderExport(
        spec.destination, True, None, None, None, spec.levels, spec.key,
        FilterSpec(conditions=[ConditionSpec("Date taken", "not_empty")]),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="incomplete"):
        check_export_task(project, {"link": True})
