"""The lab's guard against rootless Podman 4.3's aardvark-dns start-up bug (owui_lab/lab/podman_dns.py),
with stand-in containers that answer as aardvark-dns did: live, the small grid on rootless Podman runs it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from owui_lab.lab import podman_dns


@dataclass
class Exec:
    exit_code: int


@dataclass
class FakeContainer:
    """Answers the name question with the exit codes given, in turn (the last one repeats)."""

    codes: list[int]
    asked: list[list[str]] = field(default_factory=list)
    removed: bool = False

    def exec_run(self, command):
        self.asked.append(command)
        return Exec(self.codes.pop(0) if len(self.codes) > 1 else self.codes[0])

    def remove(self, force=False):
        assert force
        self.removed = True


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    monkeypatch.setattr(podman_dns.time, "sleep", lambda _: None)


def test_a_name_that_resolves_keeps_the_container():
    first = FakeContainer([0])
    container, again = podman_dns.resolvable(first, "ollama", lambda: pytest.fail("started again"))
    assert container is first and again == 0 and not first.removed
    assert first.asked[0][-1] == "ollama"  # it asks for the name Open WebUI will use


def test_no_such_name_starts_the_container_again_until_it_resolves():
    lost, lost_again, found = FakeContainer([2]), FakeContainer([2]), FakeContainer([0])
    fresh = iter([lost_again, found])
    container, again = podman_dns.resolvable(lost, "ollama", lambda: next(fresh))
    assert container is found and again == 2
    assert lost.removed and lost_again.removed and not found.removed


def test_no_answer_yet_is_waited_for_not_a_reason_to_start_again():
    slow = FakeContainer([3, 3, 0])
    container, again = podman_dns.resolvable(slow, "ollama", lambda: pytest.fail("started again"))
    assert container is slow and again == 0 and len(slow.asked) == 3


def test_it_gives_up_and_lets_the_measurement_say_what_it_sees():
    starts = []

    def start_again():
        starts.append(FakeContainer([2]))
        return starts[-1]

    container, again = podman_dns.resolvable(FakeContainer([2]), "ollama", start_again)
    assert again == podman_dns.ATTEMPTS - 1 and len(starts) == podman_dns.ATTEMPTS - 1
    assert container is starts[-1] and not container.removed  # the last one stays for the lab to measure
