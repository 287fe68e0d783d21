"""Safety: local by default, token elsewhere, no cross-site writes, bounded bodies, JSON errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import error, make_client, ok

from corpuscope.errors import InvalidInput
from corpuscope.web import Settings, create_app
from corpuscope.web.security import CONTENT_SECURITY_POLICY, cookie_name

TOKEN = "correct-horse-battery"
COOKIE = cookie_name(8765)


@pytest.fixture
def remote(tmp_path: Path) -> Iterator[TestClient]:
    """An app bound to every interface, so it needs its token."""
    app = create_app(Settings(host="0.0.0.0", token=TOKEN, home=tmp_path / "home"))
    with TestClient(app, base_url="http://192.168.1.20:8765") as client:
        yield client


def test_binding_beyond_localhost_needs_a_token(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="token"):
        create_app(Settings(host="0.0.0.0", home=tmp_path, token=None))
    with pytest.raises(InvalidInput, match="8 characters"):
        create_app(Settings(host="0.0.0.0", token="short", home=tmp_path))
    with pytest.raises(InvalidInput, match="only letters, digits"):
        create_app(Settings(token="semi;colon=cookie", home=tmp_path))


def test_the_token_is_checked_on_every_api_request(remote: TestClient) -> None:
    assert "access token" in error(remote.get("/api/projects"), 401)
    assert remote.get("/api/projects").headers["www-authenticate"] == "Bearer"
    assert remote.get("/api/projects").json()["code"] == "token.needed"  # said in the UI's language
    error(remote.get("/api/projects", headers={"Authorization": "Bearer wrong-token-here"}), 401)
    error(remote.get("/api/projects", headers={"Authorization": f"Basic {TOKEN}"}), 401)
    error(remote.get("/api/models", headers={"Cookie": f"{COOKIE}=wrong"}), 401)
    error(remote.get("/api/projects", headers={"Cookie": "=;;;\x7f"}), 401)
    assert ok(remote.get("/api/projects", headers={"Authorization": f"Bearer {TOKEN}"}))
    assert remote.get("/").status_code == 200  # the page itself holds no data
    assert remote.get("/openapi.json").status_code == 200


def test_the_token_link_sets_a_cookie_and_drops_the_token_from_the_address(
    remote: TestClient,
) -> None:
    error(remote.get("/?token=nope", follow_redirects=False), 401)
    response = remote.get(f"/?token={TOKEN}&view=grid", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/?view=grid"
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert ok(remote.get("/api/projects", headers={"Cookie": f"{COOKIE}={TOKEN}"}))
    assert ok(remote.get("/api/projects"))["projects"] == []  # the client kept the cookie


def test_a_token_is_the_default_even_on_localhost(tmp_path: Path) -> None:
    first, second = Settings(home=tmp_path), Settings(home=tmp_path)
    assert first.token and second.token and first.token != second.token
    assert len(first.token) >= 32
    with TestClient(create_app(first), base_url="http://localhost:8765") as client:
        assert "access token" in error(client.get("/api/projects"), 401)
        headers = {"Authorization": f"Bearer {first.token}"}
        assert ok(client.get("/api/projects", headers=headers)) == {"projects": [], "start": None}
        error(client.get("/api/projects", headers={"Authorization": f"Bearer {second.token}"}), 401)


def test_each_port_has_its_own_cookie(tmp_path: Path) -> None:
    """Browsers share cookies between the ports of a host: two servers must not mix tokens."""
    settings = Settings(home=tmp_path, token=TOKEN, port=9001)
    with TestClient(create_app(settings), base_url="http://localhost:9001") as client:
        response = client.get(f"/?token={TOKEN}", follow_redirects=False)
        assert response.headers["set-cookie"].startswith(f"{cookie_name(9001)}={TOKEN};")
        error(client.get("/api/models", headers={"Cookie": f"{COOKIE}={TOKEN}"}), 401)
        assert ok(client.get("/api/models", headers={"Cookie": f"{cookie_name(9001)}={TOKEN}"}))


@pytest.mark.parametrize(
    "path",
    ["//evil.example/", "///evil.example/x", "/\\evil.example/", "/%2F%2Fevil.example/"],
)
def test_the_token_link_never_redirects_to_another_site(remote: TestClient, path: str) -> None:
    raw = f"{remote.base_url}{path}?token={TOKEN}"  # the path as sent, not read as a host
    response = remote.get(raw, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil.example" in location  # a path on this server, not another host


def test_every_response_carries_the_security_headers(remote: TestClient, tmp_path: Path) -> None:
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    responses = [
        remote.get("/"),
        remote.get("/openapi.json"),
        remote.get("/api/projects", headers=bearer),
        remote.get("/api/nothing", headers=bearer),  # 404
        remote.get("/api/projects"),  # 401 from the guard
        remote.get(f"/?token={TOKEN}", follow_redirects=False),  # 303
        remote.get("/", headers={"Host": "evil.example"}),  # 400 from the guard
    ]
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, response
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_a_local_server_answers_only_to_local_host_names(client: TestClient) -> None:
    assert ok(client.get("/api/projects", headers={"Host": "localhost:8765"}))
    assert ok(client.get("/api/projects", headers={"Host": "[::1]:8765"}))
    assert "host name" in error(client.get("/api/projects", headers={"Host": "evil.example"}), 400)
    assert "host name" in error(client.get("/", headers={"Host": "attacker.test:8765"}), 400)


def test_writes_from_another_site_are_refused(client: TestClient, tmp_path: Path) -> None:
    body = {"path": str(tmp_path / "p"), "create": True}
    evil = {"Origin": "http://evil.example"}
    assert "another web site" in error(client.post("/api/projects", json=body, headers=evil), 403)
    assert not (tmp_path / "p").exists()
    same = {"Origin": "http://127.0.0.1"}
    assert ok(client.post("/api/projects", json=body, headers=same))["name"] == "p"
    assert ok(client.get("/api/projects", headers=evil))  # reads are harmless without CORS


def test_there_is_no_cors(client: TestClient) -> None:
    response = client.options(
        "/api/projects",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-origin" not in client.get("/api/projects").headers


def test_bodies_are_bounded(tmp_path: Path) -> None:
    with make_client(tmp_path, max_body_bytes=2048) as client:
        big = {"path": "/" + "x" * 5000}
        assert "larger than" in error(client.post("/api/projects", json=big), 413)

        def chunks() -> Iterator[bytes]:
            yield b'{"path": "/'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        response = client.post(
            "/api/projects", content=chunks(), headers={"content-type": "application/json"}
        )
        error(response, 413)
        assert ok(client.post("/api/projects", json={"path": str(tmp_path / "p"), "create": True}))


@pytest.mark.parametrize(
    ("content", "content_type", "words"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b"", "application/json", "needs a JSON body"),
        (b'{"path": 3}', "application/json", "path"),
        (b'["a"]', "application/json", "body"),
        (b'{"path": "/tmp"}', "text/plain", "body"),
        (b'{"path": "\\ud800"}', "application/json", "string"),
    ],
)
def test_malformed_requests_are_422_sentences(
    client: TestClient, content: bytes, content_type: str, words: str
) -> None:
    response = client.post("/api/projects", content=content, headers={"content-type": content_type})
    message = error(response, 422)
    assert words in message and message.endswith(".")


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert "no route" in error(client.get("/api/nothing-here"), 404)
    assert "not allowed" in error(client.delete("/api/projects"), 405)


def test_a_bug_is_a_500_without_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuscope.web.routes import projects

    def broken() -> list[object]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(projects, "list_models", broken)
    message = error(client.get("/api/models"), 500)
    assert "secret" not in message and "log" in message
