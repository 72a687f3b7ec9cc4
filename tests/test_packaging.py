"""pyproject.toml is the single source of dependencies; environment.yml and binder/ must agree with it.

Also checks what repo2docker needs (TOOLING.md's Binder rules): only binder/ counts once it exists, the
kit is installed by postBuild with ``set -e``, ``start`` ends with ``exec "$@"``, and the README's launch
URL opens the welcome notebook. No conda solver runs here; the YAML's shape and names are checked.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"

# PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {"docker": "docker-py", "ruamel-yaml": "ruamel.yaml"}
# Extras that learners need at run time (the rest of the extras are for tests and CI).
RUNTIME_EXTRAS = ("classroom",)
# conda MatchSpec as we write it: a name, optionally one version constraint (=, ==, >=, <=, <, >).
SPEC = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.-]*)\s*(?P<version>(==|>=|<=|=|<|>|!=)[0-9][0-9a-z.*]*)?$")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pep508(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", requirement)
    assert match, f"unreadable requirement {requirement!r} in pyproject.toml"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    version = match.group(2).replace(" ", "")
    assert ";" not in version and "[" not in version, f"{requirement!r}: markers/extras need a rule here"
    return CONDA_NAME.get(name, name), version


def expected_runtime() -> dict[str, str]:
    """What conda users and Binder must get: pyproject's dependencies plus the runtime extras."""
    project = _pyproject()["project"]
    requirements = list(project["dependencies"])
    for extra in RUNTIME_EXTRAS:
        requirements += project["optional-dependencies"][extra]
    return dict(_pep508(r) for r in requirements)


def _conda_specs(path: Path) -> tuple[dict, dict[str, str], list]:
    """Read an environment.yml strictly: (the whole document, conda name -> version, pip entries)."""
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict), f"{path} is not a mapping"
    unknown = set(doc) - {"name", "channels", "dependencies"}
    assert not unknown, f"{path} has unexpected keys {unknown}"
    assert doc.get("name") == "owui-lab"
    assert doc.get("channels") == ["conda-forge"], f"{path}: conda-forge only (no defaults channel)"
    specs: dict[str, str] = {}
    pip: list = []
    for entry in doc["dependencies"]:
        if isinstance(entry, dict):
            assert set(entry) == {"pip"} and isinstance(entry["pip"], list), f"{path}: bad entry {entry}"
            assert not pip, f"{path}: two pip sections"
            pip = entry["pip"]
            continue
        assert isinstance(entry, str), f"{path}: {entry!r} is not a package spec"
        match = SPEC.match(entry.strip())
        assert match, f"{path}: {entry!r} is not a conda package spec"
        assert match["name"] not in specs, f"{path}: {match['name']} listed twice"
        specs[match["name"]] = match["version"] or ""
    if pip:
        assert "pip" in specs, f"{path}: a pip section needs pip itself listed as a dependency"
    return doc, specs, pip


def _without_tools(specs: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in specs.items() if k not in ("python", "pip")}


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    _, specs, pip = _conda_specs(ROOT / "environment.yml")
    assert _without_tools(specs) == expected_runtime()
    assert specs["python"] == ">=" + _pyproject()["project"]["requires-python"].removeprefix(">=")
    assert pip == ["-e ."], "the kit itself (not on conda-forge) comes from the pip section"


def test_binder_environment_names_the_same_dependencies():
    _, specs, pip = _conda_specs(BINDER / "environment.yml")
    assert _without_tools(specs) == expected_runtime()
    assert "pip" in specs and specs["python"].startswith("=3.")
    assert pip == [], "binder installs the kit in postBuild, with --no-deps"


def test_binder_only_uses_files_repo2docker_reads():
    names = {p.name for p in BINDER.iterdir()}
    assert names <= {"environment.yml", "postBuild", "start"}, names
    # With environment.yml these would be ignored silently: their presence would mislead.
    assert not {"requirements.txt", "runtime.txt"} & names


def test_postbuild_installs_the_kit_and_fails_loudly():
    post = BINDER / "postBuild"
    text = post.read_text()
    assert text.startswith("#!/bin/bash") and os.access(post, os.X_OK)
    assert re.search(r"^set -e", text, re.M), "postBuild must stop at the first failing command"
    assert "pip install --no-deps -e ." in text
    assert "/lab/tree/notebooks/00_welcome.ipynb" in text


@pytest.mark.parametrize("script", ["postBuild", "start"])
def test_binder_scripts_are_valid_bash(script):
    import subprocess

    result = subprocess.run(["bash", "-n", str(BINDER / script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_start_hands_over_to_the_server():
    start = BINDER / "start"
    assert os.access(start, os.X_OK)
    lines = [l.strip() for l in start.read_text().splitlines() if l.strip() and not l.strip().startswith("#")]
    assert lines[-1] == 'exec "$@"'


def test_readme_links_binder_on_the_welcome_notebook():
    readme = (ROOT / "README.md").read_text()
    url = "https://mybinder.org/v2/gh/owui-lab/owui-lab/HEAD?urlpath=lab/tree/notebooks/00_welcome.ipynb"
    assert url in readme
    assert (ROOT / "notebooks" / "00_welcome.ipynb").exists()


def test_readme_quick_start_is_still_true():
    readme = (ROOT / "README.md").read_text()
    assert "make lab " in readme and "make test " in readme
    makefile = (ROOT / "Makefile").read_text()
    lab = re.search(r"^lab:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert lab and "notebooks/00_welcome.ipynb" in lab.group(1)
    test = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert test and "pytest" in test.group(1)


@pytest.mark.parametrize("path", ["environment.yml", "binder/environment.yml"])
def test_spec_parser_rejects_what_conda_would(path, tmp_path):
    """The checks above can fail: a pip-style spec or a missing pip entry is caught."""
    bad = tmp_path / "environment.yml"
    text = (ROOT / path).read_text()
    bad.write_text(text.replace("- pyyaml>=6", "- pyyaml[yaml]>=6"))
    with pytest.raises(AssertionError, match="not a conda package spec"):
        _conda_specs(bad)
    bad.write_text(text.replace("- voila", "- voila\n  - voila"))
    with pytest.raises(AssertionError, match="listed twice"):
        _conda_specs(bad)


# ---- installs like real software (issue 13): a built wheel, pipx, outside the repository ----------

SCENARIO_IDS = {
    "desktop-ollama-on-host", "desktop-compose", "desktop-separate-networks", "desktop-host-network",
    "linux-ollama-on-host", "linux-compose", "linux-separate-networks", "linux-host-network",
}


def _run(argv, *, cwd, env=None, timeout=600):
    import subprocess

    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{argv} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}"
    return out


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a learner's shell: no OWUI_LAB_DATA, no PYTHONPATH pointing into the checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OWUI_LAB_DATA", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update(extra)
    return env


@pytest.mark.slow
def test_the_wheel_ships_the_scenarios_without_a_setuptools_deprecation(tmp_path):
    import zipfile

    out = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(ROOT)],
               cwd=tmp_path, env=_clean_env())
    # make setup builds the same way: setuptools' deprecations (the license table) would show here.
    assert "deprecat" not in (out.stdout + out.stderr).lower(), out.stderr
    (wheel,) = tmp_path.glob("owui_lab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.rsplit("/", 1)[-1].removesuffix(".yaml") for n in names if n.startswith("owui_lab/data/scenarios/")}
    assert shipped == SCENARIO_IDS
    assert not any(n.startswith(("tests/", "data/", "bench/")) for n in names), "only the package is shipped"


@pytest.mark.slow
@pytest.mark.install
@pytest.mark.timeout(1500)
def test_pipx_install_outside_the_repository_runs_the_cli_and_a_notebook(tmp_path):
    """`pipx install .` (pip builds the wheel; pipx makes a fresh venv with the dependencies), then the
    README's first commands and 00_welcome's first cells run from a folder outside the checkout."""
    pipx = ROOT / ".venv" / "bin" / "pipx"
    pipx = pipx if pipx.exists() else Path(sys.executable).with_name("pipx")
    assert pipx.exists(), "pipx is a test dependency (pip install -e '.[test]')"
    home, bin_dir = tmp_path / "pipx-home", tmp_path / "bin"
    env = _clean_env(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(tmp_path / "man"))
    _run([str(pipx), "install", "."], cwd=ROOT, env=env, timeout=1200)

    elsewhere = tmp_path / "learner"
    elsewhere.mkdir()
    python = home / "venvs" / "owui-lab" / "bin" / "python"
    where = _run([str(python), "-c", "import json, owui_lab, importlib.metadata as m;"
                  "d = m.distribution('owui-lab'); print(owui_lab.__file__);"
                  "print(d.read_text('direct_url.json') or '{}')"], cwd=elsewhere, env=env).stdout.splitlines()
    assert where[0].startswith(str(home)), f"the kit must come from the pipx venv, not the checkout: {where[0]}"
    assert '"editable": true' not in where[1], "a normal install, not an editable one"

    cli = str(bin_dir / "owui-lab")
    listed = _run([cli, "scenarios"], cwd=elsewhere, env=env).stdout
    assert {line.split()[0] for line in listed.splitlines()} == SCENARIO_IDS
    verdict = _run([cli, "predict", "--scenario", "linux-ollama-on-host"], cwd=elsewhere, env=env).stdout
    assert "connection_refused" in verdict and "Fix" in verdict
    _run([cli, "draw", "--scenario", "linux-compose", "-o", "compose.png"], cwd=elsewhere, env=env)
    _run([cli, "draw", "--scenario", "linux-compose", "-o", "compose.mmd"], cwd=elsewhere, env=env)
    assert (elsewhere / "compose.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (elsewhere / "compose.mmd").read_text().startswith("C4Context")

    # The welcome notebook's first three code cells, in a kernel of the installed kit.
    (elsewhere / "00_welcome.ipynb").write_text((ROOT / "notebooks" / "00_welcome.ipynb").read_text())
    code = (
        "import nbformat, nbclient\n"
        "nb = nbformat.read('00_welcome.ipynb', as_version=4)\n"
        "cells = [c for c in nb.cells if c.cell_type == 'code'][:3]\n"
        "nb.cells = cells + [nbformat.v4.new_code_cell('import owui_lab; print(\\'KIT=\\' + owui_lab.__file__)')]\n"
        "nbclient.NotebookClient(nb, timeout=300, kernel_name='python3').execute()\n"
        "text = ''.join(o.get('text', '') + o.get('data', {}).get('text/html', '') + o.get('data', {}).get('text/plain', '')"
        " for c in nb.cells for o in c.outputs)\n"
        "assert not [o for c in nb.cells for o in c.outputs if o.output_type == 'error'], nb\n"
        "print(text)\n"
    )
    out = _run([str(python), "-c", code], cwd=elsewhere, env=env, timeout=600).stdout
    assert all(sid in out for sid in SCENARIO_IDS), out
    assert f"KIT={home}" in out, "the kernel ran the installed kit, not the checkout's"


# ---- Binder's landing page, under each command that may start the server --------------------------


def _postbuild_server_config() -> str:
    """The Python that binder/postBuild appends to ~/.jupyter/jupyter_server_config.py."""
    text = (BINDER / "postBuild").read_text()
    match = re.search(r"jupyter_server_config\.py\" <<'PY'\n(.*?)\nPY\n", text, re.S)
    assert match, "postBuild writes the server config with a <<'PY' here-document"
    return match.group(1)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("command", [["jupyter", "notebook"], ["jupyter", "server"], ["jupyter", "lab"]])
def test_binder_lands_on_the_welcome_notebook(tmp_path, command):
    """Started as binder/start would start it, with postBuild's config, `/` leads to 00_welcome."""
    import signal
    import subprocess
    import time
    import urllib.request

    home = tmp_path / "home"
    (home / ".jupyter").mkdir(parents=True)
    (home / ".jupyter" / "jupyter_server_config.py").write_text(_postbuild_server_config() + "\n")
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "notebooks" / "00_welcome.ipynb").write_text((ROOT / "notebooks" / "00_welcome.ipynb").read_text())
    port, token = _free_port(), "binder-test"
    exe = str(Path(sys.executable).with_name(f"{command[0]}-{command[1]}"))
    argv = [str(BINDER / "start"), exe, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--ServerApp.token={token}", f"--ServerApp.root_dir={repo}"]
    if os.getuid() == 0:
        argv.append("--allow-root")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "OWUI_LAB_ON_BINDER"))}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    server = subprocess.Popen(argv, cwd=repo, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / "server.log", "wb"), start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        landed = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=10) as answer:
                    landed = urllib.request.urlparse(answer.geturl()).path
                    break
            except OSError:
                time.sleep(0.5)
        log = (tmp_path / "server.log").read_text(errors="replace")[-3000:]
        assert landed is not None, f"{command} never answered on port {port}:\n{log}"
        assert landed == "/lab/tree/notebooks/00_welcome.ipynb", f"{command}: / led to {landed}\n{log}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the group binder/start's exec made: the server itself
        server.wait(timeout=30)


# ---- `make lab`, the README's first command, as root and as anyone else ---------------------------


@pytest.mark.parametrize(("uid", "allowed"), [("0", True), ("1000", False)])
def test_make_lab_says_allow_root_only_for_root(uid, allowed):
    import subprocess

    out = subprocess.run(["make", "-n", "-o", ".venv/.installed-stamp", "lab", f"USER_ID={uid}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    (line,) = [l for l in out.stdout.splitlines() if "jupyter lab" in l]
    assert ("--allow-root" in line) == allowed and line.rstrip().endswith("notebooks/00_welcome.ipynb")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_make_lab_starts_jupyterlab_as_this_user(tmp_path):
    """The README's first command serves JupyterLab (as root in CI and in containers: the case that
    failed; the non-root line is the dry run above, since this checkout's interpreter may not be
    readable by another user)."""
    import signal
    import subprocess
    import time
    import urllib.request

    assert (ROOT / ".venv" / "bin" / "jupyter").exists(), "make setup first"
    home = tmp_path / "home"
    home.mkdir()
    port, token = _free_port(), "make-lab-test"
    argv = ["make", "-o", ".venv/.installed-stamp", "lab",
            f"LAB_ARGS=--no-browser --ip=127.0.0.1 --port={port} --ServerApp.token={token}"
            " --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_RUNTIME_DIR=str(home / "rt"),
               JUPYTER_DATA_DIR=str(home / "data"))
    log_path = tmp_path / "lab.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=10) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.5)
        log_text = log_path.read_text(errors="replace")
        assert status == 200, f"make lab (uid {os.getuid()}) did not serve JupyterLab:\n{log_text[-3000:]}"
        assert "Running as root is not recommended" not in log_text
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # make's group: make and the jupyter it started
        server.wait(timeout=30)
