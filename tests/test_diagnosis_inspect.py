"""The doctor offline: recorded ``docker inspect``/``docker info`` payloads → facts → Config → report.

The Linux payloads were recorded on this machine's engine (``tests/data/inspect/record_linux.py``);
the Docker Desktop ones are written from Desktop's known shapes, so the Desktop scenarios are
diagnosed right where no Desktop runs. No daemon is needed here.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from owui_lab.diagnosis.diagnose import Observations, diagnose
from owui_lab.diagnosis.inspect import (
    HostOllama,
    base_urls,
    is_ollama_image,
    is_webui_image,
    looks_like_ollama,
    looks_like_webui,
    parse_container,
    parse_daemon,
)
from owui_lab.diagnosis.reconstruct import check_url, nearest_scenario, reconstruct, unalias
from owui_lab.diagnosis.report import Report

DATA = Path(__file__).parent / "data" / "inspect"
LOOPBACK_HOST = HostOllama(11434, loopback=True, docker0=False)
ALL_HOST = HostOllama(11434, loopback=True, docker0=True)
NO_HOST = HostOllama(11434, loopback=False, docker0=False)
DESKTOP_HOST = HostOllama(11434, loopback=True, docker0=None)


def load(name: str):
    raw = json.loads((DATA / f"{name}.json").read_text())
    daemon = parse_daemon(raw["info"], context=raw["context"]["name"], endpoint=raw["context"]["endpoint"])
    return daemon, [parse_container(p) for p in raw["containers"]], raw


def run(name: str, host: HostOllama | None = None, observations: Observations | None = None, **kw) -> Report:
    daemon, containers, _ = load(name)
    return diagnose(daemon, containers, host, observations, **kw)


def fixes(report: Report) -> str:
    return "\n".join(report.fixes)


# --------------------------------------------------------------------------------------------------
# Parsing payloads
# --------------------------------------------------------------------------------------------------


def test_every_recorded_payload_parses_into_sane_facts():
    files = sorted(DATA.glob("*.json"))
    assert {f.stem.split("-")[0] for f in files} == {"linux", "desktop"}
    for f in files:
        daemon, containers, raw = load(f.stem)
        assert daemon.platform == f.stem.split("-")[0], f
        assert len(containers) == len(raw["containers"])
        for c in containers:
            assert len(c.id) == 64 and c.name and not c.name.startswith("/")
            assert c.running and c.status == "running"
            assert c.network_mode in c.network_names or c.host_mode


def test_linux_readme_payload_facts():
    daemon, (webui, watchtower), _ = load("linux-readme-add-host")
    assert daemon.product.startswith("Docker Engine") and daemon.local and not daemon.rootless
    assert webui.network_mode == "bridge" and webui.network_names == ("bridge",)
    assert webui.extra_hosts == (("host.docker.internal", "host-gateway"),)
    assert webui.networks[0].gateway == "172.17.0.1"
    (port,) = webui.published(8080)
    assert port.all_addresses and port.flag().startswith("-p ") and port.flag().endswith(":8080")
    assert webui.mount_at("/app/backend/data").type == "volume"
    assert webui.env["OLLAMA_BASE_URL"] == "/ollama" and webui.env["ENV"] == "prod"
    assert [m.destination for m in watchtower.docker_socket_mounts] == ["/var/run/docker.sock"]
    assert not webui.docker_socket_mounts


def test_compose_payload_aliases_and_project():
    _, containers, _ = load("linux-compose")
    ollama = next(c for c in containers if looks_like_ollama(c))
    webui = next(c for c in containers if looks_like_webui(c))
    net = webui.network_mode
    assert net.endswith("_default") and ollama.network_names == (net,)
    assert "ollama" in ollama.names_on(net) and ollama.compose_service == "ollama"
    assert webui.compose_project == ollama.compose_project
    assert ollama.names_on("bridge") == set()  # the default bridge has no DNS


def test_published_port_on_loopback_and_all_addresses_is_one_binding():
    _, (webui, ollama), _ = load("linux-published-ollama")
    (w,) = webui.published(8080)
    assert w.loopback_only and w.host_ip == "127.0.0.1"
    (o,) = ollama.published(11434)  # 0.0.0.0 and :: of one -p are one binding
    assert o.all_addresses and o.host_port != 11434


def test_desktop_payload_facts():
    daemon, containers, raw = load("desktop-separate-networks")
    assert daemon.platform == "desktop" and daemon.product == "Docker Desktop (engine 27.4.0)"
    webui = containers[0]
    # Docker 28 shape: no top-level NetworkSettings.IPAddress; per-network DNSNames
    assert "IPAddress" not in raw["containers"][0]["NetworkSettings"]
    assert webui.networks[0].ip == "172.19.0.2" and "open-webui" in webui.networks[0].aliases


def test_daemon_kinds():
    info = {"OperatingSystem": "Ubuntu 24.04 LTS", "ServerVersion": "27.3.1", "SecurityOptions": ["name=apparmor"]}
    assert parse_daemon(info).platform == "linux"
    assert parse_daemon(info, context="desktop-linux").platform == "desktop"  # a context alone says Desktop
    assert parse_daemon({"OperatingSystem": "Docker Desktop"}).platform == "desktop"
    rootless = parse_daemon({**info, "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless"]})
    assert rootless.rootless and rootless.platform == "linux" and "rootless" in rootless.product
    podman = parse_daemon({"ServerVersion": "5.2.2"}, version={"Components": [{"Name": "Podman Engine"}]})
    assert podman.podman and podman.host_gateway_name == "host.containers.internal"
    assert parse_daemon({}, endpoint="unix:///run/user/1000/podman/podman.sock").podman
    remote = parse_daemon(info, endpoint="tcp://10.0.0.5:2376")
    assert not remote.local
    assert parse_daemon(None).platform == "linux"  # nothing known: a Linux engine, still usable


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.clear(),
        lambda p: p.update(NetworkSettings=None, HostConfig=None, Config=None, State=None, Mounts=None),
        lambda p: p["NetworkSettings"].update(Networks=None),
        lambda p: p["Config"].update(Env=None, ExposedPorts=None, Labels=None),
        lambda p: p["HostConfig"].update(ExtraHosts=["host.docker.internal=host-gateway", 7, "::1"], PortBindings={"x/tcp": [None]}),
        lambda p: p.update(Mounts=None) or p["HostConfig"].update(Binds=["/var/run/docker.sock:/var/run/docker.sock:ro", "data:/app/backend/data"]),
    ],
)
def test_parser_tolerates_missing_and_odd_fields(mutate):
    _, _, raw = load("linux-readme-add-host")
    payload = copy.deepcopy(raw["containers"][0])
    mutate(payload)
    facts = parse_container(payload)  # never raises
    assert isinstance(facts.env, dict) and isinstance(facts.networks, tuple)
    if payload.get("Mounts") is None and "docker.sock" in str((payload.get("HostConfig") or {}).get("Binds")):
        assert facts.docker_socket_mounts and facts.mount_at("/app/backend/data").type == "volume"


def test_image_classification():
    assert is_webui_image("ghcr.io/open-webui/open-webui:main")
    assert is_webui_image("ghcr.io/open-webui/open-webui:v0.6.5-cuda")
    assert is_webui_image("ghcr.io/open-webui/open-webui@sha256:abc")
    assert not is_webui_image("ollama/ollama:latest")
    assert is_ollama_image("ollama/ollama") and is_ollama_image("docker.io/ollama/ollama:0.5.7")
    assert not is_ollama_image("ghcr.io/open-webui/open-webui:ollama")


# --------------------------------------------------------------------------------------------------
# Open WebUI's base URLs
# --------------------------------------------------------------------------------------------------


def test_base_urls_like_open_webui_config():
    image = {"ENV": "prod", "OLLAMA_BASE_URL": "/ollama", "USE_OLLAMA_DOCKER": "false"}
    assert base_urls(image).urls == ("http://host.docker.internal:11434",)
    assert base_urls(image).source == "image default"
    assert base_urls({**image, "USE_OLLAMA_DOCKER": "true"}).urls == ("http://localhost:11434",)
    assert base_urls({**image, "OLLAMA_BASE_URL": "http://ollama:11434/"}).urls == ("http://ollama:11434",)
    both = base_urls({**image, "OLLAMA_BASE_URL": "http://ollama:11434", "OLLAMA_BASE_URLS": " http://a:1 ;http://b:2"})
    assert both.urls == ("http://a:1", "http://b:2") and both.source == "OLLAMA_BASE_URLS"
    assert any("precedence" in n for n in both.notes)
    assert base_urls({**image, "OLLAMA_BASE_URLS": ""}).urls == ("http://host.docker.internal:11434",)
    assert base_urls({"ENV": "dev"}).urls == ("http://localhost:11434",)  # outside the image
    assert base_urls({}, official_image=True).urls == ("http://host.docker.internal:11434",)
    legacy = base_urls({"ENV": "prod", "OLLAMA_BASE_URL": "", "OLLAMA_API_BASE_URL": "http://ollama:11434/api"})
    assert legacy.urls == ("http://ollama:11434",)
    assert not base_urls({**image, "ENABLE_PERSISTENT_CONFIG": "False"}).persistent_config
    assert base_urls(image).persistent_config and not base_urls(image).reset_on_start


def test_check_url():
    assert check_url("http://ollama:11434") == ("http://ollama:11434", "")
    url, problem = check_url("ollama:11434")
    assert url == "http://ollama:11434" and "no scheme" in problem
    assert "path" in check_url("http://ollama:11434/api")[1]
    assert check_url("http://:11434")[0] == ""


def test_unalias_writes_the_learners_port_back():
    text = 'set OLLAMA_BASE_URL=http://host.docker.internal:11434; Environment="OLLAMA_HOST=0.0.0.0"'
    assert unalias(text, 11500, True) == 'set OLLAMA_BASE_URL=http://host.docker.internal:11500; Environment="OLLAMA_HOST=0.0.0.0:11500"'
    assert unalias("http://ollama:11434 and -p 11434:11434", 11500, False) == "http://ollama:11434 and -p 11500:11434"
    assert unalias(text, None, True) == text


# --------------------------------------------------------------------------------------------------
# Diagnosis from recorded Linux payloads (predicted only)
# --------------------------------------------------------------------------------------------------


def test_issue_209_loopback_ollama_via_host_gateway():
    r = run("linux-readme-add-host", LOOPBACK_HOST)
    assert (r.outcome, r.scenario, r.reachable, r.observed) == ("connection_refused", "linux-ollama-on-host", False, False)
    assert r.ollama["where"] == "host"
    assert "systemctl edit ollama.service" in r.fixes[0] and "OLLAMA_HOST=0.0.0.0" in r.fixes[0]
    assert {f.id for f in r.findings} >= {"webui_published_all", "docker_socket"}
    assert any("via Docker proxy" in n for n in r.notes)


def test_issue_209_fixed_when_ollama_listens_on_all_addresses():
    r = run("linux-readme-add-host", ALL_HOST)
    assert r.outcome == "ok" and r.reachable and not [f for f in r.fixes if "OLLAMA_HOST" in f]
    assert "host_ollama_all_addresses" in {f.id for f in r.findings}
    r = run("linux-readme-add-host", ALL_HOST, firewall="ufw is enabled")
    assert "host_ollama_all_addresses" not in {f.id for f in r.findings}
    assert any("ufw is enabled" in n for n in r.notes)


def test_issue_7189_no_add_host():
    r = run("linux-no-add-host", ALL_HOST)
    assert (r.outcome, r.scenario) == ("name_not_resolved", "linux-ollama-on-host")
    assert "--add-host=host.docker.internal:host-gateway" in r.fixes[0]


def test_issue_3861_localhost_in_a_bridged_container():
    r = run("linux-localhost-url", ALL_HOST)
    assert (r.outcome, r.scenario) == ("connection_refused", "linux-ollama-on-host")
    assert "container itself" in r.check("reach").detail
    assert any("host.docker.internal:11434" in f or "--network=host" in f for f in r.fixes)


def test_host_network_with_loopback_ollama_works():
    r = run("linux-host-network", LOOPBACK_HOST)
    assert (r.outcome, r.scenario, r.fixes) == ("ok", "linux-host-network", [])
    assert r.browser["url"] == "http://localhost:8080"
    assert "webui_host_network" in {f.id for f in r.findings}


def test_compose_works():
    r = run("linux-compose", NO_HOST)
    assert (r.outcome, r.scenario, r.fixes) == ("ok", "linux-compose", [])
    assert r.ollama["where"] == "container" and r.ollama["name"].endswith("ollama-1")
    assert r.predicted["config"]["compose"] is True


def test_compose_host_port_instead_of_container_port():
    r = run("linux-compose-host-port", NO_HOST)
    assert (r.outcome, r.scenario) == ("connection_refused", "linux-compose")
    assert "container port" in r.check("reach").detail
    assert r.fixes[0].startswith("set OLLAMA_BASE_URL=http://ollama:11434 (in the compose file")
    published = r.ollama["published"][0].split(":")[-2].split()[-1]  # "-p 11500:11434"
    # the host-side fixes use the learner's published port, not 11434
    assert f"host.docker.internal:{published}" in fixes(r)


def test_separate_networks():
    r = run("linux-separate-networks", NO_HOST)
    assert (r.outcome, r.scenario) == ("name_not_resolved", "linux-separate-networks")
    net = r.ollama["networks"][0]
    assert f"docker network connect {net} {r.webui['name']}" in r.fixes[0]


def test_ollama_base_urls_precedence():
    r = run("linux-published-ollama", NO_HOST)
    assert r.webui["base_urls_source"] == "OLLAMA_BASE_URLS" and len(r.urls) == 2
    first, second = r.urls
    assert first["predicted"] == "ok" and second["predicted"] == "connection_refused"
    assert r.reachable and r.outcome == "ok" and r.scenario == "linux-ollama-on-host"
    assert all("in OLLAMA_BASE_URLS, replace http://localhost:11434" in f for f in r.fixes[:2])
    assert "ollama_published_all" in {f.id for f in r.findings}


def test_base_url_without_scheme():
    daemon, containers, _ = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    env = dict(webui.env, OLLAMA_BASE_URL="ollama:11434")
    containers = [c if c is not webui else parse_container(_with_env(load("linux-compose")[2], webui.name, env)) for c in containers]
    r = diagnose(daemon, containers, NO_HOST)
    assert r.outcome == "unreachable" and not r.reachable
    assert "no scheme" in r.check("base_url").detail
    assert r.fixes[0].startswith("set OLLAMA_BASE_URL=http://ollama:11434")


def _with_env(raw: dict, name: str, env: dict) -> dict:
    payload = copy.deepcopy(next(p for p in raw["containers"] if p["Name"].lstrip("/") == name))
    payload["Config"]["Env"] = [f"{k}={v}" for k, v in env.items()]
    return payload


# --------------------------------------------------------------------------------------------------
# Diagnosis from Docker Desktop shapes
# --------------------------------------------------------------------------------------------------


def test_desktop_readme_works_even_with_loopback_ollama():
    r = run("desktop-readme", DESKTOP_HOST)
    assert (r.outcome, r.scenario, r.fixes) == ("ok", "desktop-ollama-on-host", [])
    assert r.daemon["platform"] == "desktop"
    assert "bypass ufw" not in " ".join(f.detail for f in r.findings)  # ufw is a Linux thing


def test_desktop_compose():
    assert (run("desktop-compose", NO_HOST).outcome, run("desktop-compose", NO_HOST).scenario) == ("ok", "desktop-compose")


def test_desktop_compose_without_base_url_points_at_the_mac():
    r = run("desktop-compose-no-url", HostOllama(11434, loopback=False))
    assert (r.outcome, r.scenario) == ("connection_refused", "desktop-compose")
    assert r.fixes[0].startswith("set OLLAMA_BASE_URL=http://ollama:11434 (in the compose file")


def test_desktop_host_network_assumes_the_setting_off_and_says_so():
    r = run("desktop-host-network", DESKTOP_HOST)
    assert (r.outcome, r.scenario) == ("connection_refused", "desktop-host-network")
    assert "Enable host networking" in r.fixes[0]
    assert any("cannot be read from docker inspect" in n for n in r.notes)
    assert r.check("browser").ok is False


def test_desktop_host_network_setting_inferred_from_the_browser():
    obs = Observations(browser=(True, "http://localhost:8080 answers (HTTP 200)"))
    r = run("desktop-host-network", DESKTOP_HOST, obs)
    assert r.predicted["config"]["desktop_host_networking"] is True
    assert r.urls[0]["predicted"] == "ok"


def test_desktop_separate_networks():
    r = run("desktop-separate-networks", NO_HOST)
    assert (r.outcome, r.scenario) == ("name_not_resolved", "desktop-separate-networks")
    assert "host.docker.internal:11434" in r.fixes[0]  # via Ollama's published port on the Mac


# --------------------------------------------------------------------------------------------------
# Observation against prediction
# --------------------------------------------------------------------------------------------------


def _observe(url: str, outcome: str, detail: str = "") -> Observations:
    return Observations(urls={url: {"outcome": outcome, "detail": detail}}, method="test")


def test_observed_refusal_where_the_model_expects_ok_suggests_a_firewall():
    r = run("linux-readme-add-host", ALL_HOST, _observe("http://host.docker.internal:11434", "unreachable", "timed out"))
    assert r.observed and not r.reachable and r.outcome == "unreachable"
    assert any("firewall" in d and "docker0" in d for d in r.discrepancies)


def test_observed_ok_where_the_model_expects_refusal_suggests_a_second_ollama():
    r = run("linux-readme-add-host", LOOPBACK_HOST, _observe("http://host.docker.internal:11434", "ok", "from 172.17.0.1:11434"))
    assert r.reachable and r.outcome == "ok"
    assert any("second Ollama" in d for d in r.discrepancies)


def test_persistent_config_note_when_reachable_with_a_data_volume():
    r = run("linux-readme-add-host", ALL_HOST, _observe("http://host.docker.internal:11434", "ok"))
    assert any("could not read it" in n and "Admin Panel → Settings → Connections" in n for n in r.notes)
    assert not r.discrepancies


def test_ignored_ollama_base_url_that_works_is_the_first_fix():
    daemon, containers, raw = load("linux-compose")
    webui = next(c for c in containers if looks_like_webui(c))
    env = dict(webui.env, OLLAMA_BASE_URLS="http://localhost:11434")
    payload = _with_env(raw, webui.name, env)
    containers = [parse_container(payload) if c is webui else c for c in containers]
    obs = Observations(urls={"http://localhost:11434": {"outcome": "connection_refused"}, "http://ollama:11434": {"outcome": "ok"}})
    r = diagnose(daemon, containers, NO_HOST, obs)
    assert r.outcome == "connection_refused" and r.scenario == "linux-compose"
    assert r.fixes[0].startswith("remove OLLAMA_BASE_URLS")
    assert "set OLLAMA_BASE_URLS=http://ollama:11434" in fixes(r)


def test_port_alias_for_a_host_ollama_on_another_port():
    daemon, containers, raw = load("linux-readme-add-host")
    webui = containers[0]
    env = dict(webui.env, OLLAMA_BASE_URL="http://host.docker.internal:11500")
    containers = [parse_container(_with_env(raw, webui.name, env))]
    r = diagnose(daemon, containers, HostOllama(11500, loopback=True, docker0=False))
    assert r.outcome == "connection_refused" and r.urls[0]["port_alias"] == 11500
    assert 'Environment="OLLAMA_HOST=0.0.0.0:11500"' in r.fixes[0]
    assert "11434" not in r.fixes[0]


# --------------------------------------------------------------------------------------------------
# Nothing found, and the renderings
# --------------------------------------------------------------------------------------------------


def test_found_nothing_says_what_it_looked_for_and_how_to_start():
    daemon, _, _ = load("linux-compose")
    r = diagnose(daemon, [], NO_HOST)
    assert r.found_nothing and r.outcome is None and not r.reachable
    assert any("ghcr.io/open-webui/open-webui" in x for x in r.looked_for)
    assert any("172.17.0.1" in x for x in r.looked_for)
    assert any("--add-host=host.docker.internal:host-gateway" in c for c in r.start_commands)
    assert "To start the stack" in r.text()


def test_only_a_host_ollama_suggests_the_readme_command_that_works():
    daemon, _, _ = load("linux-compose")
    r = diagnose(daemon, [], LOOPBACK_HOST)
    assert r.ollama["where"] == "host" and r.check("ollama").ok
    assert r.start_commands and "--network=host" in r.start_commands[0]


def test_json_has_the_documented_keys():
    r = run("linux-compose-host-port", NO_HOST)
    d = json.loads(json.dumps(r.to_dict()))
    for key in ("reachable", "outcome", "scenario", "predicted", "webui", "ollama", "checks", "fixes", "findings"):
        assert key in d
    for key in ("name", "image", "base_urls", "network_mode"):
        assert key in d["webui"]
    assert all(set(c) == {"id", "ok", "detail"} for c in d["checks"])
    assert d["predicted"]["outcome"] == "connection_refused"


def test_text_and_html_renderings():
    r = run("linux-readme-add-host", LOOPBACK_HOST)
    text = r.text()
    assert "✗ reach" in text and "✓ daemon" in text and "Nearest scenario: linux-ollama-on-host" in text
    page = r._repr_html_()
    assert page.count("<tr>") == len(r.checks) and "✗" in page and "Fix" in page
    evil = Report(daemon={"product": "<script>"}, checks=[])
    assert "<script>" not in evil._repr_html_()


def test_nearest_scenario_of_every_seed_is_itself():
    from owui_lab import scenarios

    for s in scenarios():
        assert nearest_scenario(s.config) == s.id


def test_reconstruct_scenario_shapes_from_every_payload():
    expected = {
        "linux-readme-add-host": "linux-ollama-on-host",
        "linux-no-add-host": "linux-ollama-on-host",
        "linux-localhost-url": "linux-ollama-on-host",
        "linux-host-network": "linux-host-network",
        "linux-compose": "linux-compose",
        "linux-compose-host-port": "linux-compose",
        "linux-separate-networks": "linux-separate-networks",
        "desktop-readme": "desktop-ollama-on-host",
        "desktop-compose": "desktop-compose",
        "desktop-host-network": "desktop-host-network",
        "desktop-separate-networks": "desktop-separate-networks",
    }
    for name, scenario_id in expected.items():
        daemon, containers, _ = load(name)
        webui = next(c for c in containers if looks_like_webui(c))
        url = base_urls(webui.env, official_image=True).urls[0]
        rec = reconstruct(url, webui, containers, daemon, LOOPBACK_HOST)
        assert rec.scenario == scenario_id, name


# --------------------------------------------------------------------------------------------------
# The CLI when it cannot look
# --------------------------------------------------------------------------------------------------


def test_cli_without_a_daemon_exits_non_zero_with_one_paragraph(tmp_path):
    env = {"DOCKER_HOST": f"unix://{tmp_path}/no-such.sock", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "owui_lab", "doctor", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert "No Docker daemon answers" in done.stderr and "Hint:" in done.stderr


def test_cli_rejects_a_bad_host_port():
    from owui_lab.cli import main

    assert main(["doctor", "--host-port", "0"]) == 2


def test_a_lan_address_of_this_machine_leads_to_the_host(tmp_path):
    from dataclasses import replace

    from owui_lab.diagnosis.observe import host_addresses

    table = tmp_path / "fib_trie"
    table.write_text(
        "Main:\n  +-- 0.0.0.0/0 3 0 4\n     |-- 127.0.0.1\n        /32 host LOCAL\n"
        "     |-- 192.168.1.10\n        /32 host LOCAL\n     |-- 192.168.1.255\n        /32 link BROADCAST\n"
    )
    assert host_addresses(str(table)) == {"192.168.1.10"}
    assert host_addresses(str(tmp_path / "missing")) == frozenset()
    daemon, containers, raw = load("linux-readme-add-host")
    daemon = replace(daemon, host_addresses=frozenset({"192.168.1.10"}))
    webui = containers[0]
    payload = _with_env(raw, webui.name, dict(webui.env, OLLAMA_BASE_URL="http://192.168.1.10:11434"))
    web = parse_container(payload)
    r = diagnose(daemon, [web], LOOPBACK_HOST)
    assert r.ollama["where"] == "host" and r.outcome == "connection_refused"
    assert any("address of this machine" in n for n in r.notes)
    assert "OLLAMA_HOST=0.0.0.0" in r.fixes[0]
    assert diagnose(daemon, [web], ALL_HOST).outcome == "ok"


def test_open_webui_without_any_ollama_says_how_to_start_one():
    daemon, containers, _ = load("linux-no-add-host")
    r = diagnose(daemon, containers, NO_HOST)
    assert r.ollama["where"] == "none" and not r.check("ollama").ok and not r.reachable
    assert any("start an Ollama" in f for f in r.fixes)
    assert any("ollama.com/install.sh" in c for c in r.start_commands)
    assert any("no Ollama was found" in n for n in r.notes)


def test_open_webui_on_the_host_network_bound_to_loopback_is_no_finding():
    daemon, containers, raw = load("linux-host-network")
    webui = containers[0]
    quiet = parse_container(_with_env(raw, webui.name, dict(webui.env, HOST="127.0.0.1")))
    assert "webui_host_network" in {f.id for f in diagnose(daemon, containers, LOOPBACK_HOST).findings}
    assert "webui_host_network" not in {f.id for f in diagnose(daemon, [quiet], LOOPBACK_HOST).findings}


@pytest.mark.parametrize("bad", [123, 4.5, [123], ["ok", None]])
def test_doctor_of_a_number_is_one_clear_error(bad):
    """doctor(123) used to die in list(123): refused before any daemon is asked (issue 25)."""
    from owui_lab.diagnosis import doctor
    from owui_lab.errors import ConfigError

    with pytest.raises(ConfigError, match="container names or ids"):
        doctor(bad)


@pytest.mark.parametrize("rootless", [False, True])
def test_the_readme_command_on_podman_is_diagnosed_with_podman_s_rules(rootless):
    """Issue 23: the README's --add-host ...:host-gateway on Podman; the doctor says what to use instead."""
    from dataclasses import replace

    daemon, containers, _ = load("linux-readme-add-host")
    podman = replace(daemon, kind="podman", podman_rootless=rootless)
    r = diagnose(podman, containers, ALL_HOST, None)
    assert r.outcome == "name_not_resolved", r.outcome
    assert "host.containers.internal" in r.fixes[0]
    assert any("refuses --add-host=host.docker.internal:host-gateway" in n for n in r.notes)
    assert not any("via Docker proxy" in n for n in r.notes)  # Docker Engine's note is not Podman's


# --------------------------------------------------------------------------------------------------
# The :ollama image (Ollama bundled inside) and the legacy OLLAMA_API_BASE_URL, read through the model
# --------------------------------------------------------------------------------------------------


def _webui_as(env_changes: dict, image: str) -> tuple:
    daemon, containers, raw = load("linux-readme-add-host")
    webui = next(c for c in containers if looks_like_webui(c))
    env = {k: v for k, v in {**webui.env, **env_changes}.items() if v is not None}
    payload = _with_env(raw, webui.name, env)
    payload["Config"]["Image"] = image
    return daemon, [parse_container(payload)]


def test_the_doctor_finds_the_bundled_ollama_inside_the_ollama_image():
    daemon, containers = _webui_as({"USE_OLLAMA_DOCKER": "true", "OLLAMA_BASE_URL": "/ollama"},
                                   "ghcr.io/open-webui/open-webui:ollama")
    assert base_urls(containers[0].env).urls == ("http://localhost:11434",)
    r = diagnose(daemon, containers, NO_HOST, None)
    assert r.outcome == "ok" and r.check("ollama").ok, r.checks
    assert "inside the Open WebUI container" in r.check("ollama").detail
    assert not any("start an Ollama" in f for f in r.first + r.fixes)


def test_the_doctor_says_the_legacy_api_base_url_is_ignored_in_the_image():
    daemon, containers = _webui_as({"OLLAMA_BASE_URL": "/ollama", "OLLAMA_API_BASE_URL": "http://10.1.2.3:11434/api"},
                                   "ghcr.io/open-webui/open-webui:main")
    b = base_urls(containers[0].env)
    assert b.urls == ("http://host.docker.internal:11434",) and b.source == "image default"
    assert any("OLLAMA_API_BASE_URL=http://10.1.2.3:11434/api is ignored" in n for n in b.notes)
    r = diagnose(daemon, containers, ALL_HOST, None)
    assert any(n.startswith("OLLAMA_API_BASE_URL=http://10.1.2.3:11434/api is ignored") for n in r.notes), r.notes
