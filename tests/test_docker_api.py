"""docker_api: the one module that talks to the daemon.

Offline: daemon classification from recorded payload shapes, labels, names, the image rule, the pull
progress, error paragraphs. Live (marked docker): cleanup by label spares unlabelled look-alikes,
probes from another container's namespace.
"""

from __future__ import annotations

import json
import os
import re
import secrets

import pytest

from owui_lab import docker_api
from owui_lab.errors import DockerUnavailable, ImageMissing, LabError

# Shapes recorded from `docker info` / `docker version` (trimmed to the fields the kit reads).
LINUX_INFO = {"OperatingSystem": "Debian GNU/Linux 12 (bookworm)", "OSType": "linux", "ServerVersion": "20.10.24+dfsg1",
              "SecurityOptions": ["name=seccomp,profile=default"]}
LINUX_VERSION = {"Platform": {"Name": ""}, "ApiVersion": "1.41", "Version": "20.10.24+dfsg1",
                 "Components": [{"Name": "Engine"}, {"Name": "containerd"}, {"Name": "runc"}, {"Name": "docker-init"}]}
DESKTOP_INFO = {"OperatingSystem": "Docker Desktop", "OSType": "linux", "ServerVersion": "27.3.1",
                "SecurityOptions": ["name=seccomp,profile=unconfined", "name=cgroupns"]}
DESKTOP_VERSION = {"Platform": {"Name": "Docker Desktop 4.36.0 (175267)"}, "ApiVersion": "1.47", "Version": "27.3.1",
                   "Components": [{"Name": "Engine"}]}
ROOTLESS_INFO = {"OperatingSystem": "Ubuntu 24.04 LTS", "ServerVersion": "27.0.3",
                 "SecurityOptions": ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"]}
PODMAN_VERSION = {"Platform": {"Name": "linux/amd64/fedora-40"}, "ApiVersion": "1.41", "Version": "5.2.2",
                  "Components": [{"Name": "Podman Engine", "Version": "5.2.2"}]}


@pytest.mark.parametrize(
    ("info", "version", "kind", "platform"),
    [
        (LINUX_INFO, LINUX_VERSION, "engine", "linux"),
        (DESKTOP_INFO, DESKTOP_VERSION, "desktop", "desktop"),
        (ROOTLESS_INFO, LINUX_VERSION, "rootless", "linux"),
        ({"OperatingSystem": "fedora"}, PODMAN_VERSION, "podman", "linux"),
        ({}, {}, "engine", "linux"),  # fields go missing across versions: read tolerantly
    ],
)
def test_daemon_kind_is_read_from_info_and_version(info, version, kind, platform) -> None:
    d = docker_api.parse_daemon_info(info, version, "172.17.0.1")
    assert (d.kind, d.platform) == (kind, platform)
    assert d.description
    json.dumps(d.to_dict())


def test_labels_carry_the_namespace_session_role_owner_and_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWUI_LAB_RUN", "run-42")
    monkeypatch.setenv("OWUI_LAB_OWNER", "ada")
    got = docker_api.labels("1a2b3c4d", "ollama")
    assert got == {"io.owui-lab.managed": "true", "io.owui-lab.session": "1a2b3c4d",
                   "io.owui-lab.role": "ollama", "io.owui-lab.owner": "ada", "io.owui-lab.run": "run-42"}
    monkeypatch.delenv("OWUI_LAB_RUN")
    assert "io.owui-lab.run" not in docker_api.labels("1a2b3c4d", "ollama")
    assert all(k.startswith("io.owui-lab.") for k in got)
    assert docker_api.labels("1a2b3c4d", "ollama", owner="grace")["io.owui-lab.owner"] == "grace"


def test_the_owner_is_the_variable_else_the_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    import pwd

    monkeypatch.setenv("OWUI_LAB_OWNER", "learner-7@school")
    assert docker_api.current_owner() == "learner-7@school"
    monkeypatch.delenv("OWUI_LAB_OWNER")
    monkeypatch.setenv("USER", "someone-else")  # the uid decides, not a variable sudo may leave behind
    assert docker_api.current_owner() == pwd.getpwuid(os.getuid()).pw_name


@pytest.mark.parametrize("bad", ["", " ", "a b", "../x", "x\n", "x=y", "-x", "a" * 129])
def test_an_empty_or_malformed_owner_is_an_error_not_a_fallback(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("OWUI_LAB_OWNER", bad)
    with pytest.raises(LabError, match="OWUI_LAB_OWNER"):
        docker_api.current_owner()
    with pytest.raises(LabError):
        docker_api.label_filters()


def test_label_filters_select_the_callers_own_objects_unless_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWUI_LAB_OWNER", "ada")
    assert docker_api.label_filters() == {"label": ["io.owui-lab.managed=true", "io.owui-lab.owner=ada"]}
    assert docker_api.label_filters("s1", "r1") == {
        "label": ["io.owui-lab.managed=true", "io.owui-lab.session=s1", "io.owui-lab.run=r1", "io.owui-lab.owner=ada"]}
    assert docker_api.label_filters(owner="grace")["label"][-1] == "io.owui-lab.owner=grace"
    assert docker_api.label_filters(everyone=True) == {"label": ["io.owui-lab.managed=true"]}
    with pytest.raises(LabError):
        docker_api.label_filters(owner="grace", everyone=True)


@pytest.mark.parametrize("session", ["", "../../victim", "a/b", "a.b", "a-b", " ", "x" * 65, None, 5])
def test_empty_or_malformed_session_selectors_are_errors(session: object) -> None:
    with pytest.raises(LabError, match="session id"):
        docker_api.check_session(session)
    if isinstance(session, str):
        with pytest.raises(LabError):
            docker_api.label_filters(session=session)


@pytest.mark.parametrize("run", ["", " ", "a/b", "../r", "x" * 129])
def test_empty_or_malformed_run_selectors_are_errors(run: str) -> None:
    with pytest.raises(LabError, match="run id"):
        docker_api.label_filters(run=run)


def test_names_follow_one_deterministic_rule() -> None:
    session = docker_api.new_session_id()
    assert re.fullmatch(r"[0-9a-f]{8}", session)
    assert docker_api.new_session_id() != session
    assert docker_api.container_name("1a2b3c4d", "ollama") == "owui-lab-1a2b3c4d-ollama"
    assert docker_api.network_name("1a2b3c4d", "ollama-net") == "owui-lab-1a2b3c4d-ollama-net"
    # a learner's own "ollama" / "open-webui" can never be one of ours
    assert docker_api.container_name(session, "ollama") not in ("ollama", "open-webui")


def test_image_comes_from_the_argument_then_the_environment_then_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OWUI_LAB_IMAGE", raising=False)
    assert docker_api.image_name() == "python:3.12-slim"
    monkeypatch.setenv("OWUI_LAB_IMAGE", "owui-lab/python:offline")
    assert docker_api.image_name() == "owui-lab/python:offline"
    assert docker_api.image_name("my/python:3") == "my/python:3"
    assert docker_api._split_image("python:3.12-slim") == ("python", "3.12-slim")
    assert docker_api._split_image("127.0.0.1:5000/x/y") == ("127.0.0.1:5000/x/y", "latest")
    assert docker_api._split_image("127.0.0.1:5000/x/y:t") == ("127.0.0.1:5000/x/y", "t")


class _FakeImages:
    def __init__(self) -> None:
        self.pulled = False

    def get(self, name: str) -> object:
        from docker.errors import ImageNotFound

        if not self.pulled:
            raise ImageNotFound("no such image")
        return object()


class _FakeApi:
    def __init__(self, images: _FakeImages, events: list[dict]) -> None:
        self.images, self.events = images, events

    def pull(self, repo: str, tag: str, stream: bool, decode: bool):
        for e in self.events:
            yield e
        if not any("error" in e for e in self.events):
            self.images.pulled = True


class _FakeClient:
    def __init__(self, events: list[dict]) -> None:
        self.images = _FakeImages()
        self.api = _FakeApi(self.images, events)


def test_a_missing_image_is_pulled_with_progress() -> None:
    events = [
        {"status": "Pulling from library/python", "id": "3.12-slim"},
        {"status": "Downloading", "id": "l1", "progressDetail": {"current": 50, "total": 100}},
        {"status": "Downloading", "id": "l2", "progressDetail": {"current": 10, "total": 300}},
        {"status": "Downloading", "id": "l1", "progressDetail": {"current": 100, "total": 100}},
        {"status": "Pull complete", "id": "l2", "progressDetail": {}},
    ]
    seen: list[tuple[str, int, int]] = []
    name = docker_api.ensure_image(_FakeClient(events), "python:3.12-slim", progress=lambda *a: seen.append(a))
    assert name == "python:3.12-slim"
    assert seen[2] == ("Downloading", 60, 400)
    assert seen[-2] == ("Pull complete", 400, 400)  # the last layer finished: the bar is full
    assert seen[-1] == ("done", -1, -1)


def test_no_registry_and_no_image_says_how_to_build_the_offline_one() -> None:
    events = [{"error": "Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io: no such host"}]
    with pytest.raises(ImageMissing) as err:
        docker_api.ensure_image(_FakeClient(events), "python:3.12-slim", progress=False)
    text = str(err.value)
    assert "scripts/build-offline-image.sh" in text and "OWUI_LAB_IMAGE" in text and "python:3.12-slim" in text


def test_no_daemon_is_one_paragraph_with_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such.sock")
    with pytest.raises(DockerUnavailable) as err:
        docker_api.client(timeout=3)
    text = str(err.value)
    assert "No Docker daemon answers" in text and "Hint:" in text and "\n" not in text
    assert "Traceback" not in text


def test_permission_denied_on_the_socket_hints_at_the_docker_group() -> None:
    exc = docker_api._unavailable(PermissionError(13, "Permission denied"), "unix:///var/run/docker.sock")
    assert "permission denied" in str(exc) and "docker group" in str(exc) and "sudo" in str(exc)


def test_probe_output_is_parsed_or_refused_clearly() -> None:
    out = json.dumps({"results": [{"url": "http://x:1", "outcome": "ok", "detail": "", "seconds": 0.1}]})
    assert docker_api.parse_probe_output("noise\n" + out + "\n")[0]["outcome"] == "ok"
    with pytest.raises(LabError):
        docker_api.parse_probe_output("python3: not found")


# ---------------------------------------------------------------------------------------------
# Live
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli():
    client = docker_api.client()
    yield client
    client.close()


@pytest.mark.usefixtures("docker_daemon")
def test_the_daemon_here_is_a_linux_engine(cli) -> None:
    info = docker_api.daemon_info(cli)
    assert info.platform == "linux"
    assert info.docker0 and info.docker0.count(".") == 3


@pytest.mark.usefixtures("docker_daemon")
def test_cleanup_by_label_spares_unlabelled_look_alikes(cli) -> None:
    from tests.lab_support import stand_in_image

    image = stand_in_image()
    session = docker_api.new_session_id()
    suffix = secrets.token_hex(3)
    look_alikes = []
    ours = []
    try:
        # A learner's own containers and network, named like ours would be: never touched.
        look_alikes.append(cli.containers.create(image, ["python3", "-c", "pass"], name=f"ollama-{suffix}"))
        look_alikes.append(cli.containers.create(image, ["python3", "-c", "pass"],
                                                 name=docker_api.container_name(suffix, "ollama") + "-mine"))
        learner_net = cli.networks.create(f"ollama-net-{suffix}")
        ours.append(cli.containers.create(image, ["python3", "-c", "pass"], labels=docker_api.labels(session, "ollama"),
                                          name=docker_api.container_name(session, "ollama")))
        ours.append(cli.networks.create(docker_api.network_name(session, "net"), labels=docker_api.labels(session, "network")))
        removed = docker_api.remove_labelled(cli, session=session)
        assert sorted(removed.containers) == [docker_api.container_name(session, "ollama")]
        assert removed.networks == (docker_api.network_name(session, "net"),)
        assert docker_api.list_labelled(cli, session=session) == []
        for c in look_alikes:
            c.reload()  # still there
        learner_net.reload()
        everything = docker_api.list_labelled(cli)  # the selection `lab clean` sweeps
        assert not any(suffix in name for name in everything)
    finally:
        for c in look_alikes:
            c.remove(force=True)
        if "learner_net" in locals():
            learner_net.remove()
        docker_api.remove_labelled(cli, session=session)


@pytest.mark.usefixtures("docker_daemon")
def test_probe_from_another_containers_namespace_sees_what_it_sees(cli) -> None:
    from owui_lab.standins import source
    from tests.lab_support import stand_in_image

    image = stand_in_image()
    session = docker_api.new_session_id()
    try:
        net = cli.networks.create(docker_api.network_name(session, "ns"), labels=docker_api.labels(session, "network"))
        ollama = cli.containers.run(
            image, ["python3", "-c", source("ollama"), "--quiet"], detach=True, init=True,
            environment={"OLLAMA_HOST": "0.0.0.0:11434"}, labels=docker_api.labels(session, "ollama"),
            name=docker_api.container_name(session, "ollama"), network=net.name,
            networking_config={net.name: cli.api.create_endpoint_config(aliases=["ollama"])},
        )
        # The target has no probe of its own: any process will do; it only lends its namespace.
        target = cli.containers.run(
            image, ["python3", "-c", "import time; time.sleep(600)"], detach=True, init=True,
            labels=docker_api.labels(session, "webui"), name=docker_api.container_name(session, "webui"),
            network=net.name,
        )
        docker_api.wait_listening(ollama, "127.0.0.1", 11434, 15)
        results = docker_api.probe_from_namespace(
            cli, target, ["http://ollama:11434", "http://localhost:11434", "http://nosuchname:11434"],
            timeout=3, session=session)
        assert [r["outcome"] for r in results] == ["ok", "connection_refused", "name_not_resolved"]
        # the short-lived probe container is gone already
        roles = {c.labels.get(docker_api.LABEL_ROLE) for c in cli.containers.list(all=True, filters=docker_api.label_filters(session))}
        assert roles == {"ollama", "webui"}
        assert docker_api.probe_by_exec(ollama, ["http://127.0.0.1:11434"], 3)[0]["outcome"] == "ok"
    finally:
        docker_api.remove_labelled(cli, session=session)
    assert docker_api.list_labelled(cli, session=session) == []


@pytest.mark.usefixtures("docker_daemon")
def test_the_offline_image_is_used_when_nobody_chose_one_and_the_default_is_missing(cli, monkeypatch) -> None:
    from tests.lab_support import stand_in_image

    stand_in_image()
    try:
        cli.images.get(docker_api.OFFLINE_IMAGE)
    except Exception:  # noqa: BLE001
        pytest.skip("the offline image is not built here")
    try:
        cli.images.get(docker_api.DEFAULT_IMAGE)
        pytest.skip(f"{docker_api.DEFAULT_IMAGE} is present: nothing to fall back from")
    except Exception:  # noqa: BLE001
        pass
    monkeypatch.delenv("OWUI_LAB_IMAGE", raising=False)
    assert docker_api.ensure_image(cli, None, progress=False) == docker_api.OFFLINE_IMAGE


@pytest.mark.parametrize("good", ["owui-lab/python:offline", "python:3.12-slim", "localhost:5000/a/b:1",
                                  "registry.example.com/team/x@sha256:" + "a" * 64, "Registry.Example.com/x"])
def test_image_names_follow_dockers_grammar(good: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWUI_LAB_IMAGE", good)
    assert docker_api.image_name() == good


@pytest.mark.parametrize("bad", ["UPPER/Case:tag", "Python", "", "a b", "x:", "ghcr.io/Org/x:1", "x" * 256, "a//b"])
def test_a_malformed_image_name_says_so_not_that_the_daemon_is_dead(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OWUI_LAB_IMAGE", bad)
    with pytest.raises(ImageMissing, match="is not a Docker image name") as caught:
        docker_api.image_name()
    assert "OWUI_LAB_IMAGE" in caught.value.message and "start Docker" not in str(caught.value)


def test_a_malformed_docker_host_is_the_kits_error(monkeypatch):
    """DOCKER_HOST='tcp://[::1' (urllib's ValueError inside the SDK) is a DockerUnavailable paragraph."""
    from owui_lab import docker_api
    from owui_lab.errors import DockerUnavailable

    monkeypatch.setenv("DOCKER_HOST", "tcp://[::1")
    with pytest.raises(DockerUnavailable, match=r"DOCKER_HOST='tcp://\[::1' is not an address"):
        docker_api.client(timeout=5)


@pytest.mark.usefixtures("docker_daemon")
def test_exec_in_gives_up_on_a_command_that_never_ends():
    """Every exec stream is read with a deadline (the SDK's exec_run reads it with none)."""
    import time

    from tests.lab_support import stand_in_image

    image = stand_in_image()
    cli = docker_api.client()
    session = docker_api.new_session_id()
    c = cli.containers.run(image, ["sleep", "60"], detach=True, init=True, labels=docker_api.labels(session, "probe"))
    try:
        assert docker_api.exec_in(c, ["python3", "-c", "import sys; print('hi'); sys.exit(3)"], 20) == (3, "hi\n")
        started = time.monotonic()
        with pytest.raises(LabError, match="no answer within 1 s"):
            docker_api.exec_in(c, ["sleep", "30"], 1)
        assert time.monotonic() - started < 5
    finally:
        c.remove(force=True)
        cli.close()


@pytest.mark.parametrize("run_id", ["a b", "x\n", "ü"])
def test_a_run_id_the_clean_command_would_refuse_is_never_written_as_a_label(monkeypatch, run_id):
    monkeypatch.setenv(docker_api.RUN_ENV, run_id)
    with pytest.raises(LabError, match="is not a run id"):
        docker_api.labels(docker_api.new_session_id(), "ollama")
