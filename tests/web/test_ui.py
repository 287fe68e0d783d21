"""The UI at ``/``: the built front-end when present, a placeholder otherwise; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import make_client


def test_a_placeholder_page_without_a_built_front_end(tmp_path: Path) -> None:
    with make_client(tmp_path, static_dir=tmp_path / "not-built") as client:
        response = client.get("/")
        assert response.status_code == 200 and "corpuscope" in response.text
        assert "/openapi.json" in response.text
        assert client.get("/openapi.json").json()["info"]["title"] == "corpuscope"


@pytest.fixture
def spa(tmp_path: Path) -> TestClient:
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text("<html>the app</html>")
    (static / "assets" / "app.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("do not serve")
    return make_client(tmp_path, static_dir=static)


def test_the_built_front_end_is_served(spa: TestClient) -> None:
    with spa:
        assert spa.get("/").text == "<html>the app</html>"
        assert spa.get("/assets/app.js").text == "console.log('hi')"
        assert spa.get("/project/abc/grid").text == "<html>the app</html>"  # client routes
        assert spa.get("/assets/missing.js").status_code == 404
        assert spa.get("/api/nothing").json() == {"detail": "There is no route /api/nothing."}


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"],
)
def test_the_front_end_folder_cannot_be_escaped(spa: TestClient, path: str) -> None:
    with spa:
        response = spa.get(path)
        assert "do not serve" not in response.text
