"""The classroom on one server, for real: JupyterHub, DockerSpawner, learner servers, the lab service.

One hub for the module (starting it and six servers costs most of the time): five learners and an
instructor. Learners act from inside their own servers (``docker exec`` as the learner, with the
server's own token and the service URL the hub gave it), exactly as their notebooks do.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.error
from pathlib import Path

import pytest

from owui_lab import load_scenario
from owui_lab.prediction import predict

from .conftest import live_required
from bench.classroom_hub import HUB_LABEL, Hub, hub_problem

pytestmark = [pytest.mark.usefixtures("docker_daemon"), pytest.mark.slow, pytest.mark.timeout(900)]

LEARNERS = ["ada", "bea", "cy", "dee", "eli"]
# One configuration per learner, each teaching something else; all run on this Linux engine.
CONFIGS = {
    "ada": load_scenario("linux-ollama-on-host"),
    "bea": load_scenario("linux-ollama-on-host").replace(ollama_bind="0.0.0.0"),
    "cy": load_scenario("linux-compose"),
    "dee": load_scenario("linux-separate-networks"),
    "eli": load_scenario("linux-host-network"),
}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory):
    problem = hub_problem()
    if problem:
        if live_required():
            pytest.fail(f"a live part is missing in CI: {problem}", pytrace=False)
        pytest.skip(f"{problem}; in CI this is a failure")
    the_hub = Hub(tmp_path_factory.mktemp("hub"), LEARNERS, concurrency=4)
    stale = plant_a_stale_chain()
    try:
        the_hub.start()
        everyone = LEARNERS + [the_hub.instructor]
        # All at once, as a class logs in (the hub answers a spawn request only after up to 10 s).
        spawners = [threading.Thread(target=the_hub.spawn, args=(user,)) for user in everyone]
        for t in spawners:
            t.start()
        for t in spawners:
            t.join()
        the_hub.wait_ready(everyone)
        if stale:  # the hub's first spawn swept it: its network is long gone
            assert stale not in iptables_chains(), "a dead hub's iptables chain survived a new hub's start"
        yield the_hub
    finally:
        left = the_hub.stop()
        print(f"\nthe hub stopped in {the_hub.stop_seconds:.1f} s")
        keep = Path(__file__).parent / "artifacts"  # the hub's and the service's log, for a failed run
        keep.mkdir(exist_ok=True)
        shutil.copy(the_hub.log_path, keep / f"hub-{the_hub.hub_id}.log")
        assert not left, f"learner servers left after the hub stopped: {left}"
        assert "owuilab-" not in iptables_chains(), "the hub's iptables chain outlived the hub"


#: A source no network of this test uses (TEST-NET-1, one address): a dead hub's chain that drops it.
STALE_SOURCE = "192.0.2.254/32"


def plant_a_stale_chain() -> str:
    """The chain a SIGKILLed hub leaves behind (its learners' network removed since); "" when not root."""
    import subprocess

    if os.geteuid() != 0:
        return ""
    chain = "owuilab-" + os.urandom(6).hex()
    for args in (["-N", chain], ["-A", chain, "-j", "DROP"], ["-I", "INPUT", "-s", STALE_SOURCE, "-j", chain]):
        subprocess.run(["iptables", "-w", *args], check=True, capture_output=True)
    return chain


def iptables_chains() -> str:
    import subprocess

    return subprocess.run(["iptables", "-w", "-S"], capture_output=True, text=True).stdout if os.geteuid() == 0 else ""


def client_code(body: str) -> str:
    """Python run in a learner's server: ``c`` is their service client; the last line prints JSON."""
    return ("import json\nfrom owui_lab import load_scenario, Config\n"
            "from owui_lab.classroom import ServiceClient, ServiceUnavailable\n"
            "c = ServiceClient.from_env()\n" + body)


def in_parallel(fn, items) -> dict:
    results, errors = {}, {}

    def one(item):
        try:
            results[item] = fn(item)
        except Exception as exc:  # noqa: BLE001 - reported below, per learner
            errors[item] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_learner_servers_have_limits_the_classroom_mode_and_no_docker_socket(hub: Hub) -> None:
    for user in LEARNERS:
        container = hub.container(user)
        host = container.attrs["HostConfig"]
        mounts = json.dumps(container.attrs.get("Mounts", [])) + json.dumps(host.get("Binds") or [])
        assert "docker.sock" not in mounts
        cpus = host["NanoCpus"] / 1e9 or host["CpuQuota"] / host["CpuPeriod"]  # DockerSpawner sets quota/period
        assert host["Memory"] == 512 * 1024 * 1024 and cpus == 1.0
        assert container.labels[HUB_LABEL] == hub.hub_id and container.labels["io.owui-lab.owner"] == user
        env = hub.server_env(user)
        assert env["OWUI_LAB_CLASSROOM"] == "1" and env["OWUI_LAB_SERVICE_URL"].endswith("/services/owui-lab/")
    seen = hub.in_server("ada", "import os, json\n"
                         "print(json.dumps([os.path.exists('/var/run/docker.sock'), os.getuid()]))")
    assert seen == [False, 1000]
    # JupyterLab opens on the first lesson; the instructor's server opens the projector notebook in Voila.
    assert hub.api("GET", "/hub/api/users/ada")["servers"][""]["url"] == "/user/ada/"
    for user, url in (("ada", "/lab/tree/notebooks/00_welcome.ipynb"),
                      (hub.instructor, "/voila/render/notebooks/instructor.ipynb")):
        assert hub.server_env(user)["JUPYTERHUB_DEFAULT_URL"] == url


def test_every_learner_runs_a_live_lab_at_the_same_time_and_it_agrees_with_the_engine(hub: Hub) -> None:
    def run(user: str):
        knobs = json.dumps(CONFIGS[user].to_dict())
        return hub.in_server(user, client_code(
            "lines = []\n"
            f"run = c.run(Config(**json.loads({knobs!r})), progress=lines.append)\n"
            "print(json.dumps({'run': run, 'lines': lines, 'me': c.status()['user']}))"))

    results = in_parallel(run, LEARNERS)
    for user, got in results.items():
        run, verdict = got["run"], predict(CONFIGS[user])
        assert got["me"] == user
        assert run["state"] == "done", run
        observed = run["result"]["observed"]
        assert (observed["outcome"], observed["browser"]["reachable"]) == (verdict.outcome, verdict.browser.reachable), user
        assert run["result"]["agree"] is True
        assert got["lines"][-1].startswith("Done in ")
    # Five at once with four workers: someone waited in line and was told their place.
    everything = [line for got in results.values() for line in got["lines"]]
    assert any(line.startswith("Waiting: 1st in line") for line in everything) or any(
        got["run"]["waited"] > 0.5 for got in results.values()), everything


def test_each_learners_labs_are_theirs_alone(hub: Hub) -> None:
    import docker

    up = {}
    for user in ("ada", "bea"):
        knobs = json.dumps(CONFIGS["cy"].to_dict())
        up[user] = hub.in_server(user, client_code(
            f"run = c.run(Config(**json.loads({knobs!r})), keep=True)\nprint(json.dumps(run))"))
        assert up[user]["state"] == "done" and up[user]["result"]["agree"] is True
    sessions = {user: up[user]["result"]["session"] for user in up}
    cli = docker.from_env()

    def running(session: str) -> list[str]:
        found = cli.containers.list(filters={"label": f"io.owui-lab.session={session}"})
        return [c.name for c in found if c.status == "running"]

    try:
        for user, session in sessions.items():
            names = running(session)
            assert names, f"{user}'s lab is not running"
            owners = {c.labels.get("io.owui-lab.owner") for c in cli.containers.list(
                filters={"label": f"io.owui-lab.session={session}"})}
            assert owners == {user}
        # Each sees only their own lab.
        for user, other in (("ada", "bea"), ("bea", "ada")):
            listed = json.dumps(hub.in_server(user, client_code("print(json.dumps(c.labs()))")))
            assert sessions[user] in listed and sessions[other] not in listed
        # Ada cannot read or stop Bea's run, even knowing its id; her token is hers alone.
        bea_run = up["bea"]["id"]
        refused = hub.in_server("ada", client_code(
            "out = []\n"
            f"for call in (lambda: c.get({bea_run!r}), lambda: c.cancel({bea_run!r})):\n"
            "    try:\n        call(); out.append('allowed')\n"
            "    except ServiceUnavailable as exc:\n        out.append(exc.message)\n"
            "print(json.dumps(out))"))
        assert all("No live run" in text for text in refused), refused
        # Ada's clean removes her lab and leaves Bea's running.
        hub.in_server("ada", client_code("print(json.dumps(c.clean()))"))
        assert running(sessions["ada"]) == []
        assert running(sessions["bea"]), "ada's clean removed bea's lab"
        hub.in_server("bea", client_code("print(json.dumps(c.clean()))"))
        assert running(sessions["bea"]) == []
    finally:
        cli.close()


def test_a_learners_token_cannot_act_as_another(hub: Hub) -> None:
    from owui_lab.classroom import ServiceClient, ServiceUnavailable

    ada_token = hub.server_env("ada")["JUPYTERHUB_API_TOKEN"]
    service = "http://{}:{}/services/owui-lab/".format(*hub.service_address())
    assert ServiceClient(service, ada_token).status()["user"] == "ada"
    # Ada's token on Bea's server: refused by the hub.
    with pytest.raises(urllib.error.HTTPError) as refused:
        hub.api("GET", "/user/bea/api/status", token=ada_token)
    assert refused.value.code in (403, 404)
    # A made-up token: refused by the service.
    with pytest.raises(ServiceUnavailable):
        ServiceClient(service, "0" * 32).status()
    # The instructor's views are the instructor's alone.
    with pytest.raises(ServiceUnavailable, match="Only the instructor"):
        ServiceClient(service, ada_token).request("GET", "api/questions")


def test_nothing_of_the_learners_labs_is_left(hub: Hub) -> None:
    import docker

    cli = docker.from_env()
    try:
        run_id = os.environ["OWUI_LAB_RUN"]
        left = [c.name for c in cli.containers.list(all=True, filters={"label": "io.owui-lab.managed=true"})
                if c.labels.get("io.owui-lab.run", "").startswith(run_id)]
        assert left == []
    finally:
        cli.close()


def test_in_a_learners_notebook_the_mode_is_classroom_and_run_live_goes_through_the_service(hub: Hub) -> None:
    got = hub.in_server("cy", "import json\nfrom owui_lab import environment, load_scenario\n"
                        "from owui_lab.widgets.live import live_check\n"
                        "mode = environment.detect()\nlines = []\n"
                        "report = live_check(load_scenario('linux-compose'), lines.append)\n"
                        "print(json.dumps({'mode': mode.to_dict(), 'ran': report.ran, 'agree': report.agree,\n"
                        "  'observed': report.observed.to_dict(), 'lines': lines}))")
    assert got["mode"]["kind"] == "classroom" and got["mode"]["live"] and not got["mode"]["binder"]
    assert "Binder" not in json.dumps(got["mode"])
    assert got["ran"] and got["agree"] is True
    assert got["observed"]["outcome"] == predict(load_scenario("linux-compose")).outcome
    assert got["lines"] and got["lines"][-1].startswith("Done in ")


# A lesson's own question, opened as the lesson's notebook opens it (only those reach the projector).
QUESTION = "from owui_lab.widgets.lesson import lesson\ncheck = lesson('01_ollama_on_host').exercise('linux')\n"
URLS = "from owui_lab.widgets.lesson import lesson\ncheck = lesson('01_ollama_on_host').exercise('which-urls')\n"


@pytest.mark.usefixtures("chromium_path")
def test_the_projector_fills_in_as_learners_answer_then_reveals_and_runs_it(hub: Hub) -> None:
    from bench.servers import chromium

    from owui_lab.lessons import lesson_question
    from owui_lab.service.answers import plain

    asked = lesson_question("01_ollama_on_host", "linux")
    verdict = predict(asked.config)
    with chromium(viewport=(1600, 1000), timeout_ms=60_000) as browser:
        page = browser.new_page()
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", hub.instructor)
        page.fill("input[name=password]", hub.password)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url("**/voila/**", timeout=120_000)
        page.goto(f"{hub.url}/services/owui-lab/projector")
        page.wait_for_selector("#empty:visible")
        # A learner's answer does not steer the projector: only the instructor's pick does.
        hub.in_server("cy", "import json\n" + URLS + "check.answer([])\nprint(json.dumps(True))")
        page.wait_for_timeout(1500)
        assert page.is_visible("#empty")
        page.click("#questions button[data-id='01_ollama_on_host.linux']")
        page.wait_for_selector("#current:not([hidden])")
        # Two learners check their first answers in their own notebooks (a second answer is not counted).
        hub.in_server("ada", "import json\n" + QUESTION + "check.answer('connection_refused'); check.answer('ok')\n"
                      "print(json.dumps(True))")
        page.wait_for_function("document.querySelector('#total') && document.querySelector('#total').textContent === '1 answer'")
        hub.in_server("bea", "import json\n" + QUESTION + "check.answer('ok')\nprint(json.dumps(True))")
        page.wait_for_function("document.querySelector('#total').textContent === '2 answers'")
        assert page.inner_text("#question") == plain(asked.text)
        rows = page.query_selector_all(".row")
        counts = {r.query_selector(".label").inner_text(): int(r.query_selector(".count").inner_text()) for r in rows}
        assert sum(counts.values()) == 2 and sorted(counts.values())[-2:] == [1, 1]
        # Geometry: the two answered options' bars are equally long and fill the track; the rest are empty.
        widths = [r.query_selector(".bar").bounding_box()["width"] for r in rows]
        track = rows[0].query_selector(".track").bounding_box()["width"]
        assert sorted(widths)[-2:] == [pytest.approx(track, abs=2)] * 2 and sorted(widths)[:-2] == [0] * (len(rows) - 2)
        # Readable from the back of the room.
        size = page.eval_on_selector(".row .label", "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 24
        assert not page.query_selector(".row.right")  # no answer key before the reveal
        # The reveal: the engine's answer, marked, with its reasons.
        page.click("#reveal")
        page.wait_for_selector(".row.right")
        right = [r.query_selector(".label").inner_text() for r in page.query_selector_all(".row.right")]
        assert len(right) == 1
        assert verdict.failing_step.reason.split(";")[0][:40] in page.inner_text("#verdict")
        # One click runs it for real, through the same service, as the instructor.
        page.click("#run")
        page.wait_for_selector("#live [data-live=ran]", timeout=120_000)
        assert "The engine was right" in page.inner_text("#live")
        # "Tick every URL that works": a bar per URL, counting every learner who ticked it.
        ticked = lesson_question("01_ollama_on_host", "which-urls")
        urls = list(ticked.key.values)
        hub.in_server("dee", "import json\n" + URLS + f"check.answer({urls[:2]!r})\nprint(json.dumps(True))")
        page.click("#questions button[data-id='01_ollama_on_host.which-urls']")
        page.wait_for_function("([text, n]) => document.querySelector('#question').textContent === text"
                               " && document.querySelector('#total').textContent.startsWith(n)",
                               arg=[plain(ticked.text), "2 answers"])
        counts = [int(r.query_selector(".count").inner_text()) for r in page.query_selector_all(".row")]
        assert counts == [1, 1, 0, 0]


def connects(hub: Hub, user: str, host: str, port: int) -> bool:
    """Whether a TCP connection from inside ``user``'s server to host:port succeeds (2 s)."""
    return hub.in_server(user, "import json, socket\ntry:\n"
                         f"    socket.create_connection(({host!r}, {port}), timeout=2).close(); ok = True\n"
                         "except OSError:\n    ok = False\nprint(json.dumps(ok))")


def test_learners_cannot_reach_each_other_nor_this_servers_ports_but_the_hub_and_the_service(hub: Hub) -> None:
    import socket

    ada, bea = hub.container("ada"), hub.container("bea")
    network = next(iter(bea.attrs["NetworkSettings"]["Networks"]))
    assert network.endswith("-learners")
    bea_ip = bea.attrs["NetworkSettings"]["Networks"][network]["IPAddress"]
    assert ada.attrs["HostConfig"]["PidsLimit"] == 512
    # Another learner's Jupyter server: no traffic between learners' containers.
    assert not connects(hub, "ada", bea_ip, 8888)
    service_host, service_port = hub.service_address()
    assert connects(hub, "ada", service_host, service_port)  # the lab service: yes
    # A port on this server that is neither the hub's nor the service's (a host stand-in's, say): no.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((service_host, 0))
    listener.listen(8)
    try:
        port = listener.getsockname()[1]
        if os.geteuid() != 0:
            pytest.skip("the hub limits learners to its own ports only when it runs as root (CI does)")
        assert "owuilab-" in iptables_chains()
        assert not connects(hub, "ada", service_host, port)
    finally:
        listener.close()
