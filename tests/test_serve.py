"""``crmgraph serve --workers 2``: two processes on one port, revocation seen by both, clean shutdown."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is the answer: report its status


OPENER = urllib.request.build_opener(_NoRedirect)


def call(url: str, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> int:
    """One request on a new connection (so SO_REUSEPORT spreads them over the processes)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError:
        return 0  # not listening (yet)


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.fixture
def served(settings: Any, database: str) -> Any:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "CRMGRAPH_QUEUE": settings.queue_name,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOGIN_RATE_PER_IP": str(settings.login_rate_per_ip),
        "LOGIN_RATE_PER_EMAIL": str(settings.login_rate_per_email),
    }
    command = [sys.executable, "-m", "crmgraph.cli", "serve", "--workers", "2"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while call(f"{base}/healthz") != 200 or len(children(process.pid)) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "serve did not come up"
        time.sleep(0.2)
    yield process, base
    if process.poll() is None:
        process.kill()


def login(base: str, email: str) -> tuple[dict[str, str], str]:
    data = json.dumps({"email": email, "password": PASSWORD}).encode()
    request = urllib.request.Request(
        f"{base}/api/auth/login", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    return {"Authorization": f"Bearer {body['token']}"}, body["refreshToken"]


async def test_two_processes_answer_and_stop_cleanly(served, world):
    process, base = served
    workers = children(process.pid)
    assert len(workers) == 2
    auth, refresh = login(base, world.admin_email)
    # Many short connections: both processes serve (and cache) this principal.
    assert {call(f"{base}/api/auth/profile", auth) for _ in range(20)} == {200}
    logout = {**auth, "Cookie": f"session_token={refresh}"}
    assert call(f"{base}/api/auth/logout", logout, {}) == 302
    # Revoked for every process on the very next request.
    assert {call(f"{base}/api/auth/profile", auth) for _ in range(20)} == {401}
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # stopped and reaped
