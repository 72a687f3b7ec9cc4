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


def test_the_default_hub_spawns_limited_learner_servers_without_the_docker_socket(monkeypatch, tmp_path) -> None:
    c = load_config(monkeypatch, tmp_path)
    assert c.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert c.DockerSpawner.image == "owui-lab/learner:offline"
    assert c.DockerSpawner.mem_limit == "768M" and c.DockerSpawner.cpu_limit == 1.0
    assert c.DockerSpawner.volumes == {}
    assert c.Spawner.default_url == "/lab/tree/notebooks/00_welcome.ipynb"
    assert c.DockerSpawner.environment["OWUI_LAB_CLASSROOM"] == "1"
    assert c.JupyterHub.authenticator_class == "shared-password"
    assert c.Authenticator.admin_users == {"instructor"}
    (service,) = c.JupyterHub.services
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
    ({"OWUI_LAB_CLASS_PASSWORD": "short"}, "OWUI_LAB_CLASS_PASSWORD"),
    ({"OWUI_LAB_CLASS_LIST": "/nonexistent/class.txt"}, "one learner name per line"),
    ({"OWUI_LAB_HUB_ID": "Room 101"}, "lower-case letters"),
    ({"OWUI_LAB_AUTHENTICATOR": "dummy"}, "OWUI_LAB_HUB_PASSWORD"),
])
def test_bad_settings_stop_the_hub_with_what_to_do(monkeypatch, tmp_path, env, message) -> None:
    with pytest.raises(SystemExit, match=message):
        load_config(monkeypatch, tmp_path, **env)


def test_the_zero_to_jupyterhub_values_name_the_same_image_limits_and_service(monkeypatch, tmp_path) -> None:
    c = load_config(monkeypatch, tmp_path)
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    single = values["singleuser"]
    assert f"{single['image']['name']}:{single['image']['tag']}" == c.DockerSpawner.image
    assert single["memory"]["limit"] == c.DockerSpawner.mem_limit
    assert float(single["cpu"]["limit"]) == c.DockerSpawner.cpu_limit
    assert single["defaultUrl"] == c.Spawner.default_url
    assert single["extraEnv"]["OWUI_LAB_CLASSROOM"] == c.DockerSpawner.environment["OWUI_LAB_CLASSROOM"]
    assert single["extraEnv"]["OWUI_LAB_SERVICE_URL"].endswith("/services/owui-lab/")
    hub = values["hub"]
    assert set(hub["services"]) == {s["name"] for s in c.JupyterHub.services}
    assert hub["config"]["Spawner"]["server_token_scopes"] == c.Spawner.server_token_scopes
    assert hub["loadRoles"]["user"]["scopes"] == c.JupyterHub.load_roles[0]["scopes"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == c.JupyterHub.authenticator_class
    assert "instructor.ipynb" in hub["extraConfig"]["owui-lab-instructor-voila"]
    assert "docker.sock" not in (DEPLOY / "z2jh-values.yaml").read_text()
