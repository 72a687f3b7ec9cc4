"""The one way the widgets run a configuration for real: ask the environment, then the lab.

``availability`` says whether a configuration can run here (``environment.detect()`` for the mode,
then ``environment.availability``, the check of this daemon); ``live_check`` runs it and returns a ``LiveReport``, which
``presentation.live_html`` renders. Every widget with a "Run it for real" button goes through these two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .. import classroom, environment, lab
from ..config import Config
from ..engine import Verdict
from ..errors import OwuiLabError
from ..prediction import predict
from .. import presentation


@dataclass(frozen=True)
class LiveReport:
    """What ``live_check`` did.

    Attributes:
        predicted: the engine's verdict.
        observed: the lab's observation, or None when nothing ran (then ``reason`` says why).
        agree: the observation matches the prediction (False when nothing ran).
        seconds: how long the live run took.
        reason: why it did not run live ("" when it did).
        notes: what the lab substituted to run it here (ports, addresses), to map it back.
        replaced_ports: (learner's port, lab's port) for each host port the lab really had to change:
            the learner's port stays in the sentence, the lab's goes to a footnote.
    """

    predicted: Verdict
    observed: lab.Observation | None = None
    agree: bool = False
    seconds: float = 0.0
    reason: str = ""
    notes: tuple[str, ...] = ()
    replaced_ports: tuple[tuple[int, int], ...] = ()

    @property
    def ran(self) -> bool:
        """A live run happened (False: the prediction only, with ``reason``)."""
        return self.observed is not None

    @classmethod
    def from_result(cls, result: lab.LabResult) -> "LiveReport":
        """The report of a finished lab run."""
        return cls(result.predicted, result.observed, result.agree, result.seconds, "", tuple(result.notes),
                   tuple(result.replaced_ports))

    def _repr_html_(self) -> str:
        return presentation.CSS + presentation.live_html(self)


def offered(config: Config) -> tuple[bool, str]:
    """Whether to offer "Run it for real" for ``config``, and why not: the mode alone (cached, instant).

    ``live_check`` then asks the lab too (``availability``); a button never waits for the daemon.
    """
    mode = environment.detect()
    return mode.can_run(config.platform), mode.why_not(config.platform)


def availability(config: Config) -> tuple[bool, str]:
    """Whether ``config`` can run for real here, and why not (a sentence a learner can read).

    The mode first (no daemon, Binder, the other platform), then the lab's check of this daemon
    (rootless Docker, Podman).
    """
    ok, why = offered(config)
    if not ok:
        return False, why
    try:
        return environment.availability(config)
    except OwuiLabError as exc:
        return False, str(exc)


def live_check(config: Config, progress: Callable[..., Any] | None = None) -> LiveReport:
    """Run ``config`` for real when this daemon can, else say plainly that this is the prediction only.

    Never raises for a missing daemon, a platform mismatch or a missing image: each is a reason in the
    report, worded for the learner.

    Args:
        config: what to run.
        progress: called with the lab's progress messages (image pulls, steps), for a ticker.
    """
    predicted = predict(config)
    if environment.detect().kind == environment.CLASSROOM:
        return _via_classroom(config, predicted, progress)
    ok, why = availability(config)
    if not ok:
        return LiveReport(predicted, reason=why)
    try:
        result = lab.run(config, progress=progress)
    except OwuiLabError as exc:
        return LiveReport(predicted, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - a learner's cell shows a sentence, not a traceback
        return LiveReport(
            predicted,
            reason=f"The live run failed unexpectedly ({exc.__class__.__name__}: {exc}). The prediction "
            "stands; run 'owui-lab lab clean' and try again, and please report this with the message.",
        )
    return LiveReport.from_result(result)


def _via_classroom(config: Config, predicted: Verdict, progress: Callable[..., Any] | None) -> LiveReport:
    """On the classroom hub: the hub's lab service runs it; ``progress`` hears the place in line."""
    ok, why = offered(config)
    if not ok:
        return LiveReport(predicted, reason=why)
    got = classroom.live_via_service(config, progress)
    if not got["ran"]:
        return LiveReport(predicted, reason=got["reason"])
    return LiveReport(predicted, lab.Observation.from_dict(got["observed"]), got["agree"], got["seconds"], "",
                      got["notes"])
