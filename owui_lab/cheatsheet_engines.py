"""The cheat sheet's engine table: what changes for a learner on Podman or rootless Docker, from the engine.

A host Ollama and an Open WebUI container are the setup where the engines differ most: which name means
the host (``host.docker.internal`` with ``--add-host …:host-gateway`` on Docker Engine,
``host.containers.internal`` built into Podman), which address leads to the host (rootless engines leave
through slirp4netns, so a gateway is not the host), and what Podman 4.3 refuses (``host-gateway``). Each
row of the table is one way to write ``OLLAMA_BASE_URL``; each cell is ``evaluate()`` of that
configuration with ``engine=`` set, so nothing in it is typed. Each cell names its source: the engine's
truth recording (``data/truth/``, checked against the engine by ``tests/test_truth.py``; this table's
cells by ``tests/test_cheatsheet_engines.py``), or ``docs/engines.md`` (measured by hand) where the grid
does not record that URL. The cell's failing reason is the engine's own sentence, as a numbered note.

Example::

    from owui_lab.cheatsheet_engines import engine_table
    table = engine_table()
    table.cell("Podman's name", "podman-rootless").verdict.reachable   # True with OLLAMA_HOST=0.0.0.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .config import ENGINE_TITLES, Config
from .engine import Verdict, evaluate
from .engines import FROM_THE_DOCS, gateway
from .palette import OUTCOME_PHRASE, PATH

#: The engines, in the order of the table's columns (rootful Docker Engine first: the one the cards show).
ENGINES = tuple(ENGINE_TITLES)
#: Where each engine's cells were measured: its truth recording in ``data/truth/`` (the file names the
#: engine's version). ``tests/test_cheatsheet_engines.py`` checks each file's platform facts and rows.
RECORDINGS = {
    "docker": "linux-docker-engine-20.10.24.json",
    "docker-rootless": "linux-docker-rootless-20.10.24.json",
    "podman-rootful": "linux-podman-rootful-4.3.1.json",
    "podman-rootless": "linux-podman-rootless-4.3.1.json",
}
#: The hand measurements (every engine, the host's LAN address included): the source where no grid row is.
BY_HAND = "docs/engines.md"
#: Cells the engine's recording does not hold (its grid did not vary that URL): their source is ``BY_HAND``.
#: The Docker Engine grid was recorded before Podman's host name joined the grid.
NOT_IN_RECORDING = frozenset({("docker", "host.containers.internal")})
#: An example LAN address of the host (the kit's own example: ``config.py``'s ``--host-address`` help).
EXAMPLE_LAN = "192.168.1.20"
#: The setup every row shares: Ollama a native process on the host, Open WebUI a container on the default network.
SETUP = {"platform": "linux", "ollama": "host", "webui_network": "bridge"}
SETUP_WORDS = ("Ollama runs natively on the host with OLLAMA_HOST=0.0.0.0; Open WebUI is a container on the "
               "default network (-p 3000:8080).")


@dataclass(frozen=True)
class Way:
    """One row: a way to write the URL (the question), and the knobs it sets on a given engine."""

    name: str
    label: str
    knobs: Callable[[str], dict]
    by_hand: bool = False  # no grid records it on any engine: measured by hand (``BY_HAND``)


def _knobs(base_url: str, **more) -> Callable[[str], dict]:
    return lambda engine: {"base_url": base_url, **more}


def _gateway(engine: str) -> dict:
    return {"base_url": f"http://{gateway(Config(platform='linux', engine=engine))}:11434"}


WAYS = (
    Way("Docker's name", "http://host.docker.internal:11434 with --add-host=host.docker.internal:host-gateway",
        _knobs("http://host.docker.internal:11434", add_host_gateway=True)),
    Way("Podman's name", "http://host.containers.internal:11434 (no flag)",
        _knobs("http://host.containers.internal:11434")),
    Way("the gateway", "the default network's gateway, http://GATEWAY:11434",
        _gateway),
    Way("host networking", "Open WebUI with --network host instead, http://127.0.0.1:11434",
        _knobs("http://127.0.0.1:11434", webui_network="host")),
    Way("the LAN address", f"the host's LAN address, e.g. http://{EXAMPLE_LAN}:11434",
        _knobs(f"http://{EXAMPLE_LAN}:11434", host_address=EXAMPLE_LAN), by_hand=True),
)
#: The same ways with Ollama's own default bind: the row that says "0.0.0.0, not 127.0.0.1".
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Cell:
    """One engine's answer to one way: the configuration, the engine's verdict, and where it was measured."""

    way: Way
    engine: str
    config: Config
    verdict: Verdict
    source: str
    note: int = 0  # the number of the note with the failing step's sentence (0: it works)

    @property
    def works(self) -> bool:
        """Open WebUI reaches Ollama and the learner's browser reaches Open WebUI."""
        return self.verdict.reachable and self.verdict.browser.reachable

    @property
    def words(self) -> str:
        """The cell as printed: ✓/✗, the address where it differs per engine, and the outcome's phrase."""
        mark = PATH[self.works].mark
        what = "works" if self.works else OUTCOME_PHRASE[self.verdict.outcome]
        if self.verdict.reachable and not self.verdict.browser.reachable:
            what = "the browser cannot open Open WebUI"
        host = self.config.parsed_base_url.host
        at = f"{host}: " if self.way.name == "the gateway" else ""
        return f"{mark} {at}{what}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class EngineTable:
    """The table: a row per way, a cell per engine, the numbered notes, the engine's caveats."""

    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...]  # the engine's sentences of the failing steps, note n at index n - 1
    loopback: tuple[Cell, ...]  # per engine: OLLAMA_HOST=127.0.0.1 at the way that works there
    use: tuple[str, ...]  # per engine: the URL (and flag) to use, from the first way that works
    caveats: tuple[str, ...]  # what the engine knows only from the docs

    def cell(self, way: str, engine: str) -> Cell:
        return next(c for row in self.rows for c in row if c.way.name == way and c.engine == engine)


def source(way: Way, engine: str, config: Config) -> str:
    """Where a cell was measured: the engine's recording, or the hand measurements."""
    if way.by_hand or (engine, config.parsed_base_url.host) in NOT_IN_RECORDING:
        return BY_HAND
    return RECORDINGS[engine]


def engine_table(bind: str = "0.0.0.0") -> EngineTable:
    """Every way on every engine, evaluated; the failing steps' sentences numbered in the order met."""
    notes: list[str] = []

    def cell(way: Way, engine: str, ollama_bind: str) -> Cell:
        config = Config(**{**SETUP, "engine": engine, "ollama_bind": ollama_bind, **way.knobs(engine)})
        v = evaluate(config)
        why = v.failing_step.reason if v.failing_step is not None else (
            "" if v.browser.reachable else v.browser.reason)
        if why and why not in notes:
            notes.append(why)
        note = notes.index(why) + 1 if why else 0
        return Cell(way, engine, config, v, source(way, engine, config), note)

    rows = tuple(tuple(cell(w, e, bind) for e in ENGINES) for w in WAYS)
    firsts = [next((r[i] for r in rows if r[i].works), None) for i in range(len(ENGINES))]
    loopback = tuple(cell(f.way, f.engine, LOOPBACK) for f in firsts if f is not None)
    use = tuple(_use(f) for f in firsts)
    caveats = (FROM_THE_DOCS,)
    return EngineTable(rows, tuple(notes), loopback, use, caveats)


def _use(c: Cell | None) -> str:
    if c is None:
        return "no way here works"
    flag = " --add-host=host.docker.internal:host-gateway" if c.config.add_host_gateway else ""
    url = f"your LAN address: {c.config.base_url} †" if c.way.name == "the LAN address" else c.config.base_url
    return f"{url}{flag}"
