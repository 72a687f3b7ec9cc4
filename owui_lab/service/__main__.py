"""``python -m owui_lab.service``: run the lab service (JupyterHub starts it with its environment)."""

from .app import main

main()
