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
