"""What a live run produced: the observation, and the prediction beside it.

Pure data (no Docker, no sockets): the CLI prints ``LabResult.transcript()``, the widgets render
``to_dict()``. URLs are stored and printed with any password redacted (``config.redact_url``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ..config import redact_url, redact_urls
from ..engine import Verdict


class BrowserObservation(NamedTuple):
    """What the learner's browser, on this host, got from Open WebUI's URL."""

    url: str
    reachable: bool


@dataclass(frozen=True)
class Observation:
    """What really happened in the lab.

    Attributes:
        reachable: Open WebUI's namespace reached Ollama (``GET /api/version`` answered).
        outcome: ok | name_not_resolved | connection_refused | unreachable (the engine's words).
        detail: what the probe saw, e.g. "[Errno 111] Connection refused".
        browser: the browser's URL (the lab's port) and whether ``GET /health`` answered.
        url: the URL probed (the base URL, with lab ports substituted).
        browser_detail: what the browser check saw.
    """

    reachable: bool
    outcome: str
    detail: str
    browser: BrowserObservation
    url: str = ""
    browser_detail: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Observation":
        """The observation ``to_dict`` wrote (the classroom's lab service sends it back this way)."""
        browser = data.get("browser") or {}
        return cls(bool(data["reachable"]), str(data["outcome"]), str(data.get("detail", "")),
                   BrowserObservation(str(browser.get("url", "")), bool(browser.get("reachable"))),
                   str(data.get("url", "")), str(browser.get("detail", "")))

    def to_dict(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "outcome": self.outcome,
            "detail": self.detail,
            "url": self.url,
            "browser": {"url": self.browser.url, "reachable": self.browser.reachable, "detail": self.browser_detail},
        }


@dataclass(frozen=True)
class LabResult:
    """A prediction and an observation of the same configuration.

    Attributes:
        predicted: the engine's verdict (with fixes).
        observed: what the lab saw.
        agree: same outcome class and same browser reachability.
        seconds: wall time of the whole run (up, probe, down).
        notes: what the lab substituted (ports, addresses) so the learner can map it back.
        teardown_seconds: how long removing everything took.
        session: the lab's session id (its objects' ``io.owui-lab.session`` label).
        replaced_ports: ``(learner's port, lab's port)`` for each host port of the configuration the
            lab really changed (busy here, or ``--free-ports``): a renderer shows the learner's port
            in the sentence and this as a footnote. Empty when every port is the learner's own.
        learner_browser_url: Open WebUI's page as the learner's own setup would have it
            (``http://localhost:3000``); ``observed.browser.url`` is where the lab really served it.
    """

    predicted: Verdict
    observed: Observation
    agree: bool
    seconds: float
    notes: tuple[str, ...] = ()
    teardown_seconds: float = 0.0
    session: str = ""
    replaced_ports: tuple[tuple[int, int], ...] = ()
    learner_browser_url: str = ""
    learner_url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return redact_urls({
            "session": self.session,
            "predicted": self.predicted.to_dict(),
            "observed": self.observed.to_dict(),
            "agree": self.agree,
            "seconds": round(self.seconds, 3),
            "teardown_seconds": round(self.teardown_seconds, 3),
            "notes": list(self.notes),
            "replaced_ports": [{"learner": a, "lab": b} for a, b in self.replaced_ports],
            "learner_browser_url": self.learner_browser_url,
            "learner_url": self.learner_url,
        })

    def transcript(self) -> str:
        """Prediction, then observation (in the learner's own URLs), then whether they agree.

        Where the lab had to use another host port, the sentence keeps the learner's URL with a
        mark (¹) and a footnote says which port the lab used instead.
        """
        o = self.observed
        replaced = dict(self.replaced_ports)
        mark_used = False

        def learner(url: str, fallback: str) -> str:
            nonlocal mark_used
            if not url:
                return fallback
            port = url.rsplit(":", 1)[-1]
            if port.isdigit() and int(port) in replaced:
                mark_used = True
                return f"{url}¹"
            return url

        lines = [self.predicted.transcript(), "", f"Observed in the lab ({self.seconds:.1f} s):"]
        mark = "✓" if o.reachable else "✗"
        lines.append(f"  {mark} Open WebUI → Ollama at {learner(self.learner_url, o.url)}: {o.outcome} ({o.detail})")
        mark = "✓" if o.browser.reachable else "✗"
        lines.append(f"  {mark} Browser → Open WebUI at {learner(self.learner_browser_url, o.browser.url)}: {o.browser_detail}")
        lines.append(
            "  => prediction and observation AGREE"
            if self.agree
            else "  => prediction and observation DISAGREE: one of them is wrong (please report it)"
        )
        if mark_used:
            used = ", ".join(f"{b} for {a}" for a, b in self.replaced_ports)
            lines.append(f"  ¹ a port already in use on this machine (or kept free): this run used {used}; on your "
                         "own setup it is the port you wrote, with the same result (ports inside containers "
                         "never change).")
        notes = [n for n in self.notes if not n.startswith("Host ports busy")] if mark_used else list(self.notes)
        if notes:
            lines.append("What the lab changed (the meaning is the same):")
            lines.extend(f"  * {n}" for n in notes)
        return redact_url("\n".join(lines))


def agrees(verdict: Verdict, observed: Observation) -> bool:
    """Same outcome class and the same browser reachability."""
    return verdict.outcome == observed.outcome and verdict.browser.reachable == observed.browser.reachable
