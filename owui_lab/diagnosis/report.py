"""The doctor's report: a checklist with reasons, the fixes, what differs, and security findings.

The same report renders three ways: ``to_dict()`` (``owui-lab doctor --json``), ``text()`` (the CLI,
a lab transcript with ✓/✗ per check) and ``_repr_html_()`` (a notebook cell shows a checklist).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import redact_url, redact_urls
from ..presentation import doctor_html


@dataclass(frozen=True)
class Check:
    """One line of the checklist: ✓ or ✗ and a one-line reason."""

    id: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Finding:
    """A security finding: what is exposed, and the safer way."""

    id: str
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "detail": self.detail, "fix": self.fix}


@dataclass
class Report:
    """What the doctor found on the learner's machine.

    Attributes:
        daemon: the daemon's facts (``docker_api.DaemonInfo.to_dict()``).
        webui: the Open WebUI container examined (name, id, image, base_urls, network_mode, ...), or None.
        ollama: the Ollama its URL leads to (where, how it was found, name ...), or None.
        reachable: Open WebUI reaches Ollama: observed when ``observed``, else predicted.
        observed: the outcome comes from a real probe inside Open WebUI's namespace.
        outcome: ok | name_not_resolved | connection_refused | unreachable (None when nothing to reach).
        scenario: the nearest seed scenario id, or None.
        predicted: the engine's verdict for the main URL (``Verdict.to_dict()``), or None.
        urls: per base URL: url, source, predicted and observed outcome, detail, target, scenario.
        browser: the browser's view of Open WebUI: url, predicted, observed, detail.
        headline: the first real problem (or that it works) in one sentence; "" before diagnosis.
        checks: the checklist.
        first: what must happen before anything else can work (start Ollama, start Open WebUI): all of it, in order.
        fixes: exact commands and settings, any one of them, best first.
        findings: security findings.
        discrepancies: where observation and prediction differ, and what that suggests.
        notes: what the model cannot express, what was assumed, remarks.
        looked_for: what the doctor looked for (said when it found nothing).
        start_commands: how to start the stack (the docs' commands), when something is missing.
        others: other Open WebUI containers found (name, image, base_urls).
        saved: what Open WebUI saved in its database about its Ollama URLs (``SavedUrls.to_dict()``), or None.
        env_urls: per environment URL that Open WebUI ignores because a saved one wins: as ``urls``.
        seconds: how long the doctor took.
    """

    daemon: dict[str, Any] = field(default_factory=dict)
    webui: dict[str, Any] | None = None
    ollama: dict[str, Any] | None = None
    reachable: bool = False
    observed: bool = False
    outcome: str | None = None
    scenario: str | None = None
    predicted: dict[str, Any] | None = None
    urls: list[dict[str, Any]] = field(default_factory=list)
    browser: dict[str, Any] | None = None
    headline: str = ""
    checks: list[Check] = field(default_factory=list)
    first: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    discrepancies: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    looked_for: list[str] = field(default_factory=list)
    start_commands: list[str] = field(default_factory=list)
    others: list[dict[str, Any]] = field(default_factory=list)
    saved: dict[str, Any] | None = None
    env_urls: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def found_nothing(self) -> bool:
        return self.webui is None and self.ollama is None

    def check(self, check_id: str) -> Check | None:
        """The first check with this id, if any."""
        return next((c for c in self.checks if c.id == check_id), None)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data; a password in any URL is redacted."""
        return redact_urls({
            "headline": self._headline(),
            "reachable": self.reachable,
            "observed": self.observed,
            "outcome": self.outcome,
            "scenario": self.scenario,
            "predicted": self.predicted,
            "webui": self.webui,
            "ollama": self.ollama,
            "urls": self.urls,
            "browser": self.browser,
            "checks": [c.to_dict() for c in self.checks],
            "first": list(self.first),
            "fixes": list(self.fixes),
            "findings": [f.to_dict() for f in self.findings],
            "discrepancies": list(self.discrepancies),
            "notes": list(self.notes),
            "looked_for": list(self.looked_for),
            "start_commands": list(self.start_commands),
            "others": list(self.others),
            "saved": self.saved,
            "env_urls": list(self.env_urls),
            "daemon": self.daemon,
            "seconds": round(self.seconds, 3),
        })

    # ---- rendering --------------------------------------------------------------------------

    def _headline(self) -> str:
        if self.headline:
            return self.headline
        if self.webui is None:
            return "No Open WebUI container found." if self.ollama else "Found neither Open WebUI nor Ollama."
        how = "observed" if self.observed else "predicted"
        if self.reachable:
            return f"Open WebUI reaches Ollama ({how})."
        return f"Open WebUI does NOT reach Ollama ({how})."

    def text(self) -> str:
        """The report as a lab transcript: a ✓/✗ checklist, then fixes, differences, findings."""
        lines = [f"owui-lab doctor: {self.daemon.get('product', 'Docker')} ({self.daemon.get('endpoint') or 'default socket'})"]
        if self.webui:
            w = self.webui
            source = w.get("base_urls_source", "base URL")
            source = "URL saved in its database" if source == "database" else source
            lines.append(
                f"Open WebUI: {w['name']} ({w['image']}), network {w['network_mode']}, "
                f"{source}: {'; '.join(w['base_urls'])}"
            )
        if self.ollama:
            lines.append(f"Ollama: {self.ollama.get('how', self.ollama.get('where'))}")
        if self.scenario:
            lines.append(f"Nearest scenario: {self.scenario}")
        width = max((len(c.id) for c in self.checks), default=0)
        for c in self.checks:
            lines.append(f"  {'✓' if c.ok else '✗'} {c.id:<{width}}  {c.detail}")
        lines.append(f"=> {self._headline()}")
        if self.first:
            lines.append("First (all of these, in order):")
            lines.extend(f"  {i}. {f}" for i, f in enumerate(self.first, 1))
        if self.fixes:
            then = "Then fix" if self.first else "Fix"
            lines.append(f"{then} (any one of these, first is gentlest):" if len(self.fixes) > 1 else f"{then}:")
            lines.extend(f"  - {f}" for f in self.fixes)
        if self.discrepancies:
            lines.append("Where observation and prediction differ:")
            lines.extend(f"  ? {d}" for d in self.discrepancies)
        if self.findings:
            lines.append("Security:")
            for f in self.findings:
                lines.append(f"  ! {f.detail}" + (f" Safer: {f.fix}" if f.fix else ""))
        if self.looked_for:
            lines.append("Looked for:")
            lines.extend(f"  - {x}" for x in self.looked_for)
        if self.start_commands:
            lines.append("To start the stack (from the docs):")
            lines.extend(f"  {x}" if x.startswith("#") else f"  $ {x}" for x in self.start_commands)
        if self.others:
            names = ", ".join(o["name"] for o in self.others)
            lines.append(f"Other Open WebUI containers: {names} (owui-lab doctor --container NAME examines one)")
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  * {n}" for n in self.notes)
        return redact_url("\n".join(lines))

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        return redact_url(doctor_html(self))

