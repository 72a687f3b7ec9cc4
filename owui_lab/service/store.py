"""The lab service's memory on disk: runs, the room's answers, the current question, kept labs.

One SQLite file (standard library ``sqlite3``) in the service's folder, so a restart of the service
(JupyterHub restarts it within seconds) or of the whole hub loses nothing: runs waiting in line wait
on, finished runs stay readable, the projector keeps its question and its bars. Every write is one
transaction under one lock; the file's folder is the service's own (0700).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, owner TEXT NOT NULL, config TEXT NOT NULL,
    keep INTEGER NOT NULL, state TEXT NOT NULL, submitted REAL NOT NULL, started REAL, finished REAL,
    result TEXT, error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS runs_owner ON runs (owner, seq);
CREATE TABLE IF NOT EXISTS answers (
    question TEXT NOT NULL, who TEXT NOT NULL, answer TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (question, who));
CREATE TABLE IF NOT EXISTS revealed (question TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS kept (
    owner TEXT NOT NULL, session TEXT NOT NULL, since REAL NOT NULL, PRIMARY KEY (owner, session));
CREATE TABLE IF NOT EXISTS room (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """The service's SQLite database (``path``; ``":memory:"`` for tests)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            folder = Path(path).parent
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o700)
        self.path = str(path)
        self.lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._db.executescript(SCHEMA)

    def execute(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self.lock:
            return self._db.execute(sql, args).fetchall()

    def transaction(self) -> "_Transaction":
        """``with store.transaction() as db:`` one atomic write (readers see all of it or none)."""
        return _Transaction(self)

    # ---- the room's small values ----
    def get(self, key: str, default: Any = None) -> Any:
        rows = self.execute("SELECT value FROM room WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def put(self, key: str, value: Any) -> None:
        self.execute("INSERT OR REPLACE INTO room (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def close(self) -> None:
        with self.lock:
            self._db.close()


class _Transaction:
    def __init__(self, store: Store) -> None:
        self.store = store

    def __enter__(self) -> sqlite3.Connection:
        self.store.lock.acquire()
        self.store._db.execute("BEGIN IMMEDIATE")
        return self.store._db

    def __exit__(self, kind: Any, *_: Any) -> None:
        try:
            self.store._db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.store.lock.release()


def rows_as_dicts(cursor: sqlite3.Cursor) -> Iterator[dict]:
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))
