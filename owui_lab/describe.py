"""A diagram in words: the text alternative of every picture the kit draws, computed from the engine.

A screen reader reads it, a learner who cannot tell the colours apart reads it, and anyone can copy it
into a bug report. It says what the picture says, from the same topology graph (``graph.py``) and the
same verdict: what runs where, the path step by step, where it fails and why, and the fix. Widgets
show it as the image's alt text (``summary``), point ``aria-describedby`` at the full text, and show
that text on demand ("Describe this diagram", ``widgets/base.py``).

Example::

    from owui_lab.describe import describe
    d = describe("linux-ollama-on-host")
    print(d.summary)   # one sentence for an alt attribute
    print(d.text)      # the whole description
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import as_config
from .config import Config
from .engine import Verdict
from .graph import BROWSER, OLLAMA, WEBUI, chain, topology
from .palette import OUTCOME_PHRASE
from .prediction import predict


@dataclass(frozen=True)
class Description:
    """A diagram in words.

    Attributes:
        title: which setup it shows ("Diagram: Docker Engine on Linux, Open WebUI → Ollama at ...").
        summary: one or two sentences (an image's alt text): the verdict of both paths.
        sections: (heading, lines) in reading order: what runs where, the path, where it fails, the fix.
    """

    title: str
    summary: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def text(self) -> str:
        """The whole description as plain text (headings, then one line per fact)."""
        parts = [self.title, self.summary]
        for heading, lines in self.sections:
            parts.append(f"{heading}:")
            parts += [f"- {line}" for line in lines]
        return "\n".join(parts)


def _where(g, node: str) -> str:
    """Where a node runs, innermost boundary first ("in default bridge, in Host machine · Linux")."""
    return ", ".join(f"in {g.nodes[b]['label']}" for b in reversed(chain(g, node)))


def _member(g, node: str) -> str:
    d = g.nodes[node]
    what = ", ".join(x for x in (d.get("sublabel"), d.get("listen")) if x)
    return f"{d['label']} ({what}), {_where(g, node)}"


def describe(config: Config | str, verdict: Verdict | None = None) -> Description:
    """The text alternative of ``draw(config)``: the same facts as the picture, in reading order.

    Args:
        config: the deployment (or a seed scenario's id).
        verdict: the engine's verdict when the caller has it (with its fixes: ``predict``).

    Returns:
        The description.
    """
    config = as_config(config)
    if verdict is None or (not verdict.reachable and not verdict.fixes):
        verdict = predict(config)
    g = topology(config, verdict)
    http, api = g.edges[BROWSER, WEBUI], g.edges[WEBUI, OLLAMA]
    platform = g.nodes["host"]["label"].split(" · ", 1)[-1]

    runs = [_member(g, n) for n in (BROWSER, WEBUI, OLLAMA)]
    for port, owner in (("port:open-webui", "Open WebUI"), ("port:ollama", "Ollama")):
        if g.has_node(port):
            d = g.nodes[port]
            runs.append(f"Published port {d['label']} ({d['spec']}) for {owner}"
                        + (": loopback only, reachable from the host itself" if d["loopback_only"] else ""))

    def path(e, who: str) -> str:
        mark = "✓ works" if e["reachable"] else "✗ fails"
        return f"{who} at {e['url']}: {mark} ({'solid' if e['reachable'] else 'dashed'} line)"

    steps = [path(http, "Browser → Open WebUI") + f": {verdict.browser.reason}",
             path(api, "Open WebUI → Ollama")]
    steps += [f"step {s.name}: {'✓' if s.ok else '✗'} {s.reason}" for s in verdict.steps]

    fails = []
    if not api["reachable"]:
        step = verdict.failing_step
        fails.append(f"Open WebUI → Ollama fails at step {step.name} ({OUTCOME_PHRASE[verdict.outcome]}): "
                     f"{api['short_reason']}")
    if not http["reachable"]:
        fails.append(f"The browser cannot open Open WebUI at {http['url']}: {http['short_reason']}")

    sections: list[tuple[str, tuple[str, ...]]] = [("What runs where", tuple(runs)),
                                                   ("The path, step by step", tuple(steps))]
    if fails:
        sections.append(("Where it fails and why", tuple(fails)))
        fixes = verdict.fixes or ("The engine found no single change that makes it work.",)
        sections.append(("The fix (any one of these)" if len(fixes) > 1 else "The fix", tuple(fixes)))

    api_words = ("Open WebUI reaches Ollama" if api["reachable"] else
                 f"Open WebUI → Ollama fails at step {verdict.failing_step.name} "
                 f"({OUTCOME_PHRASE[verdict.outcome]})")
    browser_words = ("the browser opens Open WebUI" if http["reachable"]
                     else "the browser cannot open Open WebUI")
    summary = f"{api_words} at {api['url']}; {browser_words} at {http['url']}."
    title = f"Diagram: {platform}, Open WebUI → Ollama at {api['url']}."
    return Description(title, summary[0].upper() + summary[1:], tuple(sections))
