"""Helpers shared by the tests: axe-core in the page (``axe.py``).

Servers started as subprocesses and a headless Chromium are shared with the benchmarks, in ``bench/servers.py``:
``from bench.servers import free_port, serve, chromium``.
"""
