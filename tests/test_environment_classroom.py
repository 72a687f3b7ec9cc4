"""The mode cell on the classroom hub: "classroom", with live runs through the lab service."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from owui_lab import environment


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch):
    """A loopback HTTP server answering api/status as the lab service does, for one token."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append((self.path, self.headers.get("Authorization")))
            ok = self.headers.get("Authorization") == "token learner-token"
            body = json.dumps({"user": "ada", "instructor": False, "platform": "linux"} if ok else
                              {"error": "Log in to the hub first."}).encode()
            self.send_response(200 if ok else 403)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OWUI_LAB_CLASSROOM", "1")
    monkeypatch.setenv("OWUI_LAB_SERVICE_URL", f"http://127.0.0.1:{server.server_port}/services/owui-lab/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "learner-token")
    monkeypatch.delenv("OWUI_LAB_ON_BINDER", raising=False)
    yield seen
    server.shutdown()


def test_on_the_hub_the_mode_is_classroom_not_binder_and_linux_runs_live(service) -> None:
    mode = environment.detect(refresh=True)
    assert mode.kind == "classroom" and not mode.binder and mode.live
    assert mode.can_run("linux") and not mode.can_run("desktop")
    assert "Binder" not in str(mode) and "classroom" in mode.title.lower()
    assert "ada" in mode.detail and "Linux Docker engine" in mode.detail
    assert "Docker Desktop" in mode.why_not("desktop")
    assert 'data-mode="classroom"' in mode._repr_html_()
    assert service == [("/services/owui-lab/api/status", "token learner-token")]


def test_a_silent_service_means_prediction_only_and_says_so(service, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "someone-else")
    mode = environment.detect(refresh=True)
    assert mode.kind == "classroom" and not mode.live and not mode.can_run("linux")
    assert "lab service does not answer" in mode.why_not("linux")
    monkeypatch.delenv("OWUI_LAB_CLASSROOM")
    environment.detect(refresh=True)  # leave the cache as other tests expect it
