"""The kit's notebook widgets: one renderer, one base, one way to run live.

Modules (imported one by one; this package imports none of them, so ``import owui_lab`` stays light and
the doctor can render through ``html`` without loading ipywidgets):

- ``html``: the one renderer of verdicts, live results and error boxes, with the one palette.
- ``base``: the lazily built widget view, the lesson diagrams' PNG, the base-URL list.
- ``live``: the one way to run a configuration for real (the mode, then the lab).
- ``cells``: the lessons' one-line cells (show a verdict, the commands; run it live; the doctor).
- ``compare``: the lessons' Docker Desktop | Linux comparison.
- ``predict_check``, ``fix_it``: the lessons' exercises.
- ``stage``: the instructor's projector view.
- ``explorer``: the sandbox (every knob, the diagram, the verdict, the commands).
"""
