"""Image routes: query with filters, sorts and pages; ids; one image; thumbnails and files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.web.conftest import Corpus, error, ok

from corpuscope.store.runs import NewGroup, NewRun, save_run
from corpuscope.web.hub import project_id


def by_path(corpus: Corpus) -> dict[str, int]:
    page = ok(corpus.post("/images/query", {"limit": 1000}))
    return {item["path"]: item["id"] for item in page["items"]}


def query(corpus: Corpus, **body: Any) -> list[str]:
    """Paths of the matching images, in order."""
    page = ok(corpus.post("/images/query", body))
    return [item["path"] for item in page["items"]]


@pytest.fixture
def tagged(corpus: Corpus) -> Corpus:
    """Properties: Kind (tag: Animal > Cat, Dog), Year (number), Note (text), Seen (checkbox)."""
    ids = by_path(corpus)
    kind = ok(corpus.post("/properties", {"name": "Kind", "type": "tag"}), 201)["id"]
    animal = ok(corpus.post(f"/properties/{kind}/tags", {"name": "Animal"}), 201)["id"]
    cat = ok(corpus.post(f"/properties/{kind}/tags", {"name": "Cat", "parents": [animal]}), 201)
    dog = ok(corpus.post(f"/properties/{kind}/tags", {"name": "Dog", "parents": [animal]}), 201)
    ok(corpus.post(f"/properties/{kind}/values/set", {"ids": [ids["a/0.jpg"]], "value": ["Cat"]}))
    ok(
        corpus.post(
            f"/properties/{kind}/values/set", {"ids": [ids["a/1.jpg"]], "value": [dog["id"]]}
        )
    )
    ok(
        corpus.post(
            f"/properties/{kind}/values/set", {"ids": [ids["b/3.png"]], "value": ["Animal"]}
        )
    )
    year = ok(corpus.post("/properties", {"name": "Year", "type": "number"}), 201)["id"]
    for path, value in (("a/0.jpg", 1990), ("a/2.jpg", 1850), ("b/4.png", "2001.5")):
        ok(corpus.post(f"/properties/{year}/values/set", {"ids": [ids[path]], "value": value}))
    note = ok(corpus.post("/properties", {"name": "Note", "type": "text"}), 201)["id"]
    ok(
        corpus.post(
            f"/properties/{note}/values/set", {"ids": [ids["b/5.png"]], "value": "A Red vase"}
        )
    )
    assert cat["parents"] == [animal]
    return corpus


def test_a_page_lists_images_with_their_first_file(corpus: Corpus) -> None:
    page = ok(corpus.post("/images/query", {"limit": 4}))
    assert page["total"] == 6 and page["offset"] == 0 and len(page["items"]) == 4
    first = page["items"][0]
    assert first["status"] == "ok" and first["width"] == 320 and first["height"] == 240
    assert first["format"] == "JPEG" and len(first["sha1"]) == 40
    for item in page["items"]:  # the size of the file shown, for "the least compressed copy"
        assert item["file_size"] == (corpus.photos / item["path"]).stat().st_size
    rest = ok(corpus.post("/images/query", {"limit": 4, "offset": 4}))["items"]
    assert [i["id"] for i in page["items"] + rest] == sorted(by_path(corpus).values())


def test_pages_after_the_first_may_skip_counting(corpus: Corpus) -> None:
    """The grid's later pages ask for no total: counting reads every match (50 ms at a million
    images, for each page scrolled through)."""
    counted = ok(corpus.post("/images/query", {"limit": 3, "offset": 2}))
    page = ok(corpus.post("/images/query", {"limit": 3, "offset": 2, "total": False}))
    assert page["total"] is None and counted["total"] == 6
    assert page["items"] == counted["items"] and (page["offset"], page["limit"]) == (2, 3)
    error(corpus.post("/images/query", {"total": [1]}), 422)


def test_sorting_by_path_property_and_direction(tagged: Corpus) -> None:
    paths = ["a/0.jpg", "a/1.jpg", "a/2.jpg", "b/3.png", "b/4.png", "b/5.png"]
    assert query(tagged, sort={"key": "path"}) == paths
    assert query(tagged, sort={"key": "path", "descending": True}) == paths[::-1]
    by_year = query(tagged, sort={"key": "property", "property": "Year"})
    assert by_year[:3] == ["a/2.jpg", "a/0.jpg", "b/4.png"]  # images without a year come last
    by_year_desc = query(tagged, sort={"key": "property", "property": "Year", "descending": True})
    assert by_year_desc[:3] == ["b/4.png", "a/0.jpg", "a/2.jpg"]
    by_kind = query(tagged, sort={"key": "property", "property": "Kind"})
    assert by_kind[:3] == ["b/3.png", "a/0.jpg", "a/1.jpg"]  # Animal < Cat < Dog


def test_filters_by_folder_status_path_and_ids(tagged: Corpus) -> None:
    ids = by_path(tagged)
    [folder] = ok(tagged.get("/folders"))
    assert folder["images"] == 6
    assert len(query(tagged, filter={"folder_ids": [folder["id"]]})) == 6
    assert query(tagged, filter={"path_contains": "b/"}) == ["b/3.png", "b/4.png", "b/5.png"]
    assert query(tagged, filter={"path_contains": "%"}) == []  # LIKE wildcards are literal
    assert query(tagged, filter={"image_ids": [ids["a/2.jpg"], ids["b/4.png"]]}) == [
        "a/2.jpg",
        "b/4.png",
    ]
    assert len(query(tagged, filter={"status": "ok"})) == 6
    assert query(tagged, filter={"status": "missing"}) == []
    (tagged.photos / "a" / "0.jpg").unlink()
    ok(tagged.post(f"/folders/{folder['id']}/import"), 202)
    from tests.web.conftest import wait_tasks

    wait_tasks(tagged.client, tagged.pid)
    assert query(tagged, filter={"status": "missing"}) == ["a/0.jpg"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"property": "Year", "op": "eq", "value": 1990}, ["a/0.jpg"]),
        ({"property": "Year", "op": "gt", "value": "1900"}, ["a/0.jpg", "b/4.png"]),
        ({"property": "Year", "op": "le", "value": 1990}, ["a/0.jpg", "a/2.jpg"]),
        (
            {"property": "Year", "op": "ne", "value": 1990},
            ["a/1.jpg", "a/2.jpg", "b/3.png", "b/4.png", "b/5.png"],
        ),
        ({"property": "Year", "op": "empty"}, ["a/1.jpg", "b/3.png", "b/5.png"]),
        ({"property": "Note", "op": "contains", "value": "red"}, ["b/5.png"]),
        ({"property": "Kind", "op": "any", "tags": ["Animal"]}, ["a/0.jpg", "a/1.jpg", "b/3.png"]),
        ({"property": "Kind", "op": "any", "tags": ["Animal"], "descendants": False}, ["b/3.png"]),
        ({"property": "Kind", "op": "any", "tags": ["Cat", "Dog"]}, ["a/0.jpg", "a/1.jpg"]),
        ({"property": "Kind", "op": "all", "tags": ["Cat", "Animal"]}, ["a/0.jpg"]),
        (
            {"property": "Kind", "op": "none", "tags": ["Cat"]},
            ["a/1.jpg", "a/2.jpg", "b/3.png", "b/4.png", "b/5.png"],
        ),
        ({"property": "Kind", "op": "not_empty"}, ["a/0.jpg", "a/1.jpg", "b/3.png"]),
    ],
)
def test_conditions_on_property_values(
    tagged: Corpus, condition: dict[str, Any], expected: list[str]
) -> None:
    assert query(tagged, filter={"conditions": [condition]}, sort={"key": "path"}) == expected


def test_pages_carry_the_values_asked_for(tagged: Corpus) -> None:
    page = ok(
        tagged.post("/images/query", {"sort": {"key": "path"}, "properties": ["Kind", "Year"]})
    )
    kind = ok(tagged.get("/properties"))[0]
    cat = next(tag["id"] for tag in kind["tags"] if tag["name"] == "Cat")
    assert page["items"][0]["values"] == {str(kind["id"]): [cat], "2": 1990.0}
    assert page["items"][5]["values"] == {}


def test_ids_route_returns_a_whole_view(tagged: Corpus) -> None:
    found = ok(
        tagged.post(
            "/images/ids",
            {"filter": {"path_contains": "a/"}, "sort": {"key": "path", "descending": True}},
        )
    )
    ids = by_path(tagged)
    assert found == {
        "total": 3,
        "offset": 0,
        "ids": [ids["a/2.jpg"], ids["a/1.jpg"], ids["a/0.jpg"]],
    }


def test_group_members_sorted_by_rank(corpus: Corpus) -> None:
    ids = sorted(by_path(corpus).values())
    from corpuscope.store.db import open_project

    with open_project(corpus.root) as project, project.write() as conn:
        save_run(
            conn,
            NewRun(
                "kmeans", {"k": 2}, 0, None, {}, 6, 0.1,
                [NewGroup("cluster", 0.2, [ids[4], ids[1], ids[2]], [0.1, 0.2, 0.3]),
                 NewGroup("cluster", 0.3, [ids[0], ids[3], ids[5]], [0.1, 0.2, 0.3])],
            ),
        )  # fmt: skip
        group = conn.execute("SELECT id FROM run_groups ORDER BY rank LIMIT 1").fetchone()[0]
    page = ok(
        corpus.post("/images/query", {"filter": {"group_id": group}, "sort": {"key": "rank"}})
    )
    assert [i["id"] for i in page["items"]] == [ids[4], ids[1], ids[2]]
    assert [i["rank"] for i in page["items"]] == [0, 1, 2]
    assert [i["score"] for i in page["items"]] == pytest.approx([0.1, 0.2, 0.3])
    detail = ok(corpus.get(f"/images/{ids[4]}"))
    assert [(g["group_id"], g["rank"]) for g in detail["groups"]] == [(group, 0)]
    message = error(corpus.post("/images/query", {"sort": {"key": "rank"}}), 422)
    assert "group" in message
    error(corpus.post("/images/query", {"filter": {"group_id": 999}}), 404)


def test_one_image_with_files_and_values(tagged: Corpus) -> None:
    ids = by_path(tagged)
    detail = ok(tagged.get(f"/images/{ids['a/0.jpg']}"))
    assert detail["id"] == ids["a/0.jpg"]
    [file] = detail["files"]
    assert file["path"] == "a/0.jpg" and file["folder"] == str(tagged.photos.resolve())
    assert file["status"] == "ok" and file["size"] > 0
    assert detail["values"]["2"] == 1990.0 and len(detail["values"]["1"]) == 1
    assert detail["file_values"] == {str(file["id"]): {}}
    error(tagged.get("/images/999"), 404)


def test_instance_properties_are_per_file(tagged: Corpus) -> None:
    ids = by_path(tagged)
    note = ok(tagged.post("/properties", {"name": "Copy", "type": "text", "mode": "instance"}), 201)
    file_id = ok(tagged.get(f"/images/{ids['a/1.jpg']}"))["files"][0]["id"]
    ok(tagged.post(f"/properties/{note['id']}/values/set", {"ids": [file_id], "value": "scan"}))
    detail = ok(tagged.get(f"/images/{ids['a/1.jpg']}"))
    assert detail["file_values"] == {str(file_id): {str(note["id"]): "scan"}}
    cond = {"property": note["id"], "op": "eq", "value": "scan"}
    assert query(tagged, filter={"conditions": [cond]}) == ["a/1.jpg"]
    page = ok(
        tagged.post("/images/query", {"filter": {"conditions": [cond]}, "properties": [note["id"]]})
    )
    assert page["items"][0]["values"] == {str(note["id"]): "scan"}


def test_thumbnails_and_original_files_by_image_id(corpus: Corpus, tmp_path: Any) -> None:
    ids = by_path(corpus)
    small = corpus.get(f"/images/{ids['a/0.jpg']}/thumbnail")
    assert small.status_code == 200 and small.headers["content-type"] == "image/jpeg"
    large = corpus.get(f"/images/{ids['a/0.jpg']}/thumbnail", params={"size": 512})
    path = tmp_path / "thumb.jpg"
    path.write_bytes(large.content)
    with Image.open(path) as opened:
        assert max(opened.size) == 320  # never enlarged
    original = corpus.get(f"/images/{ids['b/3.png']}/file")
    assert original.headers["content-type"] == "image/png"
    assert original.content == (corpus.photos / "b" / "3.png").read_bytes()
    error(corpus.get(f"/images/{ids['a/0.jpg']}/thumbnail", params={"size": 64}), 422)
    error(corpus.get("/images/999/thumbnail"), 404)
    error(corpus.get("/images/999/file"), 404)
    (corpus.photos / "b" / "3.png").unlink()
    assert "not on disk" in error(corpus.get(f"/images/{ids['b/3.png']}/file"), 404)


def test_a_thumbnail_the_browser_holds_is_not_sent_again(corpus: Corpus) -> None:
    url = f"/images/{by_path(corpus)['a/0.jpg']}/thumbnail"
    first = corpus.get(url)
    tag = first.headers["etag"]
    again = corpus.get(url, headers={"if-none-match": tag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
    other = corpus.get(url, params={"size": 512}, headers={"if-none-match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag  # each size its own
    # a thumbnail made again (here: rewritten) is sent again
    thumbnails = (corpus.root / "thumbnails").rglob("*")
    (stored,) = [p for p in thumbnails if p.is_file() and p.read_bytes() == first.content]
    stored.write_bytes(first.content + b"\0")
    remade = corpus.get(url, headers={"if-none-match": tag})
    assert remade.status_code == 200 and remade.content == first.content + b"\0"


def test_a_file_swapped_for_a_symlink_to_elsewhere_is_not_served(
    corpus: Corpus, tmp_path: Any
) -> None:
    ids = by_path(corpus)
    secret = tmp_path / "secret.txt"  # a file of the user's, outside every imported folder
    secret.write_text("private key")
    original = corpus.photos / "b" / "3.png"
    original.unlink()
    original.symlink_to(secret)  # swapped after the import
    response = corpus.get(f"/images/{ids['b/3.png']}/file")
    assert "leads outside the project's folders" in error(response, 404)
    assert b"private key" not in response.content
    inside = corpus.photos / "a" / "0.jpg"  # a link that stays inside is fine
    (corpus.photos / "a" / "1.jpg").unlink()
    (corpus.photos / "a" / "1.jpg").symlink_to(inside)
    assert corpus.get(f"/images/{ids['a/1.jpg']}/file").content == inside.read_bytes()
    os.mkfifo(corpus.photos / "b" / "4.png.fifo")
    (corpus.photos / "b" / "4.png").unlink()
    (corpus.photos / "b" / "4.png").symlink_to(corpus.photos / "b" / "4.png.fifo")
    assert "not a regular file" in error(corpus.get(f"/images/{ids['b/4.png']}/file"), 404)


def test_a_thumbnail_swapped_for_a_symlink_is_not_served(corpus: Corpus, tmp_path: Any) -> None:
    ids = by_path(corpus)
    detail = ok(corpus.get(f"/images/{ids['a/0.jpg']}"))
    thumbs = corpus.root / "thumbnails"
    [small] = thumbs.glob(f"{detail['sha1'][:2]}/{detail['sha1']}-128.jpg")
    secret = tmp_path / "secret.txt"
    secret.write_text("private key")
    small.unlink()
    small.symlink_to(secret)
    error(corpus.get(f"/images/{ids['a/0.jpg']}/thumbnail"), 404)


def test_a_file_of_another_image_is_never_served(corpus: Corpus) -> None:
    ids = by_path(corpus)
    other = ok(corpus.get(f"/images/{ids['a/1.jpg']}"))["files"][0]["id"]
    error(corpus.get(f"/images/{ids['a/0.jpg']}/file", params={"file_id": other}), 404)


@pytest.mark.parametrize(
    "tail",
    [
        "/images/..%2F..%2F..%2Fetc%2Fpasswd/file",
        "/images/../../../etc/passwd",
        "/images/%2Fetc%2Fpasswd/thumbnail",
        "/images/1/file?file_id=../../etc/passwd",
        "/images/1/thumbnail?size=../../etc/passwd",
        "/images/-1/file",
        "/images/1e3/file",
        "/images/99999999999999999999999/file",
        "/images/1/file/../../../../etc/passwd",
    ],
)
def test_path_traversal_attempts_are_refused(corpus: Corpus, tail: str) -> None:
    response = corpus.client.get(f"/api/projects/{corpus.pid}{tail}")
    assert response.status_code in (404, 422), response.text
    assert b"root:" not in response.content
    assert set(response.json()) == {"detail"}


def test_a_file_row_pointing_outside_its_folder_is_not_served(corpus: Corpus) -> None:
    ids = by_path(corpus)
    from corpuscope.store.db import open_project

    with open_project(corpus.root) as project, project.write() as conn:
        conn.execute(
            "UPDATE files SET path = '../../../../etc/passwd' WHERE image_id = ?", (ids["a/0.jpg"],)
        )
    assert "outside" in error(corpus.get(f"/images/{ids['a/0.jpg']}/file"), 404)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"limit": 0}, 422, "limit"),
        ({"limit": 5000}, 422, "limit"),
        ({"offset": -1}, 422, "offset"),
        ({"sort": {"key": "colour"}}, 422, "sort.key"),
        ({"sort": {"key": "property"}}, 422, "property to sort by"),
        ({"sort": {"key": "property", "property": "Nope"}}, 404, "Nope"),
        ({"filter": {"folder_ids": [77]}}, 404, "folder 77"),
        ({"filter": {"conditions": [{"property": 99, "op": "eq", "value": 1}]}}, 404, "99"),
        (
            {"filter": {"conditions": [{"property": "Year", "op": "any", "tags": [1]}]}},
            422,
            "does not apply",
        ),
        ({"filter": {"conditions": [{"property": "Year", "op": "eq"}]}}, 422, "needs a value"),
        (
            {"filter": {"conditions": [{"property": "Year", "op": "eq", "value": "soon"}]}},
            422,
            "not a number",
        ),
        ({"filter": {"conditions": [{"property": "Kind", "op": "any"}]}}, 422, "at least one tag"),
        (
            {"filter": {"conditions": [{"property": "Kind", "op": "any", "tags": ["Bird"]}]}},
            404,
            "Bird",
        ),
        (
            {"filter": {"conditions": [{"property": "Note", "op": "contains", "value": 3}]}},
            422,
            "text",
        ),
        ({"filter": {"bogus": 1}}, 422, "bogus"),
        ({"filter": {"image_ids": list(range(1, 100_002))}}, 422, "image_ids"),
        ({"filter": {"path_contains": "a\x00b"}}, 422, "NUL"),
    ],
)
def test_bad_queries_are_4xx_with_a_sentence(
    tagged: Corpus, body: dict[str, Any], status: int, words: str
) -> None:
    assert words in error(tagged.post("/images/query", body), status)


def test_unknown_and_malformed_project_ids(client: Any) -> None:
    assert "no open project" in error(
        client.post(f"/api/projects/{project_id(Path(__file__))}/images/query", json={}), 404
    )
    error(client.post("/api/projects/NOT-AN-ID/images/query", json={}), 422)


def test_a_thumbnail_left_empty_is_made_again_from_the_file(corpus: Corpus) -> None:
    """After a power loss a thumbnail can be an empty file: it is made again when asked for;
    without the original file it is a 404 with a sentence."""
    import io

    from corpuscope.ingest.thumbnails import thumbnail_path

    ids = by_path(corpus)
    detail = ok(corpus.get(f"/images/{ids['a/0.jpg']}"))
    for size in (128, 512):
        thumbnail_path(corpus.root / "thumbnails", detail["sha1"], size).write_bytes(b"")
    served = corpus.get(f"/images/{ids['a/0.jpg']}/thumbnail?size=512")
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.content)) as thumb:
        assert thumb.size == (detail["width"], detail["height"])  # no larger than the image
    other = ok(corpus.get(f"/images/{ids['a/1.jpg']}"))
    thumbnail_path(corpus.root / "thumbnails", other["sha1"], 128).write_bytes(b"")
    (corpus.photos / "a" / "1.jpg").unlink()
    message = error(corpus.get(f"/images/{ids['a/1.jpg']}/thumbnail?size=128"), 404)
    assert "re-import" in message
