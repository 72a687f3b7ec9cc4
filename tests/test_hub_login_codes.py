"""Login codes on a real classroom hub (``OWUI_LAB_LOGIN_CODES=1``): JupyterHub with the first-use
authenticator, logged in to through its own login form, as a learner's browser does.

A name's first password is the code the instructor hands out, so a classmate who arrives first cannot claim
it; the code itself logs its learner in. No learner server is started (the classroom tests do that).
"""

from __future__ import annotations

import re
import secrets

import pytest

from .conftest import live_required
from bench.classroom_hub import Hub, hub_problem

pytestmark = [pytest.mark.usefixtures("docker_daemon"), pytest.mark.slow, pytest.mark.timeout(300)]


def _login(hub: Hub, name: str, password: str) -> bool:
    """Whether the hub's login form takes ``name`` and ``password`` (a redirect into the hub, not the form again)."""
    import requests

    with requests.Session() as session:
        form = session.get(f"{hub.url}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
        answer = session.post(f"{hub.url}/hub/login", timeout=60, allow_redirects=False,
                              data={"username": name, "password": password, **({"_xsrf": xsrf[1]} if xsrf else {})})
        return answer.status_code == 302 and "/hub/login" not in answer.headers.get("Location", "")


def test_a_learner_logs_in_with_their_code_and_nobody_claims_a_name_first(tmp_path):
    problem = hub_problem()
    if problem:
        if live_required():
            pytest.fail(f"a live part is missing in CI: {problem}", pytrace=False)
        pytest.skip(f"{problem}; in CI this is a failure")
    hub = Hub(tmp_path, ["ada", "bea"])
    teacher = secrets.token_hex(16)
    hub.env.update({"OWUI_LAB_AUTHENTICATOR": "first-use", "OWUI_LAB_LOGIN_CODES": "1",
                    "OWUI_LAB_INSTRUCTOR_PASSWORD": teacher})
    try:
        hub.start()
        codes = dict(line.split("\t") for line in (tmp_path / "state" / "login-codes.txt").read_text().splitlines())
        assert set(codes) == {"ada", "bea"}, codes  # the learners; the instructor's password is their own
        assert not _login(hub, "bea", "a-classmate-got-here-first")
        assert _login(hub, "bea", codes["bea"])
        assert not _login(hub, "ada", codes["bea"])  # a code is one learner's
        assert _login(hub, hub.instructor, teacher)
        assert "new login codes" in hub.log_path.read_text(errors="replace")
    finally:
        left = hub.stop()
    assert not left, left
