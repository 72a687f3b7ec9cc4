"""Subcommands of ``owui-lab`` beyond scenarios and predict, one module each (see ``cli.py``)."""
