"""Who may log in to the classroom hub: one person, one account.

The hub's default (``deploy/jupyterhub/jupyterhub_config.py``) is ``jupyterhub-firstuseauthenticator``:
each name on the class list sets its own password at its first login, so nobody can log in as a
classmate once the classmate has logged in; the instructor resets one learner's password with
``reset_password`` (``deploy/jupyterhub/reset-password NAME``), and that learner sets a new one at their
next login. Without a class list (a drop-in workshop) ``DropInAuthenticator`` lets newcomers pick a
name but caps how many accounts the room may have and how many one source (an IP address) may make a
minute, so one person cannot make a hundred accounts (and with them a hundred votes and a hundred queued
runs). With ``OWUI_LAB_LOGIN_CODES=1`` each name on the class list starts with a login code instead
(``issue_login_codes``): the instructor hands each learner theirs, so nobody can claim a classmate's name
before the classmate arrives either. Loaded only by the hub (it needs JupyterHub and the first-use
authenticator: the ``hub`` extra).
"""

from __future__ import annotations

import collections
import dbm
import os
import secrets
import time
from pathlib import Path
from typing import Any

import bcrypt
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


#: A login code's letters: no 0/o, 1/l/i to misread from a slip of paper.
CODE_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def login_code() -> str:
    """A fresh login code, three groups of four (about 59 bits): ``k7mq-2xpa-hd9r``."""
    return "-".join("".join(secrets.choice(CODE_LETTERS) for _ in range(4)) for _ in range(3))


def issue_login_codes(dbm_path: str | Path, names: Any, codes_file: str | Path) -> dict[str, str]:
    """A login code as the first password of every name in ``names`` that has no password yet.

    Each code is stored as the first-use authenticator stores a password (bcrypt), so the learner logs in
    with it and may then change it (``/hub/auth/change-password``); a name that has one (an earlier code,
    or a password its learner set) keeps it. The new codes are appended to ``codes_file`` (a name and a
    code a line, readable by its owner only) for the instructor to hand out; returns them.
    """
    new: dict[str, str] = {}
    with dbm.open(str(dbm_path), "c", 0o600) as db:
        for name in sorted(names):
            if name.encode() not in db:
                new[name] = login_code()
                db[name.encode()] = bcrypt.hashpw(new[name].encode(), bcrypt.gensalt())
    if new:
        fd = os.open(str(codes_file), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as out:
            out.writelines(f"{name}\t{code}\n" for name, code in new.items())
    return new


def main(argv: list[str] | None = None) -> int:
    """``python -m owui_lab.service.accounts DBM NAME [--code CODES]``: reset one learner's password (with
    ``--code``, to a new login code, appended to the codes file and printed)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    codes = None
    if len(args) == 4 and args[2] == "--code":
        codes = args[3]
        args = args[:2]
    if len(args) != 2:
        print("usage: reset-password NAME (deploy/jupyterhub/reset-password)", file=sys.stderr)
        return 2
    done = reset_password(args[0], args[1])
    if codes is not None:
        code = issue_login_codes(args[0], [args[1]], codes)[args[1]]
        print(f"{args[1]} logs in with the new login code {code} (also in {codes}).")
        return 0
    print(f"{args[1]} sets a new password at their next login." if done else
          f"{args[1]} has no password yet (they set one at their first login).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
