"""Error kinds and codes: a status per kind, and the codes the front-end translates, with their
params, in the API's error bodies."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, get_args

from fastapi.testclient import TestClient
from tests.web.conftest import Corpus, error, ok

from corpuscope.cli import EXIT_CODE_OF_KIND
from corpuscope.errors import Kind
from corpuscope.web.errors import STATUS_OF_KIND

ROOT = Path(__file__).resolve().parents[2]


def coded(response: Any, status: int) -> tuple[str, dict[str, Any]]:
    """The code and params of an error response (which keeps its English ``detail``)."""
    error(response, status)
    body = response.json()
    assert set(body) == {"detail", "code", "params"}, body
    return body["code"], body["params"]


def test_every_kind_has_a_status_and_an_exit_code() -> None:
    assert set(STATUS_OF_KIND) == set(get_args(Kind)) == set(EXIT_CODE_OF_KIND)
    assert all(400 <= status < 500 for status in STATUS_OF_KIND.values())
    assert 0 not in EXIT_CODE_OF_KIND.values() and 1 not in EXIT_CODE_OF_KIND.values()


def test_codes_and_params_over_http(corpus: Corpus, client: TestClient) -> None:
    ok(corpus.post("/properties", {"name": "Style", "type": "multi_tags"}), 201)
    assert coded(corpus.post("/properties", {"name": "Style", "type": "text"}), 409) == (
        "property.exists",
        {"name": "Style"},
    )
    vase = ok(corpus.post("/properties/1/tags", {"name": "Vase"}), 201)
    jar = ok(corpus.post("/properties/1/tags", {"name": "Jar", "parents": [vase["id"]]}), 201)
    assert coded(corpus.post("/properties/1/tags", {"name": "Vase"}), 409) == (
        "tag.exists",
        {"property": "Style", "name": "Vase"},
    )
    assert coded(corpus.patch(f"/tags/{jar['id']}", {"name": "Vase"}), 409) == (
        "tag.exists",
        {"property": "Style", "name": "Vase"},
    )
    cycle = corpus.post(f"/tags/{vase['id']}/parents", {"parent_id": jar["id"]})
    assert coded(cycle, 409) == ("tag.cycle", {"tag": "Vase", "parent": "Jar"})
    assert coded(corpus.patch("/tags/999", {"name": "X"}), 404) == ("tag.not_found", {"id": 999})
    assert coded(corpus.post(f"/tags/{vase['id']}/merge", {"others": [vase["id"]]}), 422) == (
        "tag.merge_needs_two",
        {},
    )
    assert coded(corpus.delete("/properties/77"), 404) == ("property.not_found", {"property": 77})
    assert coded(corpus.get("/images/4242"), 404) == ("image.not_found", {"id": 4242})
    missing = corpus.post("/properties/1/values/set", {"ids": [4242], "value": ["Vase"]})
    assert coded(missing, 404) == ("image.not_found", {"id": "4242"})
    no_vectors = corpus.post("/runs", {"algorithm": "kmeans", "k": 2})
    code, params = coded(no_vectors, 404)
    assert code == "vectors.missing" and params["model"]
    assert coded(client.get("/api/projects/0123456789ab"), 404) == (
        "project.not_open",
        {"project": "0123456789ab"},
    )


def test_an_error_without_a_code_has_only_its_sentence(corpus: Corpus) -> None:
    response = corpus.post(
        "/runs", {"algorithm": "duplicates", "within": {"run_id": 1, "group_id": 1}}
    )
    error(response, 422)
    assert set(response.json()) == {"detail"}


def _emitted_codes() -> set[str]:
    """Every ``code="..."`` given to an error in the source."""
    found: set[str] = set()
    for path in (ROOT / "src" / "corpuscope").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "code"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
    return found


def test_the_back_end_emits_exactly_the_codes_the_front_end_translates() -> None:
    """The contract of docs/i18n.md: each code in the front-end's table is sent by the server
    somewhere, and the server sends no code the front-end does not know."""
    known = set(re.findall(r'^  "([a-z_]+\.[a-z_]+)":', _front_end_table(), re.M))
    assert len(known) >= 14
    assert _emitted_codes() == known


def _front_end_table() -> str:
    return (ROOT / "frontend" / "src" / "i18n" / "apiErrors.ts").read_text()
