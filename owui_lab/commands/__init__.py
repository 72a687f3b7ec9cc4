"""The subcommands of ``owui-lab``, one module each (``scenarios``, ``predict``, ``draw``, ``lab``, ``doctor``,
``cheatsheet``, ``standin``): each only parses and prints; ``args.py`` holds what they share (the knobs' flags,
from ``knobs.py``); ``cli.py`` registers them."""
