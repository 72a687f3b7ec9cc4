"""The hub's configuration, read as JupyterHub reads it (no hub started), and the Zero to JupyterHub values."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy" / "jupyterhub"


def load_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str):
    from traitlets.config.loader import PyFileConfigLoader

    settings = {"OWUI_LAB_BRIDGE_IP": "172.17.0.1", "OWUI_LAB_HUB_DIR": str(tmp_path / "hub"),
                "OWUI_LAB_CLASS_PASSWORD": "class-password", "OWUI_LAB_INSTRUCTOR_PASSWORD": "i" * 32}
    settings.update(env)
    for name in [n for n in __import__("os").environ if n.startswith("OWUI_LAB_") and n not in settings]:
        monkeypatch.delenv(name)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY)).load_config()


def first_use_login(c):
    """A login with the first-use authenticator as the hub configures it: the name it lets in, or None."""
    import asyncio

    from firstuseauthenticator import FirstUseAuthenticator

    auth = FirstUseAuthenticator(config=c)
    auth._user_exists = lambda name: True

    class Handler:
        custom_login_error = ""

    def login(name: str, password: str):
        return asyncio.run(auth.authenticate(Handler(), {"username": name, "password": password}))

    return login


def test_the_default_hub_spawns_limited_learner_servers_without_the_docker_socket(monkeypatch, tmp_path) -> None:
    c = load_config(monkeypatch, tmp_path)
    assert c.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert c.DockerSpawner.image == "owui-lab/learner:offline"
    assert c.DockerSpawner.mem_limit == "768M" and c.DockerSpawner.cpu_limit == 1.0
    assert c.DockerSpawner.volumes == {}
    assert c.Spawner.default_url == "/lab/tree/notebooks/00_welcome.ipynb"
    assert c.DockerSpawner.environment["OWUI_LAB_CLASSROOM"] == "1"
    assert c.Authenticator.admin_users == {"instructor"}
    service, culler = c.JupyterHub.services
    assert service["name"] == "owui-lab" and service["url"] == "http://172.17.0.1:8765"
    assert service["command"][1:] == ["-m", "owui_lab.service"]
    assert "access:services!service=owui-lab" in c.Spawner.server_token_scopes


def test_the_class_list_and_the_instructors_are_who_may_log_in(monkeypatch, tmp_path) -> None:
    names = tmp_path / "class.txt"
    names.write_text("ada\nbea  # second row\n\n# absent today: cy\n")
    c = load_config(monkeypatch, tmp_path, OWUI_LAB_CLASS_LIST=str(names), OWUI_LAB_INSTRUCTORS="kim, lee")
    assert c.Authenticator.allowed_users == {"ada", "bea", "kim", "lee"}
    assert c.Authenticator.admin_users == {"kim", "lee"}
    assert c.JupyterHub.services[0]["environment"]["OWUI_LAB_INSTRUCTORS"] == "kim,lee"


@pytest.mark.parametrize("env, message", [
    ({"OWUI_LAB_AUTHENTICATOR": "shared-password", "OWUI_LAB_CLASS_PASSWORD": "short"}, "OWUI_LAB_CLASS_PASSWORD"),
    ({"OWUI_LAB_INSTRUCTOR_PASSWORD": "short"}, "OWUI_LAB_INSTRUCTOR_PASSWORD"),
    ({"OWUI_LAB_CLASS_LIST": "/nonexistent/class.txt"}, "one learner name per line"),
    ({"OWUI_LAB_HUB_ID": "Room 101"}, "lower-case letters"),
    ({"OWUI_LAB_AUTHENTICATOR": "dummy"}, "OWUI_LAB_HUB_PASSWORD"),
])
def test_bad_settings_stop_the_hub_with_what_to_do(monkeypatch, tmp_path, env, message) -> None:
    with pytest.raises(SystemExit, match=message):
        load_config(monkeypatch, tmp_path, **env)


def test_the_zero_to_jupyterhub_values_name_the_same_image_limits_and_service(monkeypatch, tmp_path) -> None:
    names = tmp_path / "class.txt"
    names.write_text("ada\n")
    c = load_config(monkeypatch, tmp_path, OWUI_LAB_CLASS_LIST=str(names))
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    single = values["singleuser"]
    assert f"{single['image']['name']}:{single['image']['tag']}" == c.DockerSpawner.image
    assert single["memory"]["limit"] == c.DockerSpawner.mem_limit
    assert float(single["cpu"]["limit"]) == c.DockerSpawner.cpu_limit
    assert single["defaultUrl"] == c.Spawner.default_url
    assert single["extraEnv"]["OWUI_LAB_CLASSROOM"] == c.DockerSpawner.environment["OWUI_LAB_CLASSROOM"]
    assert single["extraEnv"]["OWUI_LAB_SERVICE_URL"].endswith("/services/owui-lab/")
    hub = values["hub"]
    assert set(hub["services"]) | {"idle-culler"} == {s["name"] for s in c.JupyterHub.services}
    assert values["cull"]["enabled"]
    assert hub["config"]["Spawner"]["server_token_scopes"] == c.Spawner.server_token_scopes
    assert hub["loadRoles"]["user"]["scopes"] == c.JupyterHub.load_roles[0]["scopes"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == c.JupyterHub.authenticator_class
    assert "instructor.ipynb" in hub["extraConfig"]["owui-lab-instructor-voila"]
    assert "docker.sock" not in (DEPLOY / "z2jh-values.yaml").read_text()


# ---- one person, one account; learners apart; the rush (issue 24) ----

def test_by_default_each_learner_sets_their_own_password_and_the_instructors_is_set_before_anyone_comes(
        monkeypatch, tmp_path) -> None:
    import dbm

    names = tmp_path / "class.txt"
    names.write_text("ada\nbea\n")
    c = load_config(monkeypatch, tmp_path, OWUI_LAB_CLASS_LIST=str(names))
    assert c.JupyterHub.authenticator_class == "firstuseauthenticator.FirstUseAuthenticator"
    assert c.Authenticator.allowed_users == {"ada", "bea", "instructor"}
    login = first_use_login(c)

    assert login("ada", "ada-own-secret") == "ada"  # her first login sets her password
    assert login("ada", "class-password") is None  # nobody else gets in as ada, not with the class password
    assert login("instructor", "learner-guess-1") is None  # the instructor's name cannot be claimed
    assert login("instructor", "i" * 32) == "instructor"
    from owui_lab.service.accounts import reset_password

    assert reset_password(c.FirstUseAuthenticator.dbm_path, "ada")  # the instructor resets ada's
    assert login("ada", "ada-new-secret") == "ada"
    with dbm.open(c.FirstUseAuthenticator.dbm_path) as db:
        assert set(db.keys()) == {b"ada", b"instructor"}


def test_a_drop_in_room_caps_accounts_per_source_and_in_all(monkeypatch, tmp_path) -> None:
    import asyncio

    from owui_lab.service.accounts import DropInAuthenticator

    c = load_config(monkeypatch, tmp_path, OWUI_LAB_DROP_IN_ACCOUNTS="12", OWUI_LAB_DROP_IN_PER_MINUTE="5")
    assert c.JupyterHub.authenticator_class == "owui_lab.service.accounts.DropInAuthenticator"
    auth = DropInAuthenticator(config=c)

    class Handler:
        def __init__(self, ip: str) -> None:
            self.request = type("R", (), {"remote_ip": ip})()
            self.custom_login_error = ""

    def login(name: str, ip: str):
        return asyncio.run(auth.authenticate(Handler(ip), {"username": name, "password": "password-" + name}))

    made = [login(f"sock{i:03d}", "10.0.0.66") for i in range(100)]  # one person, a hundred names
    assert sum(1 for m in made if m) == 5
    assert login("sock000", "10.0.0.66") == "sock000"  # an existing account still logs in
    others = [login(f"guest{i}", f"10.0.1.{i}") for i in range(20)]
    assert sum(1 for m in others if m) == 12 - 1 - 5  # the room's cap (the instructor's account counts)


def test_learner_servers_are_apart_limited_and_culled_and_a_rush_is_not_turned_away(monkeypatch, tmp_path) -> None:
    c = load_config(monkeypatch, tmp_path)
    assert c.DockerSpawner.network_name.endswith("-learners") and c.DockerSpawner.use_internal_ip
    assert c.DockerSpawner.extra_host_config["pids_limit"] <= 1024
    assert c.JupyterHub.concurrent_spawn_limit >= 100
    assert c.Spawner.http_timeout >= 300 and c.Spawner.start_timeout >= 300  # a rush waits, it is not given up on
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert culler["command"][1:3] == ["-m", "jupyterhub_idle_culler"]
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "idle-culler")
    assert "delete:servers" in role["scopes"] and "admin" not in role["scopes"]


def test_learner_servers_start_lighter_and_the_instructors_keeps_voila(monkeypatch, tmp_path) -> None:
    from types import SimpleNamespace

    c = load_config(monkeypatch, tmp_path)
    hook = c.Spawner.pre_spawn_hook
    hook.__globals__["_isolated"].append("192.0.2.0/24")  # the learners' network exists (no daemon here)
    learner = SimpleNamespace(user=SimpleNamespace(name="ada"), args=[], volumes={}, default_url="")
    teacher = SimpleNamespace(user=SimpleNamespace(name="instructor"), args=[], volumes={}, default_url="")
    hook(learner)
    hook(teacher)
    assert "--ServerApp.jpserver_extensions=voila.server_extension=False" in learner.args
    assert teacher.args == [] and teacher.default_url.startswith("/voila/")


def test_with_login_codes_nobody_claims_a_name_before_its_owner_comes(monkeypatch, tmp_path) -> None:
    """OWUI_LAB_LOGIN_CODES=1: each learner's first password is a code the instructor hands out (a file only
    its owner reads); a wrong one lets nobody in, the code does, a restart issues none again, and a reset
    gives that one learner a new code."""
    import stat

    from owui_lab.service.accounts import CODE_LETTERS, main

    names = tmp_path / "class.txt"
    names.write_text("ada\nbea\n")
    c = load_config(monkeypatch, tmp_path, OWUI_LAB_CLASS_LIST=str(names), OWUI_LAB_LOGIN_CODES="1")
    codes_file = tmp_path / "hub" / "login-codes.txt"
    assert stat.S_IMODE(codes_file.stat().st_mode) == 0o600
    codes = dict(line.split("\t") for line in codes_file.read_text().splitlines())
    assert set(codes) == {"ada", "bea"}  # the learners, not the instructor (whose password is their own)
    assert all(len(code) == 14 and set(code) <= set(CODE_LETTERS + "-") for code in codes.values())
    login = first_use_login(c)

    assert login("bea", "a-classmate-first") is None  # bea's name cannot be claimed before she comes
    assert login("bea", codes["bea"]) == "bea"
    assert login("ada", codes["bea"]) is None  # a code is one learner's
    before = codes_file.read_text()
    load_config(monkeypatch, tmp_path, OWUI_LAB_CLASS_LIST=str(names), OWUI_LAB_LOGIN_CODES="1")
    assert codes_file.read_text() == before  # a restart keeps every slip handed out valid
    assert main([c.FirstUseAuthenticator.dbm_path, "ada", "--code", str(codes_file)]) == 0
    fresh = codes_file.read_text().splitlines()[-1].split("\t")[1]
    assert login("ada", codes["ada"]) is None and login("ada", fresh) == "ada"


@pytest.mark.parametrize("codes", ["", "1"])
def test_the_reset_password_script_resets_one_learner(tmp_path, codes) -> None:
    """``deploy/jupyterhub/reset-password NAME`` as the instructor types it: the name's password goes (with login
    codes, a new code is printed and appended to the codes file)."""
    import dbm
    import os
    import subprocess
    import sys

    hub = tmp_path / "hub"
    hub.mkdir()
    with dbm.open(str(hub / "passwords.dbm"), "c", 0o600) as db:
        db[b"ada"] = b"$2b$12$an-old-hash"
    env = {**os.environ, "OWUI_LAB_HUB_DIR": str(hub), "OWUI_LAB_VENV": str(Path(sys.executable).parent.parent),
           "OWUI_LAB_LOGIN_CODES": codes}
    done = subprocess.run([str(DEPLOY / "reset-password"), "ada"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with dbm.open(str(hub / "passwords.dbm")) as db:
        stored = db.get(b"ada")
    if codes:
        code = (hub / "login-codes.txt").read_text().split("\t")[1].strip()
        assert f"new login code {code}" in done.stdout and stored not in (None, b"$2b$12$an-old-hash")
    else:
        assert "sets a new password at their next login" in done.stdout and stored is None
