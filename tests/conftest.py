"""Shared test setup: the ``docker``, ``browser`` and ``openwebui`` markers, given by the fixtures.

Locally, a test marked ``docker`` skips with a reason when no daemon answers, and one marked
``browser`` skips when Chromium or Playwright is missing. With ``CI=true`` (or ``OWUI_LAB_REQUIRE_LIVE=1``)
a missing daemon or browser is a failure instead: a live test that silently skips proves nothing.
A test marked ``openwebui`` needs a real Open WebUI install (``OWUI_LAB_OPENWEBUI``) and follows the
same rule.
"""

from __future__ import annotations

import os
import shutil
from functools import lru_cache
from pathlib import Path

import pytest

from bench.servers import CHROMIUM
from owui_lab.errors import OwuiLabError


def live_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("OWUI_LAB_REQUIRE_LIVE") == "1"


@lru_cache(maxsize=1)
def docker_problem() -> str | None:
    """Why no Docker daemon can be used, or None when one answers."""
    from owui_lab import docker_api

    try:  # the kit's own client: its message says what to do (start Docker, join the docker group, ...)
        docker_api.client(timeout=5).close()
    except OwuiLabError as exc:
        return f"no Docker daemon the kit can use: {exc}"
    except Exception as exc:  # noqa: BLE001 - any other failure means "no usable daemon" too
        return f"no Docker daemon answers ({exc.__class__.__name__}: {exc})"
    return None


@lru_cache(maxsize=1)
def browser_problem() -> str | None:
    """Why no browser can be driven, or None when Chromium and Playwright are here."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        return f"Chromium is not at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright)"
    return None


AXE_CORE = Path(__file__).resolve().parent / "support" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@lru_cache(maxsize=1)
def axe_problem() -> str | None:
    """Why axe-core cannot be injected into a page, or None when its npm package is installed."""
    if not AXE_CORE.is_file():
        return f"axe-core is not installed at {AXE_CORE} (.ci/run: npm ci --prefix tests/support/axe)"
    return browser_problem()


OPENWEBUI = os.environ.get("OWUI_LAB_OPENWEBUI", "/opt/owui-lab/openwebui-venv/bin/open-webui")


@lru_cache(maxsize=1)
def openwebui_problem() -> str | None:
    """Why no real Open WebUI can be run, or None when its ``open-webui`` executable is here."""
    if not os.access(OPENWEBUI, os.X_OK):
        return (f"no Open WebUI at {OPENWEBUI} (set OWUI_LAB_OPENWEBUI; .ci/run installs "
                "torch==2.13.0 then open-webui==0.12.4 into /opt/owui-lab/openwebui-venv)")
    with open(OPENWEBUI, "rb") as script:  # its venv's python may be out of this user's reach (root's pyenv)
        first = script.readline()
    interpreter = first[2:].split()[0].decode() if first.startswith(b"#!") and first[2:].split() else None
    if interpreter and not os.access(interpreter, os.X_OK):
        return f"{OPENWEBUI} runs {interpreter}, which this user cannot run (another user's install?)"
    return None


#: The markers come from the fixtures that need them: a test that uses one of these fixtures (directly
#: or through another fixture) carries the marker, so ``-m "not docker"`` deselects it and a missing
#: daemon skips it locally and fails it in CI. No test file marks ``docker``/``browser`` by hand.
FIXTURE_MARKERS = {
    "docker_daemon": "docker",
    "standin_image": "docker",
    "chromium_path": "browser",
    "openwebui_executable": "openwebui",
    "axe_core": "axe",
}


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection reads the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        for marker, problem in (("docker", docker_problem), ("browser", browser_problem),
                                ("openwebui", openwebui_problem), ("axe", axe_problem)):
            if marker in item.keywords:
                why = problem()
                if why is None:
                    continue
                if live_required():
                    item.add_marker(pytest.mark.usefixtures("_live_part_missing"))
                    item.user_properties.append(("live_missing", why))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"{why}; in CI this is a failure"))


@pytest.fixture
def docker_daemon():
    """A Docker client of the kit (``docker_api.client``) for a test that needs the daemon; closed after."""
    from owui_lab import docker_api

    cli = docker_api.client(timeout=30)
    try:
        yield cli
    finally:
        cli.close()


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium, for Playwright (never ``playwright install``)."""
    return CHROMIUM


@pytest.fixture
def axe_core(chromium_path: str) -> Path:
    """axe-core's ``axe.min.js`` (npm, pinned; ``tests/support/axe.py`` injects it with Playwright).

    It needs the browser too: a test that asks for it is marked ``browser`` as well (``make test-fast``).
    """
    return AXE_CORE


@pytest.fixture
def openwebui_executable() -> str:
    """The ``open-webui`` executable of a real Open WebUI install (``OWUI_LAB_OPENWEBUI``)."""
    return OPENWEBUI


@pytest.fixture
def standin_image(docker_daemon) -> str:
    """The stand-in image's name (``OWUI_LAB_IMAGE``, default the offline one), once it is here.

    Missing, it skips locally and fails in CI: scripts/build-offline-image.sh builds it.
    """
    import docker

    image = os.environ.get("OWUI_LAB_IMAGE", "owui-lab/python:offline")
    try:
        docker_daemon.images.get(image)
    except docker.errors.ImageNotFound:
        message = f"the stand-in image {image} is missing (scripts/build-offline-image.sh builds it)"
        if live_required():
            pytest.fail(message)
        pytest.skip(message)
    return image


@pytest.fixture
def _live_part_missing(request: pytest.FixtureRequest) -> None:
    why = "; ".join(v for k, v in request.node.user_properties if k == "live_missing")
    pytest.fail(f"a live part is missing in CI: {why}", pytrace=False)


# ---- Docker objects left behind: checked at the end of the session (this run's objects only) ----
# Every kit object created by this test session (and by the CLI subprocesses it starts) carries
# io.owui-lab.run=<this id>, or an id derived from it (<this id>-<suffix>, for tests that need to
# find one subprocess's objects); other helpers' concurrent runs carry their own ids and are never
# looked at.
TEST_RUN_ID = os.environ.setdefault("OWUI_LAB_RUN", f"pytest-{os.getpid()}-{os.urandom(3).hex()}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if docker_problem() is not None:
        return
    from owui_lab import docker_api
    from owui_lab.lab import firewall, labelled_host_processes, stop_host_processes

    cli = docker_api.client()
    try:
        filters = docker_api.label_filters(everyone=True)  # this run's objects, whoever owns them

        def ours(labels: dict | None) -> bool:
            return (labels or {}).get(docker_api.LABEL_RUN, "").startswith(TEST_RUN_ID)

        containers = [c for c in cli.containers.list(all=True, filters=filters, ignore_removed=True) if ours(c.labels)]
        networks = [n for n in cli.networks.list(filters=filters) if ours(n.attrs.get("Labels"))]
        pids = labelled_host_processes(run_prefix=TEST_RUN_ID, everyone=True)
        rules = firewall.labelled_rules(run_prefix=TEST_RUN_ID)
        if containers or networks or pids or rules:
            left = [f"container:{c.name}" for c in containers] + [f"network:{n.name}" for n in networks]
            left += [f"host process {p}" for p in pids] + [f"iptables rule {r}" for r in rules]
            firewall.remove(rules)
            stop_host_processes(pids)
            for c in containers:
                c.remove(force=True)
            for n in networks:
                n.remove()
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            text = f"owui-lab objects left behind by this test run ({TEST_RUN_ID}), now removed: {', '.join(left)}"
            if reporter is not None:
                reporter.write_line(text, red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    finally:
        cli.close()
