"""macOS and Windows learners get a path without ``make``: the README's commands exist and work here."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
from importlib.metadata import distribution
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
POSIX = ["python3 -m venv .venv", ".venv/bin/pip install -e .", ".venv/bin/jupyter lab notebooks/00_welcome.ipynb"]
WINDOWS = ["py -m venv .venv", r".venv\Scripts\pip install -e .", r".venv\Scripts\jupyter lab notebooks\00_welcome.ipynb"]


def block_after(marker: str) -> list[str]:
    """The lines of the first fenced code block after ``marker`` in the README."""
    start = README.index(marker)
    match = re.search(r"```[a-z]*\n(.*?)```", README[start:], re.S)
    assert match, f"no code block after {marker!r}"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def test_the_readme_gives_macos_and_windows_a_path_without_make() -> None:
    assert block_after("**macOS and Windows (no `make`).**") == POSIX
    assert block_after("On Windows (PowerShell or cmd)") == WINDOWS
    for line in POSIX + WINDOWS:
        assert not re.search(r"\bmake\b|/proc|setsid|sudo", line), line
    assert (REPO / "notebooks" / "00_welcome.ipynb").is_file()


def test_step_one_makes_a_venv_with_pip(tmp_path: Path) -> None:
    # What `python3 -m venv .venv` does, for real (the stdlib's venv module, with pip).
    venv.create(tmp_path / ".venv", with_pip=True)
    pip = tmp_path / ".venv" / "bin" / "pip"
    done = subprocess.run([str(pip), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "pip" in done.stdout


def test_step_two_is_the_install_this_checkout_already_had() -> None:
    # `pip install -e .` is what `make setup` runs too (with the test extras): the kit imported here is
    # this checkout, installed editable, and the dependencies it declares are installed. (A fresh
    # `pip install -e .` needs the package index for setuptools>=77 and the dependencies: the tests
    # send no traffic there.)
    import owui_lab

    assert Path(owui_lab.__file__).resolve().parent == REPO / "owui_lab"
    makefile = (REPO / "Makefile").read_text()
    assert "pip install --quiet -e '.[test]'" in makefile
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "owui-lab"
    for requirement in pyproject["project"]["dependencies"]:
        name = re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0]
        assert distribution(name).version, requirement  # raises PackageNotFoundError when missing
    assert any(r.startswith("jupyterlab") for r in pyproject["project"]["dependencies"])  # step three's


def test_step_three_opens_the_first_notebook_with_what_step_two_installed() -> None:
    scripts = {ep.name for ep in distribution("jupyterlab").entry_points if ep.group == "console_scripts"}
    assert "jupyter-lab" in scripts  # `jupyter lab` runs the jupyter-lab script
    bin_dir = Path(sys.executable).parent
    done = subprocess.run([str(bin_dir / "jupyter"), "lab", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and re.match(r"\d+\.", done.stdout.strip())
    kit = {ep.name for ep in distribution("owui-lab").entry_points if ep.group == "console_scripts"}
    assert kit == {"owui-lab"}
