"""Metadata and exports through HTTP: read-only properties, grouping by year, GPS places,
an export to a folder as a task, and tables downloaded as CSV and Parquet."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from tests.web.conftest import Corpus, error, ok, wait_tasks


def _photos(corpus: Corpus, write_photo) -> None:
    write_photo(corpus.photos / "c" / "paris.jpg", seed=7, taken="2019:07:14 10:30:00",
                make="Canon", position=(48.8584, 2.2945))  # fmt: skip
    write_photo(corpus.photos / "c" / "rome.jpg", seed=8, taken="2021:06:05 08:00:00")
    [folder] = ok(corpus.get("/folders"))
    ok(corpus.post(f"/folders/{folder['id']}/import"), 202)
    assert wait_tasks(corpus.client, corpus.pid)[0]["status"] == "done"


def test_metadata_properties_are_read_only_and_group_by_year(corpus: Corpus, write_photo) -> None:
    _photos(corpus, write_photo)
    properties = {p["name"]: p for p in ok(corpus.get("/properties"))}
    taken = properties["Date taken"]
    assert (taken["type"], taken["metadata"], taken["read_only"]) == ("date", "taken", True)
    message = error(
        corpus.post(f"/properties/{taken['id']}/values/set", {"ids": [1], "value": "2000-01-01"}),
        409,
    )
    assert message.startswith("'Date taken' is read from the image files")
    error(corpus.patch(f"/properties/{taken['id']}", {"name": "When"}), 409)
    error(corpus.delete(f"/properties/{taken['id']}"), 409)
    levels = [{"property": taken["id"], "by": "year"}]
    grouping = ok(corpus.post("/grouping", {"levels": levels}))
    assert grouping["levels"] == ["Date taken (year)"]
    assert [(g["key"], g["count"]) for g in grouping["groups"]] == [
        ("2019", 1), ("2021", 1), (None, 6),
    ]  # fmt: skip
    members = ok(corpus.post("/grouping/member-ids", {"levels": levels, "key": ["2021"]}))
    assert members["total"] == 1
    wrong = {"levels": [{"property": properties["Camera make"]["id"], "by": "month"}]}
    assert "Only date properties" in error(corpus.post("/grouping", wrong), 422)
    assert error(corpus.post("/grouping/member-ids", {"levels": levels, "key": ["21"]}), 422)


def test_places_are_the_images_with_a_gps_position(corpus: Corpus, write_photo) -> None:
    assert ok(corpus.get("/map/places")) == {"ids": [], "latitude": [], "longitude": []}
    _photos(corpus, write_photo)
    places = ok(corpus.get("/map/places"))
    assert len(places["ids"]) == 1
    assert (round(places["latitude"][0], 4), round(places["longitude"][0], 4)) == (48.8584, 2.2945)


def test_export_a_cluster_to_a_folder_as_a_task(corpus: Corpus, vectors, tmp_path: Path) -> None:
    run = corpus.create_run({"algorithm": "kmeans", "k": 2})
    group = run["groups"][0]
    out = tmp_path / "exported"
    task = ok(corpus.post("/exports/images", {"folder": str(out), "group_id": group["id"]}), 202)
    assert task["kind"] == "export"
    [done, *_] = wait_tasks(corpus.client, corpus.pid)
    assert done["status"] == "done", done
    assert done["result"]["exported"] == group["size"] == 3
    folder = out / group["label"]
    assert len([p for p in folder.iterdir()]) == 3
    listing = pacsv.read_csv(out / "images.csv").to_pydict()
    assert all(path.startswith(f"{group['label']}/") for path in listing["exported"])


def test_export_requests_are_checked_before_queueing(corpus: Corpus, tmp_path: Path) -> None:
    assert "full path" in error(
        corpus.post("/exports/images", {"folder": "out", "image_ids": [1]}), 422
    )
    inside = str(corpus.photos / "out")
    assert "inside the imported folder" in error(
        corpus.post("/exports/images", {"folder": inside, "image_ids": [1]}), 422
    )
    both = {"folder": str(tmp_path / "x"), "image_ids": [1], "run_id": 1}
    assert "Export one thing" in error(corpus.post("/exports/images", both), 422)
    missing = {"folder": str(tmp_path / "x"), "run_id": 42}
    error(corpus.post("/exports/images", missing), 404)
    error(corpus.post("/exports/images", {"folder": str(tmp_path / "x")}), 422)
    assert not (tmp_path / "x").exists()


def test_tables_download_as_csv_and_parquet(corpus: Corpus, vectors) -> None:
    run = corpus.create_run({"algorithm": "kmeans", "k": 2})
    for tail, rows in (
        (f"/exports/runs/{run['id']}", 6),
        ("/exports/map", 6),
        ("/exports/values", 6),
    ):
        as_csv = corpus.get(tail, params={"format": "csv"})
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in as_csv.headers["content-disposition"]
        as_parquet = corpus.get(tail, params={"format": "parquet"})
        assert as_parquet.headers["content-type"] == "application/vnd.apache.parquet"
        from_csv = pacsv.read_csv(io.BytesIO(as_csv.content))
        from_parquet = pq.read_table(io.BytesIO(as_parquet.content))
        assert from_csv.num_rows == from_parquet.num_rows == rows
        assert from_csv.column_names == from_parquet.column_names
    run_rows = pq.read_table(
        io.BytesIO(corpus.get(f"/exports/runs/{run['id']}", params={"format": "parquet"}).content)
    )
    assert set(run_rows["group"].to_pylist()) == {g["label"] for g in run["groups"]}
    error(corpus.get("/exports/runs/999"), 404)
    error(corpus.get("/exports/map", params={"format": "xlsx"}), 422)
