"""Who may log in to the classroom hub: one person, one account.

The hub's default (``deploy/jupyterhub/jupyterhub_config.py``) is ``jupyterhub-firstuseauthenticator``:
each name on the class list sets its own password at its first login, so nobody can log in as a
classmate once the classmate has logged in; the instructor resets one learner's password with
``reset_password`` (``deploy/jupyterhub/reset-password NAME``), and that learner sets a new one at their
next login. Without a class list (a drop-in workshop) ``DropInAuthenticator`` lets newcomers pick a
name but caps how many accounts the room may have and how many one source (an IP address) may make a
minute, so one person cannot make a hundred accounts (and with them a hundred votes and a hundred queued
runs). Loaded only by the hub (it needs JupyterHub and the first-use authenticator: the ``hub`` extra).
"""

from __future__ import annotations

import collections
import dbm
import time
from pathlib import Path
from typing import Any

from firstuseauthenticator import FirstUseAuthenticator
from traitlets import Integer


class DropInAuthenticator(FirstUseAuthenticator):
    """First-use passwords for a room without a class list, with caps on new accounts.

    ``max_accounts`` accounts in all; ``per_source_per_minute`` new ones per source address a minute
    (a room behind one NAT address still fits: people arrive over a few minutes).
    """

    max_accounts = Integer(40, config=True, help="Accounts the room may have at most (new names are refused after).")
    per_source_per_minute = Integer(10, config=True, help="New accounts one source address may make a minute.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._made: dict[str, collections.deque] = {}

    def _known(self, name: str) -> bool:
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            return name.encode() in db

    def _accounts(self) -> int:
        with dbm.open(self.dbm_path, "c", 0o600) as db:
            return len(db.keys())

    async def authenticate(self, handler: Any, data: dict) -> Any:
        name = self.normalize_username(data.get("username", ""))
        if name and not self._known(name):
            source = handler.request.remote_ip if handler is not None else "?"
            recent = self._made.setdefault(source, collections.deque())
            while recent and time.monotonic() - recent[0] > 60:
                recent.popleft()
            if self._accounts() >= self.max_accounts:
                self._refuse(handler, f"This room is full ({self.max_accounts} accounts). Ask the instructor.")
                return None
            if len(recent) >= self.per_source_per_minute:
                self._refuse(handler, "Too many new accounts from here just now: wait a minute, or ask the instructor.")
                return None
            user = await super().authenticate(handler, data)
            if user:
                recent.append(time.monotonic())
            return user
        return await super().authenticate(handler, data)

    def _refuse(self, handler: Any, message: str) -> None:
        if handler is not None:
            handler.custom_login_error = message
        self.log.warning("owui-lab drop-in: %s", message)


def reset_password(dbm_path: str | Path, name: str) -> bool:
    """Forget ``name``'s first-use password (they set a new one at their next login). True if there was one."""
    with dbm.open(str(dbm_path), "c", 0o600) as db:
        if name.encode() in db:
            del db[name.encode()]
            return True
    return False


def main(argv: list[str] | None = None) -> int:
    """``python -m owui_lab.service.accounts DBM NAME``: reset one learner's password."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: reset-password NAME (deploy/jupyterhub/reset-password)", file=sys.stderr)
        return 2
    done = reset_password(args[0], args[1])
    print(f"{args[1]} sets a new password at their next login." if done else
          f"{args[1]} has no password yet (they set one at their first login).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
