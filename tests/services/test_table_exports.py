"""Run, map and property-value tables, written as CSV and Parquet and read back with pyarrow:
the same rows and columns in both, typed in Parquet."""

from __future__ import annotations

import io

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from corpuscope.errors import InvalidInput
from corpuscope.services import annotations as notes
from corpuscope.services.csv_io import export_csv
from corpuscope.services.maps import map_coordinates
from corpuscope.services.table_exports import (
    format_path,
    map_table,
    run_table,
    table_bytes,
    table_format,
    values_table,
)
from corpuscope.store import runs as runstore
from corpuscope.store.db import Project
from corpuscope.store.runs import NewGroup, NewRun


def _both(table):
    """The table read back from its CSV and from its Parquet bytes."""
    csv = pacsv.read_csv(io.BytesIO(table_bytes(table, "csv")))
    parquet = pq.read_table(io.BytesIO(table_bytes(table, "parquet")))
    return csv, parquet


def _save(project: Project, groups, **nested) -> int:
    run = NewRun(
        "kmeans", {}, 0, None, {}, sum(len(m) for _, m, _ in groups), 0.0,
        [NewGroup("cluster", score, m, [0.9 - 0.1 * i for i in range(len(m))], name)
         for name, m, score in groups],
        **nested,
    )  # fmt: skip
    with project.write() as conn:
        return runstore.save_run(conn, run)


def test_run_table_gives_each_image_its_deepest_group(project, vectors) -> None:
    run = _save(project, [("Big", [1, 2, 3, 4], 20.0), (None, [5, 6], 35.5)])
    big = runstore.load_run(project.read(), run).groups[0]
    _save(project, [("A>B", [3, 1], 5.0), (None, [2, 4], 8.0)], parent_run_id=run,
          parent_group_id=big.id)  # fmt: skip
    csv, parquet = _both(run_table(project, run))
    assert csv.to_pydict() == parquet.to_pydict() | {
        "sha1": [None] * 6,
        "folder": [None] * 6,
        "path": [None] * 6,
    }  # fmt: skip  (no file: empty in both)
    rows = {i: r for i, r in zip(parquet["image_id"].to_pylist(), parquet.to_pylist(), strict=True)}
    assert sorted(rows) == [1, 2, 3, 4, 5, 6]
    assert rows[3]["group_path"] == "Big>A\\>B"  # names escaped like tag paths
    assert (rows[3]["depth"], rows[3]["rank"], rows[3]["typicality"]) == (1, 0, 0.9)
    assert rows[1]["group_score"] == 5.0 and rows[1]["typicality"] == pytest.approx(0.8)
    assert rows[4]["group"] == "Cluster 1.2"
    assert (rows[6]["group_path"], rows[6]["depth"], rows[6]["group_score"]) == (
        "Cluster 2",
        0,
        35.5,
    )
    assert parquet.schema.field("typicality").type == "double"
    assert parquet.schema.field("rank").type == "int64"


def test_map_table_matches_the_map(project, vectors) -> None:
    ids, xy = map_coordinates(project)
    csv, parquet = _both(map_table(project))
    assert parquet["image_id"].to_pylist() == ids.tolist()
    np.testing.assert_allclose(parquet["x"].to_numpy(), xy[:, 0])
    np.testing.assert_allclose(csv["y"].to_numpy(), xy[:, 1])


def test_values_table_is_typed_in_parquet_and_the_csv_is_the_export(
    project, tmp_path, write_image
) -> None:
    from corpuscope.services.importing import run_import

    for seed in range(3):
        write_image(tmp_path / "in" / f"{seed}.png", seed=seed, size=(40, 30))
    run_import(project, [tmp_path / "in"])
    kind = notes.create_property(project, "Kind", "multi_tags")
    animal = notes.create_tag(project, kind.id, "Animal")
    cat = notes.create_tag(project, kind.id, "Cat|Felis", parents=[animal.id])
    notes.set_values(project, kind.id, [1], [cat.id, animal.id])
    year = notes.create_property(project, "Year", "number")
    notes.set_values(project, year.id, [2], -500)
    done = notes.create_property(project, "Done", "checkbox")
    notes.set_values(project, done.id, [1, 3], True)
    table = values_table(project)
    csv_text = io.StringIO()
    export_csv(project, csv_text)
    assert table_bytes(table, "csv").decode() == csv_text.getvalue()
    parquet = pq.read_table(io.BytesIO(table_bytes(table, "parquet"))).to_pydict()
    assert parquet["Kind [multi_tags, image]"] == [["Animal", "Animal>Cat\\|Felis"], [], []]
    assert parquet["Year [number, image]"] == [None, -500.0, None]
    assert parquet["Done [checkbox, image]"] == [True, None, True]
    assert parquet["Width [number, image]"] == [40.0, 40.0, 40.0]  # metadata comes along
    assert parquet["path"] == ["0.png", "1.png", "2.png"]


def test_format_from_the_name_or_given() -> None:
    from pathlib import Path

    assert table_format(Path("a.CSV")) == "csv"
    assert table_format(Path("a.parquet")) == "parquet"
    assert table_format(Path("a.txt"), "parquet") == "parquet"
    with pytest.raises(InvalidInput, match="csv or parquet"):
        table_format(Path("a.xlsx"))
    assert format_path(["a", "b|c"]) == "a>b\\|c"
