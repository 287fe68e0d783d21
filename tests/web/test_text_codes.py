"""Texts the server writes in English, in the user's language: each undo-history label and task
progress message (stored as it is) comes with the code of its template and its values; the
front-end knows exactly these codes and says the same as the server in English."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.web.conftest import Corpus, ok, wait_tasks

from corpuscope.services.text_codes import HISTORY_LABELS, TASK_MESSAGES, TextCodes

ROOT = Path(__file__).resolve().parents[2]


def test_each_change_made_over_http_comes_with_its_code(corpus: Corpus) -> None:
    ids = ok(corpus.post("/images/ids", {"sort": {"key": "path"}}))["ids"]
    prop = ok(corpus.post("/properties", {"name": "Kind", "type": "multi_tags"}), 201)["id"]
    ok(corpus.patch(f"/properties/{prop}", {"name": "Forme"}))
    vase = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Vase"}), 201)
    jar = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Jar to be"}), 201)
    cup = ok(corpus.post(f"/properties/{prop}/tags", {"name": "Cup"}), 201)
    ok(corpus.post(f"/properties/{prop}/values/set", {"ids": ids[:3], "value": [vase["id"]]}))
    ok(corpus.post(f"/properties/{prop}/values/add-tags", {"ids": ids[:1], "tags": [cup["id"]]}))
    ok(corpus.patch(f"/tags/{cup['id']}", {"name": "Cups"}))
    ok(corpus.patch(f"/tags/{jar['id']}", {"name": "Jar to be to"}))  # two readings: no code
    ok(corpus.post(f"/tags/{vase['id']}/merge", {"others": [cup["id"]]}))

    entries = ok(corpus.get("/history"))["entries"]
    coded = [(e["label"], e["code"], e["params"]) for e in reversed(entries)]
    assert coded == [
        ("create property Kind", "history.create_property", {"name": "Kind"}),
        (
            "rename property Kind to Forme",
            "history.rename_property",
            {"old": "Kind", "new": "Forme"},
        ),
        ("create tag Vase", "history.create_tag", {"name": "Vase"}),
        ("create tag Jar to be", "history.create_tag", {"name": "Jar to be"}),
        ("create tag Cup", "history.create_tag", {"name": "Cup"}),
        ("set Forme on 3 images", "history.set_values", {"property": "Forme", "count": 3}),
        ("tag 1 images in Forme", "history.tag_images", {"count": 1, "property": "Forme"}),
        ("rename tag Cup to Cups", "history.rename_tag", {"old": "Cup", "new": "Cups"}),
        ("rename tag Jar to be to Jar to be to", None, {}),
        ("merge Cups into Vase", "history.merge_tags", {"tags": "Cups", "survivor": "Vase"}),
    ]

    # undo and redo answer the entry with its code too; the stored label is unchanged
    undone = ok(corpus.post("/undo", {}))["entry"]
    assert (undone["label"], undone["code"]) == ("merge Cups into Vase", "history.merge_tags")
    assert ok(corpus.post("/redo", {}))["entry"]["params"] == {"tags": "Cups", "survivor": "Vase"}


def test_a_label_fits_one_template_one_way_or_gets_no_code() -> None:
    assert HISTORY_LABELS.compute("save clustering 12 as Familles") == (
        "history.save_clustering",
        {"run": 12, "name": "Familles"},
    )
    assert HISTORY_LABELS.compute("merge A, B into C") == (
        "history.merge_tags",
        {"tags": "A, B", "survivor": "C"},
    )
    assert HISTORY_LABELS.compute("merge A into B into C") is None  # which is the survivor?
    assert HISTORY_LABELS.compute("set the parents of X on 3 images") == (  # the most literal
        "history.set_parents",
        {"tag": "X on 3 images"},
    )
    assert HISTORY_LABELS.compute("tag 1,200 images in Style") == (
        "history.tag_images",
        {"count": 1200, "property": "Style"},
    )
    assert HISTORY_LABELS.compute("set Style on some images") is None
    assert HISTORY_LABELS.compute("accept into Vases › Amphores") is None  # written by the client
    assert HISTORY_LABELS.compute("import values from CSV") == ("history.import_csv", {})


def test_a_task_comes_with_its_message_code(corpus: Corpus) -> None:
    [task] = ok(corpus.get("/tasks"))["tasks"]
    assert task["kind"] == "import" and task["message"] == "importing photos"
    assert (task["message_code"], task["message_params"]) == (
        "task.importing",
        {"folder": "photos"},
    )
    ok(corpus.post("/vectors", {}), 202)
    vectors = next(t for t in wait_tasks(corpus.client, corpus.pid) if t["kind"] == "vectors")
    model = vectors["params"]["model"]
    assert (vectors["message_code"], vectors["message_params"]) == (
        "task.vectors",
        {"model": model},
    )


def test_task_messages_read_back_regardless_of_case() -> None:
    assert TASK_MESSAGES.compute("loading vectors") == ("task.loading_vectors", {})
    assert TASK_MESSAGES.compute("Clustering 12,345 images") == (
        "task.clustering",
        {"count": 12345},
    )
    assert TASK_MESSAGES.compute("importing photos, 3 errors") == (  # the most literal wins
        "task.importing_errors",
        {"folder": "photos", "errors": 3},
    )
    assert TASK_MESSAGES.compute("Computing something new") is None


def _front_end_codes(path: str, prefix: str) -> set[str]:
    table = (ROOT / "frontend" / "src" / path).read_text()
    return set(re.findall(rf'^  "({prefix}\.[a-z_]+)":', table, re.M))


def _says_the_same_in_english(codes: TextCodes, key: str) -> None:
    english = json.loads((ROOT / "frontend" / "messages" / "en.json").read_text())
    for code, template in codes.templates.items():
        message = english[f"{key}_{code.split('.', 1)[1]}"]
        text = message if isinstance(message, str) else message[0]["match"]
        if not isinstance(text, str):
            text = next(value for name, value in text.items() if name.endswith("=*"))
        assert re.sub(r"\{(\w+)Text\}", r"{\1}", text) == template, code


def test_the_front_end_knows_exactly_the_codes_and_says_the_same_in_english() -> None:
    assert _front_end_codes("i18n/historyLabels.ts", "history") == set(HISTORY_LABELS.templates)
    assert _front_end_codes("tasks/taskMessages.ts", "task") == set(TASK_MESSAGES.templates)
    _says_the_same_in_english(HISTORY_LABELS, "history_label")
    _says_the_same_in_english(TASK_MESSAGES, "task_message")


def test_every_undo_label_written_reads_back_to_its_code_and_values() -> None:
    for code, template in HISTORY_LABELS.templates.items():
        fields = re.findall(r"\{(\w+)\}", template)
        params: dict[str, str | int] = {
            name: 1234 if name in {"count", "run"} else f"Name {i}" for i, name in enumerate(fields)
        }
        assert HISTORY_LABELS.compute(HISTORY_LABELS.write(code, **params)) == (code, params)
