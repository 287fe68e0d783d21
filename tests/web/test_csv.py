"""CSV export and import over HTTP."""

from __future__ import annotations

import csv
import io

from tests.web.conftest import Corpus, error, ok


def test_export_then_import_round_trips_values(corpus: Corpus) -> None:
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]
    ok(corpus.post("/properties", {"name": "Kind", "type": "tag"}), 201)
    ok(corpus.post("/properties/1/tags", {"name": "Animal"}), 201)
    ok(corpus.post("/properties/1/tags", {"name": "Cat", "parents": [1]}), 201)
    ok(corpus.post("/properties/1/values/set", {"ids": ids[:2], "value": ["Cat"]}))
    response = corpus.get("/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    # the user's properties first, then what the import read from the files
    assert rows[0] == ["folder", "path", "sha1", "Kind [tag, image]", "Width [number, image]",
                       "Height [number, image]"]  # fmt: skip
    assert [row[3] for row in rows[1:3]] == ["Animal>Cat", "Animal>Cat"]
    only = corpus.get("/export.csv", params={"properties": ["Kind"]})
    assert only.text.splitlines()[0] == 'folder,path,sha1,"Kind [tag, image]"'
    assert len(only.text.splitlines()) == len(rows)
    error(corpus.get("/export.csv", params={"properties": ["Nope"]}), 404)
    ok(corpus.post("/properties/1/values/clear", {"ids": ids}))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*rows[0], "Year [number, image]"])
    writer.writerows([*row, "1999"] for row in rows[1:])
    edited = out.getvalue()
    summary = ok(
        corpus.client.post(
            corpus.url("/import-csv"), content=edited.encode(), headers={"content-type": "text/csv"}
        )
    )
    assert summary == {
        "rows": 6,
        "values": 8,
        "unmatched": 0,
        "properties_created": 1,
        "tags_created": 0,
    }
    page = ok(corpus.post("/images/query", {"properties": [1, 2], "sort": {"key": "path"}}))
    assert [item["values"] for item in page["items"][:3]] == [
        {"1": [2], "2": 1999.0},
        {"1": [2], "2": 1999.0},
        {"2": 1999.0},
    ]
    assert ok(corpus.post("/undo"))["entry"]["label"] == "import values from CSV"


def test_bad_csv_bodies_are_422(corpus: Corpus) -> None:
    def send(body: bytes) -> str:
        response = corpus.client.post(
            corpus.url("/import-csv"), content=body, headers={"content-type": "text/csv"}
        )
        return error(response, 422)

    assert "empty" in send(b"")
    assert "UTF-8" in send("folder,path,sha1\n".encode("utf-16"))
    assert "NUL" in send(b"folder,path,sha1\x00\n")
    assert "must start with" in send(b"name,path\n")
    assert "column heading" in send(b"folder,path,sha1,Kind\n")
    assert "cells" in send(b'folder,path,sha1,"Kind [tag, image]"\na,b\n')
