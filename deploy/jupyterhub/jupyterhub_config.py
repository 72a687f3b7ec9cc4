"""JupyterHub for a classroom on one server: one learner server per learner, live labs via a service.

Start it with ``deploy/jupyterhub/start-hub`` (or ``make hub``); every setting below is an
environment variable with a default that suits a class of 30 on one server (the README's instructor
guide lists them):

* Each learner gets a DockerSpawner container from the learner image (``Dockerfile.learner``) with a
  memory and CPU limit, JupyterLab opening on ``00_welcome``; instructors open the instructor
  notebook under Voila. **No learner server gets the host's Docker socket**: live labs run through
  the ``owui-lab`` service (``owui_lab.service``), which runs them on the server's daemon on the
  learner's behalf, labelled with the learner's name, one queue for the room.
* Authentication, one person one account: by default each name on the class list
  (``OWUI_LAB_CLASS_LIST``, one name per line) sets its own password at its first login
  (``jupyterhub-firstuseauthenticator``; the instructor resets one with ``reset-password NAME``), or,
  with ``OWUI_LAB_LOGIN_CODES=1``, logs in with a code the instructor hands out (``login-codes.txt``);
  without a class list, a drop-in room with caps on accounts (``owui_lab.service.accounts``).
  ``shared-password`` (one class password) is still there for a room that trusts itself, and any
  authenticator class named by ``OWUI_LAB_AUTHENTICATOR`` (LTI, OAuth: configured in a
  ``jupyterhub_config.local.py`` beside this file); ``dummy`` for tests.
* Learner servers sit on a network of their own (``owui-lab-<hub id>-learners``) where they cannot
  reach each other, and, where the hub runs as root, reach nothing on this server but the hub's API
  and the lab service (an ``iptables`` chain for that network's subnet, removed when the hub stops);
  a pids limit; idle servers are culled (``jupyterhub-idle-culler``).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import subprocess
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
authenticator = setting("OWUI_LAB_AUTHENTICATOR", "first-use")
c.Authenticator.admin_users = instructors
if authenticator == "first-use":
    # One person, one account: each name sets its password at its first login; nobody shares one.
    c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
    c.FirstUseAuthenticator.min_password_length = int(setting("OWUI_LAB_MIN_PASSWORD", "8"))
    # The instructor's own password is set here, before anyone can claim the instructor's name.
    teacher_password = setting("OWUI_LAB_INSTRUCTOR_PASSWORD", "")
    if len(teacher_password) < 16:
        raise SystemExit("Set OWUI_LAB_INSTRUCTOR_PASSWORD (16+ characters, yours only) before the hub starts. "
                         "Hint: OWUI_LAB_INSTRUCTOR_PASSWORD=$(openssl rand -hex 16).")
    import bcrypt
    import dbm

    with dbm.open(c.FirstUseAuthenticator.dbm_path, "c", 0o600) as db:
        for name in instructors:
            stored = db.get(name.encode())
            if stored is None or bcrypt.hashpw(teacher_password.encode(), stored) != stored:
                db[name.encode()] = bcrypt.hashpw(teacher_password.encode(), bcrypt.gensalt())
    if learners:
        c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
        c.FirstUseAuthenticator.create_users = True  # only the class list's names (allowed_users below)
        if setting("OWUI_LAB_LOGIN_CODES", "") in ("1", "yes", "true"):
            # Each learner starts with a code from the instructor: nobody claims a name before its owner comes.
            sys.path.insert(0, str(HERE.parent.parent))  # the kit, also when run from a checkout
            from owui_lab.service.accounts import issue_login_codes

            codes_file = state / "login-codes.txt"
            issued = issue_login_codes(c.FirstUseAuthenticator.dbm_path, learners - set(instructors), codes_file)
            print(f"owui-lab: {len(issued)} new login codes in {codes_file} (a name and its code a line; hand "
                  "each learner theirs)", file=sys.stderr)
    else:
        # A drop-in room: newcomers pick a name, with caps (accounts in all, new ones per address a minute).
        c.JupyterHub.authenticator_class = "owui_lab.service.accounts.DropInAuthenticator"
        c.DropInAuthenticator.dbm_path = c.FirstUseAuthenticator.dbm_path
        c.DropInAuthenticator.min_password_length = c.FirstUseAuthenticator.min_password_length
        c.DropInAuthenticator.max_accounts = int(setting("OWUI_LAB_DROP_IN_ACCOUNTS", "40"))
        c.DropInAuthenticator.per_source_per_minute = int(setting("OWUI_LAB_DROP_IN_PER_MINUTE", "10"))
        c.Authenticator.allow_all = True
elif authenticator == "dummy":
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
# A fork bomb in one learner's terminal stays in that learner's container.
c.DockerSpawner.extra_host_config = {"pids_limit": int(setting("OWUI_LAB_PIDS_LIMIT", "512"))}
# Learners' servers on a network of their own, where they cannot reach each other (no inter-container
# traffic); the hub and the proxy reach them, they reach the hub through this server (see _isolate).
learner_network = f"owui-lab-{hub_id}-learners"
c.DockerSpawner.network_name = learner_network
c.DockerSpawner.use_internal_ip = True
c.Spawner.default_url = "/lab/tree/notebooks/00_welcome.ipynb"
# Seconds the hub waits for a server to start, then to answer: a whole class logging in at once on a
# busy server needs minutes (with 120 s, 30 servers starting at load 40 here were all given up on
# although every one came up later). The pending page keeps the learner waiting meanwhile.
c.Spawner.start_timeout = int(setting("OWUI_LAB_START_TIMEOUT", "600"))
c.Spawner.http_timeout = c.Spawner.start_timeout
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


def _learner_network() -> str:
    """Create the learners' network once (no traffic between its containers); its subnet."""
    from owui_lab import docker_api

    cli = docker_api.client(timeout=30)
    try:
        found = cli.networks.list(names=[learner_network])
        network = next((n for n in found if n.name == learner_network), None)
        if network is None:
            network = cli.networks.create(
                learner_network, driver="bridge", check_duplicate=True,
                options={"com.docker.network.bridge.enable_icc": "false"},
                labels={"io.owui-lab.hub": hub_id, "io.owui-lab.role": "learner-network"})
        network.reload()
        return network.attrs["IPAM"]["Config"][0]["Subnet"]
    finally:
        cli.close()


#: The iptables chain that keeps learners' servers from this server's ports but the hub's and the service's.
CHAIN = "owuilab-" + hashlib.sha256(hub_id.encode()).hexdigest()[:12]


def _iptables(*args: str) -> bool:
    return subprocess.run(["iptables", "-w", *args], capture_output=True).returncode == 0


def _isolate(subnet: str) -> bool:
    """From the learners' subnet, this server answers on the hub's API and the lab service's port only.

    (Labs on their own Docker networks are already out of reach: Docker drops traffic between bridges.
    What this adds: host stand-ins, host-network labs and anything else listening on this server.)
    Needs root and iptables; without them the hub says so and runs with the network alone.
    """
    if not shutil.which("iptables") or os.geteuid() != 0:
        print(f"owui-lab hub: not root or no iptables: learners' servers can reach this server's ports "
              f"(run the hub as root to limit them to the hub and the lab service).", file=sys.stderr)
        return False
    _sweep_stale_chains()
    rule = ["INPUT", "-s", subnet, "-j", CHAIN]
    if not _iptables("-C", *rule):
        _iptables("-N", CHAIN)
        _iptables("-F", CHAIN)
        _iptables("-A", CHAIN, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")
        for port in (c.JupyterHub.hub_port, service_port):
            _iptables("-A", CHAIN, "-p", "tcp", "--dport", str(port), "-j", "ACCEPT")
        _iptables("-A", CHAIN, "-j", "DROP")
        _iptables("-I", *rule)

        def undo() -> None:  # when the hub stops
            _iptables("-D", *rule)
            _iptables("-F", CHAIN)
            _iptables("-X", CHAIN)

        atexit.register(undo)
    return True


def _sweep_stale_chains() -> None:
    """Remove the chains of hubs that died without undoing them (SIGKILL, a power cut).

    Such a chain still drops traffic from its old subnet to this server, and Docker hands that subnet
    to the next network it creates: a lab's or anyone's. A chain is stale when no learners' network
    (of any hub on this daemon) holds its subnet any more; a running hub's network always does.
    """
    from owui_lab import docker_api

    listed = subprocess.run(["iptables", "-w", "-S", "INPUT"], capture_output=True, text=True).stdout
    rules = re.findall(r"^-A INPUT -s (\S+) -j (owuilab-[0-9a-f]{12})$", listed, re.M)
    if not rules:
        return
    cli = docker_api.client(timeout=30)
    try:
        alive = {config["Subnet"] for network in cli.networks.list(filters={"label": "io.owui-lab.role=learner-network"})
                 for config in (network.attrs.get("IPAM") or {}).get("Config") or [] if config.get("Subnet")}
    finally:
        cli.close()
    for subnet, chain in rules:
        if subnet not in alive:
            print(f"owui-lab hub: removing {chain}, left by a hub that stopped without cleaning up "
                  f"(its network {subnet} is gone)", file=sys.stderr)
            _iptables("-D", "INPUT", "-s", subnet, "-j", chain)
            _iptables("-F", chain)
            _iptables("-X", chain)


_isolated: list[str] = []
#: A lighter learner server start (the login rush is CPU-bound): no Voila (the instructor's) and no
#: language-server scan (the image has no language server). Measured in one container on this machine:
#: about 1.8 instead of 2.1-2.3 CPU-seconds to "running" (bench/bench_hub.py measures whole hub starts).
LEAN_LEARNER_SERVER = ["--ServerApp.jpserver_extensions=voila.server_extension=False",
                       "--ServerApp.jpserver_extensions=jupyter_lsp=False"]


def _pre_spawn(spawner) -> None:
    if not _isolated:
        _isolated.append(_learner_network())
        _isolate(_isolated[0])
    # Instructors open the projector notebook under Voila; learners open the first lesson.
    if spawner.user.name in instructors:
        spawner.default_url = "/voila/render/notebooks/instructor.ipynb"
    else:
        spawner.args = list(spawner.args or []) + LEAN_LEARNER_SERVER
    mounts = " ".join(str(v) for v in (spawner.volumes or {}))
    if "docker.sock" in mounts:
        raise RuntimeError("A learner server must never get the host's Docker socket.")


c.Spawner.pre_spawn_hook = _pre_spawn

# ---- the lab service ---------------------------------------------------------------------------------
passed = ("OWUI_LAB_IMAGE", "OWUI_LAB_RUN", "OWUI_LAB_SERVICE_CONCURRENCY", "OWUI_LAB_SERVICE_MAX_QUEUE",
          "OWUI_LAB_SERVICE_DIR", "OWUI_LAB_KEPT_IDLE_MINUTES", "DOCKER_HOST", "PATH", "HOME")
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
# Kept labs go when the hub stops: the service takes them down as it stops; this catches the ones it
# could not (killed first), after the services have stopped.
if Path(sys.argv[0]).name == "jupyterhub":  # the hub itself (not a test reading this file)
    atexit.register(lambda: subprocess.run([sys.executable, "-m", "owui_lab.service", "--take-down-kept"],
                                           env={**os.environ, **service_env}, timeout=120, check=False))
c.JupyterHub.load_roles = [
    # Every user may call the lab service (it acts only on their own labs).
    {"name": "user", "scopes": ["self", f"access:services!service={SERVICE_NAME}"]},
]
# Idle learner servers are stopped (their files stay; the learner's next visit starts it again).
cull_minutes = int(setting("OWUI_LAB_CULL_IDLE_MINUTES", "60"))
if cull_minutes > 0:
    c.JupyterHub.services.append({
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={cull_minutes * 60}",
                    "--cull-every=60"],
    })
    c.JupyterHub.load_roles.append({"name": "idle-culler", "services": ["idle-culler"],
                                    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
admin_token = setting("OWUI_LAB_HUB_ADMIN_TOKEN", "")
if admin_token:
    # For scripts (tests, the benchmark, adding the class by API): an admin service with this token.
    c.JupyterHub.services.append({"name": "owui-lab-admin", "api_token": admin_token})
    c.JupyterHub.load_roles.append({"name": "admin", "services": ["owui-lab-admin"]})

# A whole class logs in at once: every start is accepted and waits its turn on the CPU (the hub's
# pending page follows it), rather than the 21st learner being turned away with "429 too many users".
c.JupyterHub.concurrent_spawn_limit = int(setting("OWUI_LAB_SPAWN_LIMIT", "150"))
c.JupyterHub.cleanup_servers = setting("OWUI_LAB_REMOVE_SERVERS", "0") == "1"

local = HERE / "jupyterhub_config.local.py"
if local.is_file():  # the instructor's own additions (an OAuthenticator's settings, TLS, ...)
    load_subconfig(str(local))  # noqa: F821
