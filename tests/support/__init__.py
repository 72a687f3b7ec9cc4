"""Helpers shared by the tests: servers started as subprocesses, and a headless Chromium.

Import them as ``from tests.support.servers import free_port, serve, chromium``.
"""
