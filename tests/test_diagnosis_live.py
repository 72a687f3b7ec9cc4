"""The doctor against real learner setups on this machine's Docker engine.

Each test builds a setup by hand, the way a learner does with Open WebUI's and Ollama's README
commands: UNLABELLED containers (a learner's, not the kit's) from the stand-in image tagged locally as
``ghcr.io/open-webui/open-webui:main`` and ``ollama/ollama:latest`` (tags only; nothing is pulled or
pushed), running the stand-ins, with the real images' ``ENV`` lines; and host Ollama stand-ins as
processes on this machine, bound to loopback or to all addresses on a free port (the doctor is told
that port instead of 11434). One setup per Linux pitfall learners report, plus the working ones.

The doctor examines only the containers under test (``doctor(containers=[...])``); afterwards the
learner's containers must be untouched (same ids, same state, same start time) and the doctor's
probe container gone. Everything a test creates is removed by the exact id it got, in a finally.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from owui_lab import standins
from bench.servers import free_port

pytestmark = pytest.mark.usefixtures("docker_daemon")

STANDIN = os.environ.get("OWUI_LAB_IMAGE", "owui-lab/python:offline")
WEBUI_IMAGE = "ghcr.io/open-webui/open-webui:main"
OLLAMA_IMAGE = "ollama/ollama:latest"
# The real images' ENV lines (open-webui's and ollama's Dockerfiles): a learner's container has them.
WEBUI_ENV = {"ENV": "prod", "PORT": "8080", "USE_OLLAMA_DOCKER": "false", "OLLAMA_BASE_URL": "/ollama",
             "OPENAI_API_BASE_URL": "", "WEBUI_SECRET_KEY": ""}
OLLAMA_ENV = {"OLLAMA_HOST": "0.0.0.0:11434"}


# --------------------------------------------------------------------------------------------------
# Fixtures: the tagged images, host Ollamas, a learner who builds setups
# --------------------------------------------------------------------------------------------------


def _docker(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=120)


@pytest.fixture(autouse=True)
def _probe_image(monkeypatch):
    """The doctor's probe container uses the stand-in image (the kit's OWUI_LAB_IMAGE), as in CI."""
    monkeypatch.setenv("OWUI_LAB_IMAGE", STANDIN)


@pytest.fixture(scope="module")
def cli():
    from owui_lab import docker_api

    client = docker_api.client()
    docker_api.ensure_image(client, STANDIN, progress=False)
    yield client
    client.close()


@pytest.fixture(scope="module")
def tagged(cli):
    """The stand-in image tagged as the two real images; tags made here are removed at the end."""
    made = []
    for tag in (WEBUI_IMAGE, OLLAMA_IMAGE):
        if _docker("image", "inspect", tag, check=False).returncode != 0:
            _docker("tag", STANDIN, tag)
            made.append(tag)
    yield
    for tag in made:
        _docker("rmi", "--no-prune", tag, check=False)  # only the tag; the stand-in image stays


@pytest.fixture(scope="module")
def host_ollamas():
    """Two native Ollama stand-ins: one on loopback only (the service's default), one on all addresses."""
    loop = standins.spawn("ollama", ["--bind", "127.0.0.1", "--port", "0", "--quiet"])
    every = standins.spawn("ollama", ["--bind", "0.0.0.0", "--port", "0", "--quiet"])
    try:
        yield {"loopback": loop.port, "all": every.port}
    finally:
        loop.stop()
        every.stop()


class Learner:
    """Builds a learner's setup with docker run / docker compose; remembers every id it created."""

    def __init__(self, cli) -> None:
        self.cli = cli
        self.suffix = secrets.token_hex(3)
        self.containers: list[str] = []
        self.networks: list[str] = []
        self.volumes: list[str] = []

    def name(self, base: str) -> str:
        return f"{base}-{self.suffix}"

    def network(self, base: str) -> str:
        name = self.name(base)
        self.networks.append(self.cli.networks.create(name).id)
        return name

    def webui(self, name: str, env: dict[str, str] | None = None, **kw: Any) -> str:
        merged = {**WEBUI_ENV, **(env or {})}
        return self._run(WEBUI_IMAGE, self.name(name), ["python3", "-c", standins.source("webui"), "serve", "--image", "--quiet"], merged, **kw)

    def ollama(self, name: str, env: dict[str, str] | None = None, **kw: Any) -> str:
        merged = {**OLLAMA_ENV, **(env or {})}
        return self._run(OLLAMA_IMAGE, self.name(name), ["python3", "-c", standins.source("ollama"), "--quiet"], merged, **kw)

    def _run(self, image: str, name: str, command: list[str], env: dict[str, str], **kw: Any) -> str:
        from owui_lab.docker_api import wait_listening

        c = self.cli.containers.run(image, command, name=name, environment=env, detach=True, init=True, **kw)
        self.containers.append(c.id)
        # a learner runs the doctor once the stack is up: wait (bounded) for the server to listen
        port = int(env.get("PORT", "8080")) if image == WEBUI_IMAGE else 11434
        wait_listening(c, "127.0.0.1" if image == WEBUI_IMAGE else "0.0.0.0", port, timeout=15)
        return name

    @contextmanager
    def compose(self, text: str) -> Iterator[str]:
        """``docker compose up -d`` of a compose file, as the docs' stack is started."""
        project = f"learner{self.suffix}{len(self.containers)}"
        folder = Path(tempfile.mkdtemp(prefix="owui-doctor-compose-"))
        (folder / "docker-compose.yaml").write_text(text)
        base = ["compose", "-p", project, "-f", str(folder / "docker-compose.yaml")]
        try:
            done = _docker(*base, "up", "-d", check=False)
            ids = _docker(*base, "ps", "-a", "-q", check=False).stdout.split()
            self.containers.extend(ids)
            for cid in ids:
                attrs = self.cli.api.inspect_container(cid)
                self.networks.extend(e["NetworkID"] for e in (attrs["NetworkSettings"]["Networks"] or {}).values())
                self.volumes.extend(m["Name"] for m in attrs.get("Mounts") or [] if m.get("Type") == "volume")
            assert done.returncode == 0, done.stderr
            from owui_lab.docker_api import wait_listening

            for cid in ids:  # as a learner does: run the doctor once the stack is up (compose up -d does not wait)
                c = self.cli.containers.get(cid)
                if c.attrs["Config"]["Image"] == WEBUI_IMAGE and c.status == "running":
                    wait_listening(c, "127.0.0.1", 8080, timeout=15)
            yield project
        finally:
            (folder / "docker-compose.yaml").unlink()
            folder.rmdir()

    def state(self) -> dict[str, tuple]:
        out = {}
        for cid in self.containers:
            a = self.cli.api.inspect_container(cid)
            out[cid] = (a["Name"], a["State"]["Status"], a["State"]["StartedAt"], a["RestartCount"], a["Config"]["Image"])
        return out

    def cleanup(self) -> None:
        for cid in dict.fromkeys(self.containers):
            try:
                self.cli.api.remove_container(cid, force=True, v=False)
            except Exception:  # noqa: BLE001 - already gone
                pass
        for nid in dict.fromkeys(self.networks):
            if nid in ("bridge",):
                continue
            try:
                net = self.cli.networks.get(nid)
                if net.name not in ("bridge", "host", "none"):
                    net.remove()
            except Exception:  # noqa: BLE001
                pass
        for vol in dict.fromkeys(self.volumes):
            try:
                self.cli.volumes.get(vol).remove(force=True)
            except Exception:  # noqa: BLE001
                pass


@pytest.fixture
def learner(cli, tagged):
    person = Learner(cli)
    try:
        yield person
    finally:
        person.cleanup()


def examine(learner: Learner, names: list[str], host_port: int, cli) -> Any:
    """Run the doctor on the learner's containers; check it touched nothing and left no probe."""
    from owui_lab.diagnosis import doctor

    before = learner.state()
    ids = [c for c in learner.containers]
    report = doctor(names or ids, host_port=host_port, timeout=3.0, client=cli)
    assert learner.state() == before, "the doctor changed a learner's container"
    leftovers = [
        c.name
        for c in cli.containers.list(all=True, filters={"label": "io.owui-lab.role=probe"})
        if (c.attrs.get("HostConfig") or {}).get("NetworkMode", "").split(":", 1)[-1] in ids
    ]
    assert leftovers == [], "the doctor's probe container was not removed"
    assert report.observed, report.text()
    return report


def all_fixes(report) -> str:
    return "\n".join(report.fixes)


# --------------------------------------------------------------------------------------------------
# Ollama on the host (Linux pitfalls #209, #7189, #3861) and host networking
# --------------------------------------------------------------------------------------------------


def test_209_loopback_ollama_via_host_gateway(learner, host_ollamas, cli):
    port = host_ollamas["loopback"]
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://host.docker.internal:{port}"},
                        ports={"8080/tcp": ("127.0.0.1", free_port())}, extra_hosts={"host.docker.internal": "host-gateway"})
    r = examine(learner, [web], port, cli)
    assert (r.outcome, r.scenario, r.reachable) == ("connection_refused", "linux-ollama-on-host", False)
    assert r.ollama["where"] == "host" and r.ollama["host"]["bind"] == "127.0.0.1"
    assert "systemctl edit ollama.service" in r.fixes[0] and f"OLLAMA_HOST=0.0.0.0:{port}" in r.fixes[0]
    assert r.check("browser").ok and not r.discrepancies


def test_209_fixed_ollama_on_all_addresses(learner, host_ollamas, cli):
    port = host_ollamas["all"]
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://host.docker.internal:{port}"},
                        ports={"8080/tcp": ("127.0.0.1", free_port())}, extra_hosts={"host.docker.internal": "host-gateway"})
    r = examine(learner, [web], port, cli)
    assert (r.outcome, r.scenario, r.reachable, r.fixes) == ("ok", "linux-ollama-on-host", True, [])
    assert r.ollama["host"]["bind"] == "0.0.0.0"
    ids = {f.id for f in r.findings}
    assert "host_ollama_all_addresses" in ids or any("firewall" in n or "ufw" in n for n in r.notes)


def test_7189_no_add_host(learner, host_ollamas, cli):
    port = host_ollamas["all"]
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://host.docker.internal:{port}"},
                        ports={"8080/tcp": ("127.0.0.1", free_port())})
    r = examine(learner, [web], port, cli)
    assert (r.outcome, r.scenario) == ("name_not_resolved", "linux-ollama-on-host")
    assert "--add-host=host.docker.internal:host-gateway" in r.fixes[0]
    assert r.urls[0]["observed"] == r.urls[0]["predicted"] == "name_not_resolved"


def test_3861_localhost_url_in_a_bridged_container(learner, host_ollamas, cli):
    port = host_ollamas["all"]
    host_port = free_port()
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://127.0.0.1:{port}"}, ports={"8080/tcp": host_port})
    r = examine(learner, [web], port, cli)
    assert (r.outcome, r.scenario) == ("connection_refused", "linux-ollama-on-host")
    assert "container itself" in r.check("reach").detail
    assert f"host.docker.internal:{port}" in all_fixes(r) or "--network=host" in all_fixes(r)
    assert "webui_published_all" in {f.id for f in r.findings}  # -p PORT:8080 is on every address


def test_host_network_with_loopback_ollama_works(learner, host_ollamas, cli):
    port = host_ollamas["loopback"]
    ui_port = free_port()
    # HOST=127.0.0.1 keeps the test's UI off the LAN (Open WebUI honours HOST; the default is 0.0.0.0)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://127.0.0.1:{port}", "PORT": str(ui_port), "HOST": "127.0.0.1"},
                        network_mode="host")
    r = examine(learner, [web], port, cli)
    assert (r.outcome, r.scenario, r.fixes) == ("ok", "linux-host-network", [])
    assert r.browser["url"] == f"http://localhost:{ui_port}" and r.browser["observed"] is True


# --------------------------------------------------------------------------------------------------
# Ollama in a container: compose, separate networks, URL mistakes
# --------------------------------------------------------------------------------------------------


def _compose(base_url: str, ollama_ports: str = "") -> str:
    env = {**WEBUI_ENV, "OLLAMA_BASE_URL": base_url}
    return (
        "services:\n"
        "  ollama:\n    image: ollama/ollama:latest\n    init: true\n"
        f"    command: {json.dumps(['python3', '-c', standins.source('ollama'), '--quiet'])}\n"
        f"    environment: {json.dumps(OLLAMA_ENV)}\n"
        f"    volumes: [\"ollama:/root/.ollama\"]\n{ollama_ports}"
        "  open-webui:\n    image: ghcr.io/open-webui/open-webui:main\n    init: true\n"
        f"    command: {json.dumps(['python3', '-c', standins.source('webui'), 'serve', '--image', '--quiet'])}\n"
        f"    environment: {json.dumps(env)}\n"
        f"    ports: [\"127.0.0.1:{free_port()}:8080\"]\n"
        "    volumes: [\"open-webui:/app/backend/data\"]\n"
        "    extra_hosts: [\"host.docker.internal:host-gateway\"]\n"
        "    depends_on: [ollama]\n"
        "volumes:\n  ollama: {}\n  open-webui: {}\n"
    )


def test_compose_with_service_name_works(learner, cli):
    with learner.compose(_compose("http://ollama:11434")):
        r = examine(learner, [], free_port(), cli)
    assert (r.outcome, r.scenario, r.fixes) == ("ok", "linux-compose", [])
    assert r.ollama["where"] == "container" and r.predicted["config"]["compose"] is True
    # the doctor read the data volume: the stand-in keeps no database, so nothing is saved yet
    assert r.saved["pending"] and r.saved["where"].endswith("volume '" + r.webui["compose_project"] + "_open-webui'")
    assert any("saved nothing yet" in n for n in r.notes), r.notes


def test_compose_host_port_instead_of_container_port(learner, cli):
    published = free_port()
    with learner.compose(_compose(f"http://ollama:{published}", f'    ports: ["{published}:11434"]\n')):
        r = examine(learner, [], free_port(), cli)
    assert (r.outcome, r.scenario) == ("connection_refused", "linux-compose")
    assert r.fixes[0].startswith("set OLLAMA_BASE_URL=http://ollama:11434 (in the compose file")
    assert "ollama_published_all" in {f.id for f in r.findings}


def test_base_url_without_http(learner, cli):
    net = learner.network("ollama-net")
    oll = learner.ollama("ollama", network=net)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"{oll}:11434"}, network=net, ports={"8080/tcp": ("127.0.0.1", free_port())})
    r = examine(learner, [web, oll], free_port(), cli)
    assert r.outcome == "unreachable" and not r.reachable
    assert "no scheme" in r.check("base_url").detail
    assert r.fixes[0].startswith(f"set OLLAMA_BASE_URL=http://{oll}:11434")
    assert "invalid URL" in r.urls[0]["detail"]


def test_separate_networks(learner, cli):
    net_o, net_w = learner.network("ollama-net"), learner.network("webui-net")
    oll = learner.ollama("ollama", network=net_o)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://{oll}:11434"}, network=net_w, ports={"8080/tcp": ("127.0.0.1", free_port())})
    r = examine(learner, [web, oll], free_port(), cli)
    assert (r.outcome, r.scenario) == ("name_not_resolved", "linux-separate-networks")
    assert f"docker network connect {net_o} {web}" in r.fixes[0]
    assert r.check("ollama").ok  # the Ollama container itself answers on its own address


def test_ollama_base_urls_takes_precedence(learner, cli):
    net = learner.network("ollama-net")
    oll = learner.ollama("ollama", network=net)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://{oll}:11434", "OLLAMA_BASE_URLS": "http://localhost:11434"},
                        network=net, ports={"8080/tcp": ("127.0.0.1", free_port())})
    r = examine(learner, [web, oll], free_port(), cli)
    assert r.webui["base_urls"] == ["http://localhost:11434"] and r.webui["base_urls_source"] == "OLLAMA_BASE_URLS"
    assert (r.outcome, r.scenario) == ("connection_refused", "linux-compose")
    assert r.fixes[0].startswith("remove OLLAMA_BASE_URLS")


def test_ollama_container_published_reached_through_the_host(learner, cli):
    """Ollama's README container (-p PORT:11434) and the README Open WebUI: works, with a finding."""
    published = free_port()
    oll = learner.ollama("ollama", ports={"11434/tcp": published})
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://host.docker.internal:{published}"},
                        extra_hosts={"host.docker.internal": "host-gateway"}, ports={"8080/tcp": ("127.0.0.1", free_port())})
    r = examine(learner, [web, oll], free_port(), cli)
    assert (r.outcome, r.scenario, r.fixes) == ("ok", "linux-ollama-on-host", [])
    assert r.ollama["name"] == oll and "ollama_published_all" in {f.id for f in r.findings}


# --------------------------------------------------------------------------------------------------
# Nothing there; a container without its Ollama; the CLI
# --------------------------------------------------------------------------------------------------


class _OnlyMine:
    """The real client, but ``docker ps`` lists only the containers carrying this test's own label.

    A learner's machine has their own ``open-webui`` and ``ollama`` running (CI starts such decoys):
    a test that means "nothing there" must not look at them. Everything else (the daemon's facts,
    inspect, the host's port) is the real daemon's.
    """

    def __init__(self, cli, label: str) -> None:
        self._cli = cli
        self.api = _OnlyMineApi(cli.api, label)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cli, name)


class _OnlyMineApi:
    def __init__(self, api, label: str) -> None:
        self._api, self._label = api, label

    def containers(self, **kw: Any) -> list[dict[str, Any]]:
        filters = dict(kw.pop("filters", None) or {})
        filters["label"] = [*filters.get("label", []), self._label]
        return self._api.containers(filters=filters, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


def test_found_nothing(cli):
    from owui_lab.diagnosis import doctor

    mine = _OnlyMine(cli, f"io.owui-lab.test=found-nothing-{secrets.token_hex(4)}")  # no container has it
    r = doctor([], host_port=free_port(), client=mine)
    assert r.found_nothing and r.start_commands and r.looked_for
    assert r.check("daemon").ok


def test_missing_container_name_is_a_failed_check(cli):
    from owui_lab.diagnosis import doctor

    r = doctor([f"no-such-container-{secrets.token_hex(4)}"], host_port=free_port(), client=cli)
    assert not r.check("container").ok


def test_cli_json(learner, cli):
    net = learner.network("ollama-net")
    oll = learner.ollama("ollama", network=net)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://{oll}:11434"}, network=net)
    done = subprocess.run(
        [os.sys.executable, "-m", "owui_lab", "doctor", "--json", "--container", web, "--container", oll,
         "--host-port", str(free_port())],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["reachable"] is True and data["outcome"] == "ok" and data["observed"] is True
    assert data["webui"]["name"] == web and data["ollama"]["name"] == oll
    assert {"id", "ok", "detail"} <= set(data["checks"][0])
    assert any(c["id"] == "browser" and not c["ok"] for c in data["checks"])  # no -p: no browser


def test_ollama_in_a_custom_image_is_found_by_its_answer(learner, cli):
    """Not the ollama/ollama image, but it answers 'Ollama is running': the doctor counts it as Ollama."""
    net = learner.network("llm-net")
    name = learner.name("llm")
    c = cli.containers.run(STANDIN, ["python3", "-c", standins.source("ollama"), "--quiet"], name=name, network=net,
                           environment=OLLAMA_ENV, detach=True, init=True)
    learner.containers.append(c.id)
    from owui_lab.docker_api import wait_listening

    wait_listening(c, "0.0.0.0", 11434, timeout=15)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://{name}:11434"}, network=net)
    r = examine(learner, [web, name], free_port(), cli)
    assert r.outcome == "ok" and r.ollama["name"] == name
    assert "answers 'Ollama is running'" in r.check("ollama").detail


def test_probe_by_exec_when_the_probe_image_is_missing(learner, cli, monkeypatch):
    """Without the stand-in image the doctor runs the probe by docker exec (Open WebUI's image has python3)."""
    monkeypatch.setenv("OWUI_LAB_IMAGE", f"owui-lab/not-here-{secrets.token_hex(3)}:none")
    net = learner.network("ollama-net")
    oll = learner.ollama("ollama", network=net)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://{oll}:11434"}, network=net)
    r = examine(learner, [web, oll], free_port(), cli)
    assert r.outcome == "ok" and any("docker exec" in n for n in r.notes)


def test_stopped_open_webui_is_predicted_and_started(learner, cli):
    net = learner.network("ollama-net")
    oll = learner.ollama("ollama", network=net)
    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": f"http://{oll}:11434"}, network=net)
    cli.containers.get(web).stop(timeout=2)
    from owui_lab.diagnosis import doctor

    r = doctor([web, oll], host_port=free_port(), client=cli)
    assert not r.observed and r.check("webui_running").ok is False
    assert r.first == [f"start Open WebUI: docker start {web}"], r.first
    assert r.headline == f"Open WebUI '{web}' is not running: it is exited (code 137)." or r.headline.startswith(
        f"Open WebUI '{web}' is not running: it is exited"), r.headline
    assert r.urls[0]["predicted"] == "ok" and r.scenario == "linux-compose"


def test_default_run_looks_at_everything_and_leaves_the_kits_lab_out(cli):
    from owui_lab.diagnosis import doctor

    r = doctor(host_port=free_port(), client=cli)
    assert r.check("daemon").ok and isinstance(r.to_dict(), dict)


# --------------------------------------------------------------------------------------------------
# Issue 13: states, hostile settings, no probe left behind
# --------------------------------------------------------------------------------------------------


def _probes_of(cli, container_id: str) -> list[str]:
    return [c.name for c in cli.containers.list(all=True, filters={"label": "io.owui-lab.role=probe"})
            if (c.attrs.get("HostConfig") or {}).get("NetworkMode", "").split(":", 1)[-1] == container_id]


def test_crash_looping_open_webui_is_not_running_and_leaves_no_probe(learner, cli):
    """--restart always with a command that exits: never '✓ running'; six runs leave no 'Created' probe."""
    import time

    from owui_lab.diagnosis import doctor

    name = learner.name("open-webui")
    c = cli.containers.run(WEBUI_IMAGE, ["python3", "-c", "import sys; sys.exit(3)"], name=name,
                           environment={**WEBUI_ENV, "OLLAMA_BASE_URL": "http://ollama:11434"}, detach=True,
                           restart_policy={"Name": "always"})
    learner.containers.append(c.id)
    deadline = time.monotonic() + 60
    while cli.api.inspect_container(c.id)["RestartCount"] < 3:
        assert time.monotonic() < deadline, "Docker did not restart the crashing container"
        time.sleep(0.2)
    for _ in range(6):
        r = doctor(name, host_port=free_port(), client=cli)
        assert r.check("webui_running").ok is False, r.check("webui_running")
        assert "crash" in r.headline or "restarting" in r.headline, r.headline
        assert any("docker logs --tail 50" in step for step in r.first), r.first
        assert _probes_of(cli, c.id) == []


def test_paused_open_webui_is_reported_paused(learner, cli):
    from owui_lab.diagnosis import doctor

    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": "http://ollama:11434"})
    container = cli.containers.get(web)
    container.pause()
    try:
        r = doctor(web, host_port=free_port(), client=cli)
    finally:
        container.unpause()
    assert r.check("webui_running").ok is False and "paused" in r.headline
    assert r.first[-1] == f"unpause Open WebUI: docker unpause {web}"  # after starting an Ollama: there is none
    assert _probes_of(cli, container.id) == []


def test_network_none_and_a_bracketed_url_are_diagnosed_not_crashed(learner, cli):
    from owui_lab.diagnosis import doctor

    web = learner.webui("open-webui", {"OLLAMA_BASE_URL": "http://host.docker.internal:11434"}, network_mode="none")
    r = examine(learner, [web], free_port(), cli)
    assert r.check("network").ok is False and "--network none" in r.headline
    assert r.urls[0]["observed"] == "name_not_resolved" and r.predicted is None
    odd = learner.webui("odd", {"OLLAMA_BASE_URL": "http://[::1", "PORT": "8080"})
    r = doctor(odd, host_port=free_port(), client=cli)
    assert r.check("base_url").ok is False and not r.reachable


def test_a_probe_left_by_a_killed_run_is_swept(cli):
    """A probe a SIGKILLed doctor left (created, never started) goes at the next run, by its labels only."""
    from owui_lab import docker_api

    session = docker_api.new_session_id()
    left = cli.containers.create(STANDIN, ["true"], labels=docker_api.labels(session, "probe"),
                                 name=docker_api.container_name(session, "probe-left"))
    try:
        assert docker_api.remove_stale_probes(cli, grace=3600) == []  # too young: it may be another run's
        assert left.name in docker_api.remove_stale_probes(cli, grace=0)
    finally:
        try:
            left.remove(force=True)
        except Exception:  # noqa: BLE001 - removed by the sweep
            pass


def test_naming_only_open_webui_still_finds_its_ollama(learner, cli):
    """doctor --container open-webui on a working compose stack: the Ollama is looked at, not left out."""
    from owui_lab.diagnosis import doctor

    with learner.compose(_compose("http://ollama:11434")) as project:
        webui = f"{project}-open-webui-1"
        r = doctor(webui, host_port=free_port(), client=cli)
        assert r.reachable and r.outcome == "ok" and r.ollama["where"] == "container", r.text()
        assert r.ollama["name"] == f"{project}-ollama-1"
        cli.containers.get(webui).stop(timeout=2)
        r = doctor(webui, host_port=free_port(), client=cli)
    assert r.ollama["where"] == "container" and r.first == [f"start Open WebUI: docker start {webui}"]
    assert not any("systemctl" in f or "OLLAMA_HOST" in f for f in r.fixes), r.fixes  # no host-Ollama fixes


def test_a_named_container_that_is_not_open_webui_is_said_and_diagnosed_when_asked(learner, cli):
    """doctor --container NAME where NAME is a mirror of Open WebUI relying on the image's default URL:
    the doctor says what NAME is and why it is not taken for Open WebUI (it used to diagnose another
    Open WebUI instead, silently), and diagnoses NAME with --as-webui (issue 25)."""
    from owui_lab.diagnosis import doctor
    from owui_lab.docker_api import wait_listening

    learner.webui("open-webui", {"OLLAMA_BASE_URL": "http://ollama:11434"})  # another Open WebUI, not named
    mirror_image = f"owui-lab-test/webui-mirror-{learner.suffix}:main"
    _docker("tag", STANDIN, mirror_image)
    try:
        env = {k: v for k, v in WEBUI_ENV.items() if not k.startswith("OLLAMA_")}
        c = cli.containers.run(mirror_image, ["python3", "-c", standins.source("webui"), "serve", "--image", "--quiet"],
                               name=learner.name("mirror"), environment=env, detach=True, init=True)
        learner.containers.append(c.id)
        wait_listening(c, "127.0.0.1", 8080, timeout=15)
        r = doctor(c.name, host_port=free_port(), client=cli)
        assert r.webui is None, f"another container was diagnosed: {r.webui}"
        said = [ch.detail for ch in r.checks if ch.id == "container" and not ch.ok]
        assert said and c.name in said[0] and mirror_image in said[0] and "--as-webui" in said[0], r.text()
        asked = doctor(c.name, as_webui=True, host_port=free_port(), client=cli)
        assert asked.webui["name"] == c.name and asked.observed, asked.text()
        from owui_lab.diagnosis.inspect import base_urls

        assert asked.webui["base_urls"] == list(base_urls(env, official_image=True).urls)  # the image's default
        assert asked.urls[0]["observed"] == asked.urls[0]["predicted"] is not None, asked.text()
    finally:
        _docker("rmi", "--no-prune", mirror_image, check=False)
