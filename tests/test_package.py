"""The package's public names stay what they are, whatever was imported before."""

from __future__ import annotations

import subprocess
import sys


def test_exports_are_functions_in_any_import_order():
    code = """
import inspect
import owui_lab.drawing, owui_lab.graph, owui_lab.diagnosis, owui_lab.widgets.explorer, owui_lab.lab
import owui_lab
for name in ("draw", "topology", "doctor", "explorer", "Lab", "predict", "scenarios"):
    obj = getattr(owui_lab, name)
    assert not inspect.ismodule(obj), name
    assert callable(obj), name
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


# ---- docstrings cite files that exist ---------------------------------------------------------------

import ast  # noqa: E402
import re  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FILE_NAME = re.compile(r"(?<![\w/.-])([\w][\w/.-]*\.(?:py|yaml|yml|md|ipynb|sh|toml))\b")
#: Files named in docstrings that are not this repository's: the learner's, or upstream's.
NOT_OURS = {"compose.yaml": "the learner's own compose file", "ruamel.yaml": "a library (PyPI), not a file",
            "start.sh": "Open WebUI's image's start script (its backend/start.sh)"}
UPSTREAM = ("open_webui/",)  # Open WebUI's own source files


def cited_files(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node)
            if doc:
                out += [(getattr(node, "lineno", 1), name) for name in FILE_NAME.findall(doc)]
    return out


def test_docstrings_cite_files_that_exist():
    missing = []
    for path in sorted((ROOT / "owui_lab").rglob("*.py")):
        for line, name in cited_files(path):
            places = (ROOT / name, ROOT / "owui_lab" / name, path.parent / name, ROOT / "notebooks" / name)
            if name not in NOT_OURS and not name.startswith(UPSTREAM) and not any(p.exists() for p in places):
                missing.append(f"{path.relative_to(ROOT)}:{line} cites {name}")
    assert not missing, "\n".join(missing)


def test_the_citation_check_sees_a_missing_file(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('"""See ``topology.py`` and owui_lab/engine.py."""\n')
    assert [name for _, name in cited_files(probe)] == ["topology.py", "owui_lab/engine.py"]


def test_the_readme_map_of_the_house_is_true():
    """Every path in the README's map exists, and every top-level module and subpackage has a line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "### A map of the house" in readme
    section = readme.split("### A map of the house", 1)[1]
    named = set(re.findall(r"`(owui_lab/[\w/.]+)`", section))
    assert named, "the map names modules as `owui_lab/...`"
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing, f"the README's map names what does not exist: {missing}"
    rooms = {f"owui_lab/{p.name}" for p in (ROOT / "owui_lab").glob("*.py") if p.name != "__main__.py"}
    rooms |= {f"owui_lab/{p.name}/" for p in (ROOT / "owui_lab").iterdir()
              if p.is_dir() and (p / "__init__.py").exists()}
    covered = {n if not (ROOT / n).is_dir() else n.rstrip("/") + "/" for n in named}
    covered |= {n.split("/")[0] + "/" + n.split("/")[1] + "/" for n in named if n.count("/") >= 2}
    absent = sorted(rooms - covered)
    assert not absent, f"add a line for each to the README's map of the house: {absent}"


def test_import_owui_lab_stays_light():
    """``import owui_lab`` (the engine, for ``owui-lab predict``) loads none of the heavy libraries."""
    code = ("import sys, owui_lab; heavy = ('yaml', 'matplotlib', 'networkx', 'docker', 'ipywidgets', 'numpy', "
            "'PIL', 'nbformat'); print(','.join(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"import owui_lab loaded {out.stdout.strip()}"
