"""JupyterHub for a classroom on one server: one learner server per learner, live labs via a service.

Start it with ``deploy/jupyterhub/start-hub`` (or ``make hub``); every setting below is an
environment variable with a default that suits a class of 30 on one server (the README's instructor
guide lists them):

* Each learner gets a DockerSpawner container from the learner image (``Dockerfile.learner``) with a
  memory and CPU limit, JupyterLab opening on ``00_welcome``; instructors open the instructor
  notebook under Voila. **No learner server gets the host's Docker socket**: live labs run through
  the ``owui-lab`` service (``owui_lab.service``), which runs them on the server's daemon on the
  learner's behalf, labelled with the learner's name, one queue for the room.
* Authentication: the class list (``OWUI_LAB_CLASS_LIST``, one name per line) with a shared class
  password and an instructor password (JupyterHub's ``SharedPasswordAuthenticator``), or any
  authenticator class named by ``OWUI_LAB_AUTHENTICATOR`` (e.g. ``oauthenticator.GitHubOAuthenticator``,
  configured in a ``jupyterhub_config.local.py`` beside this file); ``dummy`` for tests.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub's config loader provides it

HERE = Path(__file__).resolve().parent
SERVICE_NAME = "owui-lab"


def setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def names(text: str) -> set[str]:
    return {n.strip() for n in re.split(r"[,\s]+", text) if n.strip() and not n.strip().startswith("#")}


def class_list(path: str) -> set[str]:
    if not path:
        return set()
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"OWUI_LAB_CLASS_LIST={path} is not a file. Hint: write one learner name per line.")
    return {line.split("#", 1)[0].strip() for line in file.read_text().splitlines()} - {""}


# ---- where the hub keeps its state (database, cookie secret, proxy pid) ----------------------------
state = Path(setting("OWUI_LAB_HUB_DIR", str(Path.home() / ".local/share/owui-lab/hub")))
state.mkdir(parents=True, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# ---- addresses -------------------------------------------------------------------------------------
# Learners' browsers come through the proxy (the URL to hand out). The hub's API and the lab service
# listen on the Docker bridge's gateway (docker0), which learner containers reach and the LAN does not.
bridge_ip = setting("OWUI_LAB_BRIDGE_IP", "")
if not bridge_ip:
    sys.path.insert(0, str(HERE.parent.parent))  # the kit, also when run from a checkout
    from owui_lab import docker_api

    cli = docker_api.client(timeout=10)
    try:
        bridge_ip = docker_api.default_bridge_gateway(cli) or "172.17.0.1"
    finally:
        cli.close()
c.JupyterHub.ip = setting("OWUI_LAB_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(setting("OWUI_LAB_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = bridge_ip
c.JupyterHub.hub_port = int(setting("OWUI_LAB_HUB_API_PORT", "8081"))
c.JupyterHub.hub_connect_ip = bridge_ip
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{setting('OWUI_LAB_PROXY_API_PORT', '8001')}"

# ---- who may log in ----------------------------------------------------------------------------------
instructors = names(setting("OWUI_LAB_INSTRUCTORS", "instructor"))
learners = class_list(setting("OWUI_LAB_CLASS_LIST", ""))
authenticator = setting("OWUI_LAB_AUTHENTICATOR", "shared-password")
c.Authenticator.admin_users = instructors
if authenticator == "dummy":
    # Tests only: any password given in OWUI_LAB_HUB_PASSWORD, for any name on the class list.
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = setting("OWUI_LAB_HUB_PASSWORD", "")
    if not c.DummyAuthenticator.password:
        raise SystemExit("OWUI_LAB_AUTHENTICATOR=dummy needs OWUI_LAB_HUB_PASSWORD (anyone could log in).")
elif authenticator == "shared-password":
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = setting("OWUI_LAB_CLASS_PASSWORD", "")
    c.SharedPasswordAuthenticator.admin_password = setting("OWUI_LAB_INSTRUCTOR_PASSWORD", "")
    if len(c.SharedPasswordAuthenticator.user_password) < 8 or len(c.SharedPasswordAuthenticator.admin_password) < 32:
        raise SystemExit(
            "Set OWUI_LAB_CLASS_PASSWORD (8+ characters, written on the board) and OWUI_LAB_INSTRUCTOR_PASSWORD "
            "(32+ characters, yours only). Hint: OWUI_LAB_INSTRUCTOR_PASSWORD=$(openssl rand -hex 16)."
        )
else:
    c.JupyterHub.authenticator_class = authenticator
if learners:
    c.Authenticator.allowed_users = learners | instructors
elif authenticator == "dummy" or authenticator == "shared-password":
    # No class list: anyone with the class password may pick a name (a drop-in workshop).
    c.Authenticator.allow_all = True

# ---- learner servers -----------------------------------------------------------------------------------
hub_id = setting("OWUI_LAB_HUB_ID", "hub")
if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,30}", hub_id):
    raise SystemExit(f"OWUI_LAB_HUB_ID={hub_id!r}: use lower-case letters, digits and '-' (e.g. room-101).")
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = setting("OWUI_LAB_LEARNER_IMAGE", "owui-lab/learner:offline")
c.DockerSpawner.pull_policy = "never"  # built here by build-learner-image: no registry on the day
c.DockerSpawner.prefix = f"owui-lab-{hub_id}"
c.DockerSpawner.mem_limit = setting("OWUI_LAB_MEM_LIMIT", "768M")
c.DockerSpawner.cpu_limit = float(setting("OWUI_LAB_CPU_LIMIT", "1.0"))
c.DockerSpawner.remove = setting("OWUI_LAB_REMOVE_SERVERS", "0") == "1"
c.DockerSpawner.notebook_dir = "/home/learner"
c.DockerSpawner.volumes = {}  # never the Docker socket (and nothing else of the host)
c.Spawner.default_url = "/lab/tree/notebooks/00_welcome.ipynb"
c.Spawner.start_timeout = int(setting("OWUI_LAB_START_TIMEOUT", "180"))  # seconds; 100 at once need more
c.Spawner.http_timeout = 120
service_port = int(setting("OWUI_LAB_SERVICE_PORT", "8765"))
service_url = f"http://{bridge_ip}:{service_port}"
c.DockerSpawner.environment = {
    "OWUI_LAB_CLASSROOM": "1",
    "OWUI_LAB_SERVICE_URL": f"{service_url}/services/{SERVICE_NAME}/",
}
# A learner's server token may call the lab service (as that learner), and nothing more than before.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    f"access:services!service={SERVICE_NAME}",
]


def _labels(spawner) -> dict:
    """Every learner server carries the hub's labels (removed by label, never by name)."""
    return {
        "labels": {
            "io.owui-lab.hub": hub_id,
            "io.owui-lab.role": "learner-server",
            "io.owui-lab.owner": spawner.user.name,
        }
    }


c.DockerSpawner.extra_create_kwargs = _labels


def _pre_spawn(spawner) -> None:
    # Instructors open the projector notebook under Voila; learners open the first lesson.
    if spawner.user.name in instructors:
        spawner.default_url = "/voila/render/notebooks/instructor.ipynb"
    mounts = " ".join(str(v) for v in (spawner.volumes or {}))
    if "docker.sock" in mounts:
        raise RuntimeError("A learner server must never get the host's Docker socket.")


c.Spawner.pre_spawn_hook = _pre_spawn

# ---- the lab service ---------------------------------------------------------------------------------
passed = ("OWUI_LAB_IMAGE", "OWUI_LAB_RUN", "OWUI_LAB_SERVICE_CONCURRENCY", "OWUI_LAB_SERVICE_MAX_QUEUE",
          "OWUI_LAB_SERVICE_DIR", "DOCKER_HOST", "PATH", "HOME")
service_env = {name: os.environ[name] for name in passed if os.environ.get(name)}
service_env["OWUI_LAB_INSTRUCTORS"] = ",".join(sorted(instructors))
service_env["OWUI_LAB_SERVICE_BIND"] = f"{bridge_ip}:{service_port}"
c.JupyterHub.services = [
    {
        "name": SERVICE_NAME,
        "display": True,
        "url": service_url,
        "command": [sys.executable, "-m", "owui_lab.service"],
        "environment": service_env,
        "oauth_no_confirm": True,
    }
]
c.JupyterHub.load_roles = [
    # Every user may call the lab service (it acts only on their own labs).
    {"name": "user", "scopes": ["self", f"access:services!service={SERVICE_NAME}"]},
]
admin_token = setting("OWUI_LAB_HUB_ADMIN_TOKEN", "")
if admin_token:
    # For scripts (tests, the benchmark, adding the class by API): an admin service with this token.
    c.JupyterHub.services.append({"name": "owui-lab-admin", "api_token": admin_token})
    c.JupyterHub.load_roles.append({"name": "admin", "services": ["owui-lab-admin"]})

c.JupyterHub.concurrent_spawn_limit = int(setting("OWUI_LAB_SPAWN_LIMIT", "20"))
c.JupyterHub.cleanup_servers = setting("OWUI_LAB_REMOVE_SERVERS", "0") == "1"

local = HERE / "jupyterhub_config.local.py"
if local.is_file():  # the instructor's own additions (an OAuthenticator's settings, TLS, ...)
    load_subconfig(str(local))  # noqa: F821
