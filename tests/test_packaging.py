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
CONDA_NAME = {"docker": "docker-py"}
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
