"""The Ollama URLs Open WebUI saved in its database, which win over its environment.

Open WebUI (``ENABLE_PERSISTENT_CONFIG`` true, its default) writes the Ollama connection settings into
its database at the first start and, from then on, reads them from there: ``OLLAMA_BASE_URL`` in the
environment is ignored after the first start (open-webui #12034, #1326, #1295). A learner who fixes
the variable and recreates the container on the same volume is still broken. This module reads what
is saved, never writes it, and decides which URLs Open WebUI really uses.

Where it is saved, in Open WebUI 0.12 (``open_webui/models/config.py``): the SQLite database
``$DATA_DIR/webui.db``, table ``config``, one row per key (``key``, ``value`` JSON): ``ollama.base_urls``
(the list of URLs), ``ollama.enable`` and ``ollama.api_configs`` (per connection, keyed by its index
or its URL: ``enable``, ``prefix_id`` ...). Before 0.12 the same table held one JSON blob per row
(``id``, ``data``), the newest row winning, with the same values under ``data["ollama"]``; before
0.3.x a ``config.json`` file in ``$DATA_DIR``. ``RESET_CONFIG_ON_START=true`` empties the table at
start, so the environment is seeded again; ``ENABLE_PERSISTENT_CONFIG=false`` makes Open WebUI read
its defaults (the environment) instead of the table.

Pure: it reads files handed to it (a read-only copy) and JSON; the copying is ``docker_api``'s.
Reading is tolerant: no database yet, another schema, a locked or corrupt file each become one
sentence in ``problem``, never an exception.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..config import redact_url

DEFAULT_DATA_DIR = "/app/backend/data"  # the image's DATA_DIR (BACKEND_DIR/data)
DB_NAME = "webui.db"


@dataclass(frozen=True)
class SavedUrls:
    """What Open WebUI saved about its Ollama connections.

    Attributes:
        found: a saved value for the Ollama URLs exists (``urls`` is then what Open WebUI uses,
            unless persistence is off).
        urls: the saved URLs, in Open WebUI's order.
        enabled: the saved ``ENABLE_OLLAMA_API`` (None: not saved).
        disabled: saved URLs whose connection is switched off in the admin panel (Open WebUI skips them).
        source: where they were read: "database" (``webui.db``), "config.json", or "Open WebUI"
            (its own ``/ollama/config``).
        where: a phrase for the learner ("webui.db in volume 'open-webui'").
        problem: why nothing could be read, as one sentence ("" when reading worked).
        pending: no database yet (Open WebUI has not started once with this data).
    """

    found: bool = False
    urls: tuple[str, ...] = ()
    enabled: bool | None = None
    disabled: tuple[str, ...] = ()
    source: str = ""
    where: str = ""
    problem: str = ""
    pending: bool = False

    @property
    def active(self) -> tuple[str, ...]:
        """The saved URLs Open WebUI asks (connections switched off left out)."""
        return tuple(u for u in self.urls if u not in self.disabled)

    def with_where(self, where: str) -> "SavedUrls":
        from dataclasses import replace

        return replace(self, where=where)

    def to_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "urls": [redact_url(u) for u in self.urls],
            "enabled": self.enabled,
            "disabled": [redact_url(u) for u in self.disabled],
            "source": self.source or None,
            "where": self.where or None,
            "problem": self.problem or None,
            "pending": self.pending,
        }


def _json(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _from_values(base_urls: Any, enable: Any, api_configs: Any, source: str) -> SavedUrls:
    """Build the result from the three saved values (each may be missing: None)."""
    if base_urls is None:
        return SavedUrls(found=False, enabled=enable if isinstance(enable, bool) else None, source=source)
    if isinstance(base_urls, str):
        urls = [u.strip() for u in base_urls.split(";")]
    elif isinstance(base_urls, list):
        urls = [str(u).strip() for u in base_urls if isinstance(u, (str, int, float))]
    else:
        return SavedUrls(problem=f"the saved Ollama URLs have a shape the doctor does not know ({type(base_urls).__name__})", source=source)
    urls = [u[:-1] if u.endswith("/") else u for u in urls]
    disabled = []
    configs = api_configs if isinstance(api_configs, dict) else {}
    for idx, url in enumerate(urls):
        # open_webui/routers/ollama.py resolve_api_config: by index, else by URL
        cfg = configs.get(str(idx), configs.get(url, {}))
        if isinstance(cfg, dict) and cfg.get("enable", True) is False:
            disabled.append(url)
    return SavedUrls(
        found=True,
        urls=tuple(urls),
        enabled=enable if isinstance(enable, bool) else None,
        disabled=tuple(disabled),
        source=source,
    )


def read_database(path: str | Path) -> SavedUrls:
    """Read the saved Ollama settings from a copy of ``webui.db`` (its ``-wal`` file next to it).

    Args:
        path: the copy of the database; the caller owns it (SQLite may replay the WAL into it).

    Returns:
        What is saved; ``problem`` says why nothing could be read, ``pending`` that there is no
        database yet.
    """
    p = Path(path)
    if not p.exists():
        return SavedUrls(pending=True, source="database",
                         problem="Open WebUI has no database yet (it has not finished a first start with this data)")
    try:
        conn = sqlite3.connect(f"file:{p}?mode=rw", uri=True, timeout=2)
    except sqlite3.Error as exc:
        return SavedUrls(source="database", problem=f"its database could not be opened ({_sqlite_words(exc)})")
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "config" not in tables:
            if not tables:
                return SavedUrls(pending=True, source="database",
                                 problem="Open WebUI's database is still empty (its first start has not finished)")
            return SavedUrls(source="database",
                             problem="its database has no 'config' table (an Open WebUI version the doctor does not know)")
        columns = {row[1] for row in conn.execute("PRAGMA table_info(config)")}
        if {"key", "value"} <= columns:  # 0.12+: one row per key
            rows = dict(conn.execute(
                "SELECT key, value FROM config WHERE key IN ('ollama.base_urls', 'ollama.enable', 'ollama.api_configs')"
            ).fetchall())
            return _from_values(
                _json(rows["ollama.base_urls"]) if "ollama.base_urls" in rows else None,
                _json(rows.get("ollama.enable")),
                _json(rows.get("ollama.api_configs")),
                "database",
            )
        if "data" in columns:  # before 0.12: one JSON blob per row, the newest wins
            order = "id" if "id" in columns else "rowid"
            row = conn.execute(f"SELECT data FROM config ORDER BY {order} DESC LIMIT 1").fetchone()
            blob = _json(row[0]) if row else None
            ollama = blob.get("ollama") if isinstance(blob, dict) else None
            if not isinstance(ollama, dict):
                return SavedUrls(found=False, source="database")
            return _from_values(ollama.get("base_urls"), ollama.get("enable"), ollama.get("api_configs"), "database")
        return SavedUrls(source="database",
                         problem="its 'config' table has columns the doctor does not know (another Open WebUI version)")
    except sqlite3.Error as exc:
        return SavedUrls(source="database", problem=f"its database could not be read ({_sqlite_words(exc)})")
    finally:
        conn.close()


def _sqlite_words(exc: sqlite3.Error) -> str:
    text = str(exc).strip().lower()
    if "locked" in text or "busy" in text:
        return "it is locked by a writer; run the doctor again in a moment"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "the file is not a readable SQLite database: it may be damaged"
    return f"SQLite says: {text or exc.__class__.__name__}"


def read_config_json(path: str | Path) -> SavedUrls:
    """Read the Ollama settings from a legacy ``config.json`` (Open WebUI before 0.3.x)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return SavedUrls(source="config.json", problem="its legacy config.json could not be read")
    ollama = data.get("ollama") if isinstance(data, dict) else None
    if not isinstance(ollama, dict):
        return SavedUrls(found=False, source="config.json")
    return _from_values(ollama.get("base_urls"), ollama.get("enable"), ollama.get("api_configs"), "config.json")


def from_ollama_config(payload: Any) -> SavedUrls:
    """What Open WebUI's own ``GET /ollama/config`` answered (``OLLAMA_BASE_URLS`` ...)."""
    if not isinstance(payload, dict) or "OLLAMA_BASE_URLS" not in payload:
        return SavedUrls(source="Open WebUI", problem="Open WebUI's /ollama/config gave an answer the doctor does not know")
    return _from_values(
        payload.get("OLLAMA_BASE_URLS"), payload.get("ENABLE_OLLAMA_API"), payload.get("OLLAMA_API_CONFIGS"), "Open WebUI"
    )


# --------------------------------------------------------------------------------------------------
# Which URLs does Open WebUI use: the environment's or the saved ones?
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlsInUse:
    """The URLs Open WebUI really uses, and why.

    Attributes:
        urls: the URLs in use (switched-off connections left out).
        from_saved: they come from what Open WebUI saved, not from the environment.
        differs: the saved URLs are not the environment's (the trap: the environment is ignored).
        env_urls: what the environment says.
        saved: what was read (None: nothing was looked at).
    """

    urls: tuple[str, ...]
    from_saved: bool
    differs: bool
    env_urls: tuple[str, ...]
    saved: SavedUrls | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def urls_in_use(env_urls: tuple[str, ...], saved: SavedUrls | None, *, persistent: bool, reset_on_start: bool) -> UrlsInUse:
    """Open WebUI's own rule (``Config.get``): a saved value wins while persistence is on.

    Args:
        env_urls: the URLs the environment gives (``inspect.base_urls``).
        saved: what was read from its data, or None.
        persistent: ``ENABLE_PERSISTENT_CONFIG`` (true unless set to false).
        reset_on_start: ``RESET_CONFIG_ON_START`` (the table is emptied and seeded from the environment).
    """
    if saved is None or not saved.found or not persistent or reset_on_start:
        return UrlsInUse(urls=env_urls, from_saved=False, differs=False, env_urls=env_urls, saved=saved)
    notes = []
    if saved.disabled:
        notes.append(
            "switched off in Admin → Settings → Connections (Open WebUI does not ask it): "
            + ", ".join(redact_url(u) for u in saved.disabled)
        )
    active = saved.active
    return UrlsInUse(
        urls=active,
        from_saved=True,
        differs=tuple(saved.urls) != tuple(env_urls),
        env_urls=env_urls,
        saved=saved,
        notes=tuple(notes),
    )


def database_path(env: Mapping[str, str]) -> tuple[str, str]:
    """Where the container keeps ``webui.db``, and why the doctor cannot read it ("" when it can).

    ``DATABASE_URL`` (or ``DATABASE_TYPE``/``DATABASE_HOST``...) pointing elsewhere than a SQLite file
    means the settings live in a server database the doctor does not read.
    """
    data_dir = (env.get("DATA_DIR") or DEFAULT_DATA_DIR).rstrip("/") or "/"
    url = env.get("DATABASE_URL", "")
    if url:
        if url.startswith("sqlite:///") or url.startswith("sqlite+sqlcipher:///"):
            if url.startswith("sqlite+sqlcipher"):
                return "", "its SQLite database is encrypted (SQLCipher): the doctor cannot read it"
            return "/" + url.split(":///", 1)[1].lstrip("/"), ""
        return "", f"its settings live in a database server ({redact_url(url)}), which the doctor does not read"
    if env.get("DATABASE_TYPE", "").startswith("sqlite+sqlcipher"):
        return "", "its SQLite database is encrypted (SQLCipher): the doctor cannot read it"
    if all(env.get(k) for k in ("DATABASE_TYPE", "DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME")):
        return "", f"its settings live in a {env['DATABASE_TYPE']} database server, which the doctor does not read"
    return f"{data_dir}/{DB_NAME}", ""
