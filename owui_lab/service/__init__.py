"""The classroom's lab service: live labs for every learner on one server, and the room's answers.

A JupyterHub service (``deploy/jupyterhub/jupyterhub_config.py`` starts it): learners' servers have
no Docker socket; their "Run it live" sends a ``Config`` here (validated by the kit, so only the
kit's stand-ins in the kit's shapes ever run), waits its turn in one queue for the room, and gets the
observation back, every object labelled with the learner as owner. Modules: ``runs`` (the queue),
``worker`` (one run in a process of its own, as the learner), ``labs`` (a learner's own labs, kept
labs expiring), ``answers`` (peer instruction on the lessons' own questions), ``store`` (all of it in
SQLite on disk: a restart loses nothing), ``app`` (the web application and its hub authentication),
``projector`` (the instructor's page), ``accounts`` (loaded by the hub: one person, one account). What a learner's notebook calls is ``owui_lab.classroom``
(standard library only, below the widgets); the service itself (tornado, JupyterHub's auth) loads with
``python -m owui_lab.service``.
"""
