"""axe-core (the npm package, pinned in ``tests/support/axe/package.json``) run in a Playwright page.

``.ci/run`` installs it into ``tests/support/axe/node_modules`` (git-ignored). A test asks for the
``axe_core`` fixture (conftest): without the package it skips locally and fails in CI.

Example::

    violations = scan(page, axe_core, include=[".owui-explorer"])
    assert not serious(violations), report(serious(violations))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: What the kit's pages must have none of: axe's two highest impacts (text contrast below 4.5:1 is
#: "serious" in axe's ``color-contrast`` rule, WCAG 2 AA).
BLOCKING = ("critical", "serious")

_RUN = """async ([include, exclude]) => {
  const context = include ? {include: include.map(s => [s]), exclude: (exclude || []).map(s => [s])} : document;
  return await axe.run(context, {resultTypes: ['violations'],
                                 runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                                 'best-practice']}});
}"""


def scan(page: Any, axe_js: Path, include: list[str] | None = None,
         exclude: list[str] | None = None) -> list[dict]:
    """axe's violations on ``page`` (only inside the ``include`` selectors when given), as axe reports them."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    return page.evaluate(_RUN, [include, exclude])["violations"]


def serious(violations: list[dict]) -> list[dict]:
    """The critical and serious violations."""
    return [v for v in violations if v.get("impact") in BLOCKING]


def report(violations: list[dict], nodes: int = 4) -> str:
    """Violations in a few readable lines: rule, impact, help, and where (selector and axe's summary)."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}), {len(v['nodes'])} element(s)")
        for n in v["nodes"][:nodes]:
            summary = " ".join((n.get("failureSummary") or "").split())[:220]
            lines.append(f"    {' '.join(map(str, n['target']))}: {summary}")
    return "\n".join(lines)


def counts(violations: list[dict]) -> dict[str, int]:
    """How many violations (rules) of each impact: the figures a report quotes."""
    out: dict[str, int] = {}
    for v in violations:
        out[v.get("impact") or "none"] = out.get(v.get("impact") or "none", 0) + 1
    return out
