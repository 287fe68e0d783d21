"""The command line, run as a user runs it: a real subprocess of the installed script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "corpuscope"]


def run(*args: object, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_every_command_has_help() -> None:
    top = run("--help").stdout
    for command in (
        "init",
        "import",
        "status",
        "export",
        "import-csv",
        "property",
        "tag",
        "undo",
        "redo",
        "demo",
    ):
        assert command in top
        assert run(*command.split(), "--help").stdout.strip()
    for command in ("create", "list", "rename", "delete", "set", "clear"):
        assert "Usage" in run("property", command, "--help").stdout
    for command in ("create", "list", "rename", "recolor", "parent", "delete", "merge"):
        assert "Usage" in run("tag", command, "--help").stdout


def test_import_status_tag_export_and_undo(tmp_path: Path, write_image) -> None:
    for seed in range(3):
        write_image(tmp_path / "photos" / f"{seed}.jpg", seed=seed)
    (tmp_path / "photos" / "broken.jpg").write_text("not a picture")
    project = tmp_path / "project"
    out = run("import", project, tmp_path / "photos").stdout
    assert "3 new" in out and "1 errors" in out  # a broken file is an error, not a new image
    status = json.loads(run("status", project, "--json").stdout)
    assert (status["images"], status["errors"]) == (3, 1)
    assert "not an image" in status["error_files"][0]["reason"]
    text = run("status", project).stdout
    assert "broken.jpg: not an image" in text
    run("property", "create", project, "Subject", "--type", "multi_tags")
    run("tag", "create", project, "Subject", "Animal")
    run("tag", "create", project, "Subject", "Cat", "--parent", "Animal")
    run("property", "set", project, "Subject", "Cat", "--images", "1-2")
    exported = run("export", project).stdout
    assert exported.count("Animal>Cat") == 2
    run("undo", project)
    assert "Animal>Cat" not in run("export", project).stdout
    assert "Redid" in run("redo", project).stdout
    tree = run("tag", "list", project, "Subject").stdout.splitlines()
    assert tree[0].startswith("Animal") and tree[1].startswith("  Cat")


def test_a_name_that_is_not_utf8_imports_and_shows_escaped(tmp_path: Path, write_image) -> None:
    """The issue's case: one such name used to stop the whole folder's import."""
    folder = tmp_path / "photos"
    for seed in range(3):
        write_image(folder / f"{seed}.jpg", seed=seed)
    data = write_image(tmp_path / "x.jpg", seed=9).read_bytes()
    with open(os.fsencode(folder) + b"/caf\xe9.jpg", "wb") as handle:
        handle.write(data)
    (folder / "zero.jpg").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.jpg")
    odd_project = os.fsencode(tmp_path) + b"/proj\xe9t"
    result = subprocess.run([*CLI, "import", odd_project, folder], capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert b"4 new" in result.stdout and b"2 errors" in result.stdout  # 6 files, 2 in error
    assert b"proj\\xe9t" in result.stdout  # the project named in its shown form
    status = subprocess.run([*CLI, "status", odd_project], capture_output=True, timeout=300)
    text = status.stdout.decode("utf-8")
    assert "images: 4 distinct" in text
    assert "zero.jpg: a symbolic link to a character device" in text
    assert "pipe.jpg: a named pipe (FIFO)" in text


@pytest.mark.parametrize(
    ("args", "message", "status"),
    [
        (("status", "{tmp}/nowhere"), "not a corpuscope project", 5),
        (("import", "{tmp}/p", "{tmp}/no-such-folder"), "does not exist", 2),
        (("tag", "parent", "{project}", "Subject", "Animal", "Cat"), "cycle", 4),
        (("tag", "rename", "{project}", "Subject", "Dog", "Hound"), "no tag named 'Dog'", 3),
        (("property", "create", "{project}", "Subject"), "already exists", 4),
        (("property", "create", "{project}", "X", "--type", "fuzzy"), "Unknown property type", 2),
        (("property", "set", "{project}", "Subject", "Cat", "--images", "1,x"), "not an id", 2),
        (("import-csv", "{project}", "{tmp}/missing.csv"), "There is no file", 2),
        (("group-by-tags", "{project}", "Subject", "--text-weight", "2"), "between 0 and 1", 2),
    ],
)
def test_user_errors_print_one_sentence_and_exit_with_their_kind(
    tmp_path: Path, args, message, status
) -> None:
    """Each kind of error has its exit status (2 invalid, 3 not found, 4 conflict, 5 cannot be
    used here: ``EXIT_CODE_OF_KIND``)."""
    project = tmp_path / "project"
    run("init", project)
    run("property", "create", project, "Subject")
    run("tag", "create", project, "Subject", "Animal")
    run("tag", "create", project, "Subject", "Cat", "--parent", "Animal")
    result = run(*(a.format(tmp=tmp_path, project=project) for a in args), ok=False)
    assert result.returncode == status, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_vectors_cluster_nest_save_and_duplicates_from_the_command_line(
    tmp_path: Path, write_image
) -> None:
    from PIL import Image

    for seed in range(6):
        write_image(tmp_path / "photos" / "red" / f"{seed}.jpg", seed=seed)
    for seed in range(6):
        Image.new("RGB", (300, 200), (20 * seed, 40, 200)).save(
            tmp_path / "photos" / f"blue-{seed}.png"
        )
    with Image.open(tmp_path / "photos" / "red" / "0.jpg") as image:
        image.resize((160, 120)).save(tmp_path / "photos" / "red-0-small.jpg", quality=70)
    project = tmp_path / "project"
    run("import", project, tmp_path / "photos", "--quiet")
    assert "13 vectors computed" in run("vectors", project, "--quiet").stdout
    run("vectors", project, "--export", tmp_path / "v.npz")
    assert (tmp_path / "v.npz").stat().st_size > 13 * 1280 * 4
    first = json.loads(run("cluster", project, "--k", "2", "--json").stdout)
    assert sum(len(g["members"]) for g in first["groups"]) == 13
    assert all(g["score"] is not None for g in first["groups"])
    target = first["groups"][0]
    nested = json.loads(
        run(
            "cluster", project, "--k", "2", "--within", f"{first['id']}:{target['id']}", "--json"
        ).stdout
    )
    assert nested["parent_run_id"] == first["id"]
    assert sorted(m["path"] for g in nested["groups"] for m in g["members"]) == sorted(
        m["path"] for m in target["members"]
    )
    assert "run 2" in run("runs", project).stdout
    assert "Clustering" in run("save", project, str(first["id"])).stdout
    tags = run("tag", "list", project, "Clustering").stdout
    assert "  Cluster 1.1" in tags
    top = json.loads(run("cluster", project, "--k", "-1", "--level", "99", "--json").stdout)
    assert sum(len(g["members"]) for g in top["groups"]) == 13
    refused = run("coarser", project, str(top["id"]), ok=False)
    assert "has no coarser level" in refused.stdout + refused.stderr
    if top["params"]["levels"] > 1:
        assert "Level -1" in run("finer", project, str(top["id"])).stdout
    refused = run("finer", project, str(first["id"]), ok=False)
    assert "not made by automatic clustering" in refused.stdout + refused.stderr
    found = json.loads(run("duplicates", project, "--json").stdout)
    pairs = [sorted(m["path"] for m in g["members"]) for g in found["groups"]]
    assert ["red-0-small.jpg", "red/0.jpg"] in pairs
    ids = {m["path"]: m["image_id"] for g in first["groups"] for m in g["members"]}
    run("property", "create", project, "Colour", "--type", "tag")
    for tag, examples in (
        ("Red", ["red/1.jpg", "red/2.jpg"]),
        ("Blue", ["blue-1.png", "blue-2.png"]),
    ):
        run("tag", "create", project, "Colour", tag)
        run(
            "property",
            "set",
            project,
            "Colour",
            tag,
            "--images",
            ",".join(str(ids[p]) for p in examples),
        )
    by_tags = json.loads(
        run("group-by-tags", project, "Colour", "--min-similarity", "0", "--json").stdout
    )
    groups = {g["label"]: [m["path"] for m in g["members"]] for g in by_tags["groups"]}
    assert by_tags["algorithm"] == "by_tags" and by_tags["params"]["property"]
    assert sorted(p for paths in groups.values() for p in paths) == sorted(ids)
    assert {"red/1.jpg", "red/2.jpg"} <= set(groups["Red"])
    assert {"blue-1.png", "blue-2.png"} <= set(groups["Blue"])
