"""Helpers for the lab's tests: the stand-in image, the CLI as a subprocess, what a run left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def stand_in_image() -> str:
    """The image the lab will use; skip (fail in CI) when it is not on this machine.

    Without ``OWUI_LAB_IMAGE`` and with the offline image present, use that one (a developer's
    machine with no registry).
    """
    from owui_lab import docker_api

    cli = docker_api.client()
    try:
        name = docker_api.image_name()
        for candidate in (name, docker_api.OFFLINE_IMAGE):
            try:
                cli.images.get(candidate)
            except Exception:  # noqa: BLE001 - not here
                continue
            if candidate != name and not os.environ.get(docker_api.IMAGE_ENV):
                os.environ[docker_api.IMAGE_ENV] = candidate
            return candidate
        try:  # a machine with a registry: pull the default with the kit's own rule
            return docker_api.ensure_image(cli, None, progress=False)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"the stand-in image {name} is not here ({exc}): run scripts/build-offline-image.sh "
                        "and set OWUI_LAB_IMAGE", pytrace=False)
    finally:
        cli.close()


def derived_run_id(suffix: str) -> str:
    """A run id for one subprocess of this test run (``<run>-<suffix>``): the end-of-session check
    in conftest.py covers every id that starts with the run's own."""
    return f"{os.environ.get('OWUI_LAB_RUN', 'owui-lab-tests')}-{suffix}"


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def owui_lab(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``owui-lab ARGS`` as the learner would (a subprocess), capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "owui_lab", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or cli_env(),
        cwd=REPO,
    )


def leftovers(run: str | None = None, session: str | None = None) -> list[str]:
    """The kit's containers, networks, host stand-ins and iptables rules of one test run or lab session
    (any owner's)."""
    from owui_lab import docker_api
    from owui_lab.lab import firewall, labelled_host_processes

    cli = docker_api.client()
    try:
        found = docker_api.list_labelled(cli, session=session, run=run, everyone=True)
    finally:
        cli.close()
    return (found + [f"process:{p}" for p in labelled_host_processes(session=session, run=run, everyone=True)]
            + [f"iptables:{r}" for r in firewall.labelled_rules(session=session, run=run)])
