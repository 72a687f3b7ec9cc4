"""The URL Open WebUI saved in its database wins over OLLAMA_BASE_URL (Open WebUI issues 12034, 1295).

Documented by Open WebUI (ENABLE_PERSISTENT_CONFIG) and read from a real Open WebUI by the doctor
(``diagnosis/savedurl.py``); here the engine follows the saved URL, says so, and fixes it where it is saved.
"""

from __future__ import annotations

from owui_lab import Config, predict
from owui_lab.paste import Paste, read_paste
from owui_lab.paste.edit import fix_diff
from owui_lab.fixes import fix_changes


def test_the_saved_url_wins_and_is_said():
    c = Config.from_knobs({"ollama": "container", "compose": True, "base_url": "http://ollama:11434",
                           "stored_url": "http://localhost:11434"})
    v = predict(c)
    assert v.outcome == "connection_refused" and "localhost:11434" in v.transcript().splitlines()[0]
    assert any("saved in its database" in n for n in v.notes)
    assert v.fixes[0].startswith("in Admin → Settings → Connections, set the Ollama URL to http://ollama:11434")
    assert predict(c.replace(stored_url=None)).reachable


def test_a_paste_with_a_saved_url():
    run = ("docker run -d -p 3000:8080 --add-host=host.docker.internal:host-gateway -v open-webui:/app/backend/data "
           "-e OLLAMA_BASE_URL=http://host.docker.internal:11434 ghcr.io/open-webui/open-webui:main")
    setup = read_paste(Paste(commands=(run,), host=("OLLAMA_HOST=0.0.0.0 ollama serve",),
                             stored_url="http://127.0.0.1:11434"))
    c = setup.config
    assert (c.base_url, c.stored_url) == ("http://host.docker.internal:11434", "http://127.0.0.1:11434")
    assert not predict(c).reachable
    diff = fix_diff(setup, fix_changes(c)[0])
    assert "Admin → Settings → Connections" in diff
