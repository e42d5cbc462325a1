"""Smoke test: the real Worker under `wrangler dev --local` (workerd) in front of a backend on loopback.

Needs `npm ci` in edge/ (wrangler 4.86.0). Without it the test is skipped locally and fails when CI is set.
To put the real Flask app behind the edge, change only the `backend_app` fixture.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

EDGE_DIR = Path(__file__).resolve().parents[2] / "edge"
WRANGLER_BIN = EDGE_DIR / "node_modules" / ".bin" / "wrangler"
READY_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 10.0
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzbW9rZSJ9.c2ln"
REFRESH_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ0eXBlIjoicmVmcmVzaCJ9.c2ln"

if not WRANGLER_BIN.exists() or shutil.which("npx") is None:
    reason = "wrangler is not installed: run `npm ci` in edge/ (needs Node.js 20 and npx)"
    if os.environ.get("CI"):
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)


def tiny_backend(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Stand in for the Flask app: a login that sets the two auth cookies the way a backend might."""
    request = Request(environ)
    if request.method == "POST" and request.path == "/api/v1/tenant/auth/login":
        response = Response(json.dumps({"user": "smoke"}), content_type="application/json")
        response.headers.add("Set-Cookie", f"access_token={ACCESS_TOKEN}; Max-Age=900; Path=/")
        response.headers.add("Set-Cookie", f"refresh_token={REFRESH_TOKEN}; Max-Age=2592000; Path=/; SameSite=Lax")
        response.headers["X-Powered-By"] = "Flask"
    else:
        response = Response("not found", status=404)
    return response(environ, start_response)


@dataclass
class RecordingBackend:
    """A WSGI app served on loopback that records what reached it."""

    url: str
    seen: list[dict[str, Any]] = field(default_factory=list)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def backend_app() -> Any:
    """Return the WSGI app the edge proxies to (swap in the real Flask app here)."""
    return tiny_backend


@pytest.fixture(scope="module")
def backend(backend_app: Any) -> Iterator[RecordingBackend]:
    """Serve backend_app on 127.0.0.1 in a thread, recording each request's headers and body."""
    port = free_port()
    recorder = RecordingBackend(url=f"http://127.0.0.1:{port}")

    def recording(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        recorder.seen.append({"path": request.path, "headers": dict(request.headers), "body": request.get_data()})
        return backend_app(environ, start_response)  # type: ignore[no-any-return]

    server = make_server("127.0.0.1", port, recording, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        thread.join(timeout=STOP_TIMEOUT_SECONDS)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Wait until the port accepts connections, failing early if the process died."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"wrangler exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"wrangler not ready after {READY_TIMEOUT_SECONDS} s:\n{log_path.read_text(errors='replace')}")


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stop wrangler and its workerd children: SIGTERM to the group, SIGKILL if it lingers."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    try:  # workerd children may outlive the npx wrapper: sweep the group once more
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module", params=["development", "production"])
def edge(
    request: pytest.FixtureRequest, backend: RecordingBackend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int]]:
    """Run `wrangler dev --local` for one environment in front of the backend; yield (environment, port)."""
    environment: str = request.param
    port, inspector_port = free_port(), free_port()
    work = tmp_path_factory.mktemp(f"wrangler-{environment}")
    log_path = work / "wrangler.log"
    child_env = {
        **os.environ,
        "WRANGLER_SEND_METRICS": "false",  # no telemetry
        "CLOUDFLARE_CF_FETCH_ENABLED": "false",  # miniflare would otherwise fetch request.cf data from the internet
        "WRANGLER_LOG_PATH": str(work / "logs"),
        "NO_COLOR": "1",
    }
    command = [
        "npx", "--no", "wrangler", "dev", "--local",
        "--ip", "127.0.0.1", "--port", str(port), "--inspector-port", str(inspector_port),
        "--var", f"BACKEND_URL:{backend.url}", "--var", f"GESTIQ_ENV:{environment}",
        "--var", "BACKEND_TIMEOUT_MS:10000",
        "--persist-to", str(work / "state"),
        "--show-interactive-dev-session=false", "--log-level", "info",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=EDGE_DIR, env=child_env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, process, log_path)
        yield environment, port
    finally:
        stop_process_group(process)


def call(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[
    int, list[tuple[str, str]], bytes
]:
    """Send one request to the edge and return status, raw header list and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def values(headers: list[tuple[str, str]], name: str) -> list[str]:
    """Return every value of a header, in order."""
    return [value for header, value in headers if header.lower() == name.lower()]


EXPECTED_COOKIES = {
    "development": [
        f"access_token={ACCESS_TOKEN}; Max-Age=900; Path=/; HttpOnly; SameSite=Lax",
        f"refresh_token={REFRESH_TOKEN}; Max-Age=2592000; Path=/api/v1/tenant/auth; HttpOnly; SameSite=Lax",
    ],
    "production": [
        f"access_token={ACCESS_TOKEN}; Max-Age=900; Domain=gestiqcloud.com; Path=/; Secure; HttpOnly; SameSite=Lax",
        f"refresh_token={REFRESH_TOKEN}; Max-Age=2592000; Domain=gestiqcloud.com; Path=/api/v1/tenant/auth; "
        "Secure; HttpOnly; SameSite=None; Partitioned",
    ],
}
ORIGINS = {"development": "http://localhost:5173", "production": "https://acme.gestiqcloud.com"}


def test_login_cookies_are_hardened_and_request_id_reaches_backend(
    edge: tuple[str, int], backend: RecordingBackend
) -> None:
    """Harden the login cookies per policy and carry the client's request id to the backend and back."""
    environment, port = edge
    before = len(backend.seen)
    payload = b'{"email":"ana@acme.test","password":"pw"}'
    status, headers, body = call(
        port, "POST", "/api/v1/tenant/auth/login",
        {"Origin": ORIGINS[environment], "X-Request-ID": f"smoke-{environment}-0001",
         "Content-Type": "application/json", "X-Forwarded-For": "198.51.100.66"},
        payload,
    )
    assert status == 200
    assert json.loads(body) == {"user": "smoke"}
    assert values(headers, "Set-Cookie") == EXPECTED_COOKIES[environment]
    assert values(headers, "X-Request-ID") == [f"smoke-{environment}-0001"]
    assert values(headers, "Access-Control-Allow-Origin") == [ORIGINS[environment]]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]
    assert values(headers, "Vary") == ["Origin"]
    assert values(headers, "X-Content-Type-Options") == ["nosniff"]
    assert values(headers, "X-Powered-By") == []
    assert values(headers, "Server") == []
    expected_hsts = [] if environment == "development" else ["max-age=31536000; includeSubDomains"]
    assert values(headers, "Strict-Transport-Security") == expected_hsts
    assert len(backend.seen) == before + 1
    seen = backend.seen[-1]
    assert seen["path"] == "/api/v1/tenant/auth/login"
    assert seen["body"] == payload
    assert seen["headers"]["X-Request-Id"] == f"smoke-{environment}-0001"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert seen["headers"]["X-Forwarded-Proto"] == "http"
    assert seen["headers"]["X-Forwarded-Host"] == f"127.0.0.1:{port}"


def test_invalid_request_id_is_replaced_and_forwarded(edge: tuple[str, int], backend: RecordingBackend) -> None:
    """Replace a malformed request id by a UUID4 that both the backend and the client see."""
    _, port = edge
    status, headers, _ = call(port, "POST", "/api/v1/tenant/auth/login", {"X-Request-ID": "bad id"}, b"{}")
    assert status == 200
    [echoed] = values(headers, "X-Request-ID")
    assert UUID4.fullmatch(echoed)
    assert backend.seen[-1]["headers"]["X-Request-Id"] == echoed


def test_preflight_is_answered_at_the_edge(edge: tuple[str, int], backend: RecordingBackend) -> None:
    """Answer an allowed preflight with 204 and a foreign one with 403, neither reaching the backend."""
    environment, port = edge
    before = len(backend.seen)
    status, headers, body = call(
        port, "OPTIONS", "/api/v1/tenant/auth/login",
        {"Origin": ORIGINS[environment], "Access-Control-Request-Method": "POST",
         "Access-Control-Request-Headers": "content-type,x-csrf-token"},
    )
    assert (status, body) == (204, b"")
    assert values(headers, "Access-Control-Allow-Origin") == [ORIGINS[environment]]
    assert values(headers, "Access-Control-Max-Age") == ["600"]
    status, headers, body = call(
        port, "OPTIONS", "/api/v1/tenant/auth/login",
        {"Origin": "https://gestiqcloud.com.evil.com", "Access-Control-Request-Method": "POST"},
    )
    assert status == 403
    assert values(headers, "Content-Type") == ["application/problem+json"]
    assert values(headers, "Access-Control-Allow-Origin") == []
    problem = json.loads(body)
    assert problem["status"] == 403
    assert problem["type"] == "https://gestiqcloud.com/problems/edge/cors-origin-not-allowed"
    assert problem["request_id"] == values(headers, "X-Request-ID")[0]
    assert len(backend.seen) == before
