"""The fix written into the person's own paste (``paste/edit.py``) and ``owui-lab predict --from-command``."""

from __future__ import annotations

import json

import pytest

from owui_lab.cli import main
from owui_lab.fixes import fix_changes
from owui_lab.paste import Paste, read_paste
from owui_lab.paste.edit import fix_diff
from owui_lab.prediction import predict

README = ("docker run -d -p 3000:8080 --add-host=host.docker.internal:host-gateway -v open-webui:/app/backend/data "
          "--name open-webui --restart always ghcr.io/open-webui/open-webui:main")
LOCALHOST = ("docker run -d -p 3000:8080 -v open-webui:/app/backend/data -e OLLAMA_BASE_URL=http://127.0.0.1:11434 "
             "--restart always ghcr.io/open-webui/open-webui:main")


def test_every_fix_is_an_edit_of_the_paste_that_the_engine_says_works():
    for paste in (Paste(commands=(LOCALHOST,)), Paste(commands=(README,), host=("ollama serve",))):
        setup = read_paste(paste)
        assert not predict(setup.config).reachable
        for combo in fix_changes(setup.config):
            diff = fix_diff(setup, combo)
            assert diff.startswith("--- what you pasted\n+++ fixed"), diff
            assert any(line.startswith("+") and not line.startswith("+++") for line in diff.splitlines())


def test_the_host_ollama_line_is_edited_in_place():
    setup = read_paste(Paste(commands=(README,), host=("ollama serve",)))
    first = fix_changes(setup.config)[0]
    assert dict(first[0].knobs) == {"ollama_bind": "0.0.0.0"}
    assert "-ollama serve\n+OLLAMA_HOST=0.0.0.0 ollama serve" in fix_diff(setup, first)


def test_the_url_flag_is_replaced_not_added():
    setup = read_paste(Paste(commands=(LOCALHOST,)))
    combo = next(c for c in fix_changes(setup.config) if any(k == "base_url" for ch in c for k, _ in ch.knobs))
    diff = fix_diff(setup, combo)
    assert "--e OLLAMA_BASE_URL=http://127.0.0.1:11434" in diff and diff.count("+-e OLLAMA_BASE_URL=") == 1


def test_cli_predicts_from_a_command_and_shows_the_diff(capsys):
    assert main(["predict", "--from-command", README, "--ollama-line", "ollama serve"]) == 0
    out = capsys.readouterr().out
    assert "NOT reachable (connection_refused)" in out
    assert "assumed Docker Engine on Linux" in out and "open-webui: --restart always" in out
    assert "+OLLAMA_HOST=0.0.0.0 ollama serve" in out


def test_cli_json_carries_the_reading(capsys):
    assert main(["predict", "--json", "--platform", "desktop", "--from-command", README]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reachable"] is True and data["config"]["platform"] == "desktop"
    assert data["paste"]["fixes_as_diffs"] == [] and data["paste"]["ignored"]


def test_cli_compose_file(tmp_path, capsys):
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  ollama:\n    image: ollama/ollama\n  open-webui:\n    image: ghcr.io/open-webui/open-webui:main\n"
                 "    ports: ['3000:8080']\n    environment:\n      - OLLAMA_BASE_URL=http://ollama:11434\n")
    assert main(["predict", "--json", "--compose-file", str(f)]) == 0
    assert json.loads(capsys.readouterr().out)["reachable"] is True


@pytest.mark.parametrize("argv, words", [
    (["predict", "--from-command", "ls -la"], "is not a docker run"),
    (["predict", "--ollama-line", "ollama serve"], "no Open WebUI command"),
    (["predict", "--compose-file", "/nonexistent/compose.yaml"], "--compose-file /nonexistent/compose.yaml"),
])
def test_cli_bad_paste_is_one_paragraph(argv, words, capsys):
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert words in err and "Hint:" in err and "Traceback" not in err


#: A broken compose file as people write them (comments, ${VAR}): also the paste box tests' broken paste.
COMMENTED = """\
# my stack, from a blog
services:
  ollama:
    image: ollama/ollama   # the model server
  open-webui:
    image: ghcr.io/open-webui/open-webui:${WEBUI_TAG:-main}
    ports:
      - "3000:8080"
    environment:
      # point it at ollama
      - OLLAMA_BASE_URL=http://localhost:11434
      - WEBUI_SECRET_KEY=
    depends_on: [ollama]
"""

MAP_FORM = """\
services:
    ollama:
        image: ollama/ollama
    open-webui:
        image: ghcr.io/open-webui/open-webui:main
        ports:
        - 3000:8080
        environment:
            OLLAMA_API_BASE_URL: 'http://localhost:11434/api'   # the old name
            OLLAMA_BASE_URL: 'http://localhost:11434'
            WEBUI_AUTH: 'False'
"""

_EDITED_KEYS = ("OLLAMA_BASE_URL", "OLLAMA_API_BASE_URL", "OLLAMA_BASE_URLS", "OLLAMA_HOST")


def _compose_diffs(text: str) -> list[str]:
    setup = read_paste(Paste(compose=(text,), compose_env={}, use_docker_compose=False))
    return [fix_diff(setup, combo) for combo in fix_changes(setup.config)]


@pytest.mark.parametrize("text", [COMMENTED, MAP_FORM], ids=["list-form-commented", "map-form-4-spaces"])
def test_a_compose_file_is_edited_in_place_as_its_author_wrote_it(text):
    """Comments, ${VAR} references, quoting, flow lists, key order and the author's indentation stay: only the
    fix's lines change, in their place."""
    diffs = _compose_diffs(text)
    assert diffs and all(diffs)
    first = diffs[0].splitlines()
    removed = [line[1:] for line in first if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in first if line.startswith("+") and not line.startswith("+++")]
    assert removed and all(any(k in line for k in _EDITED_KEYS) for line in removed), removed
    for kept in ("# point it at ollama", "${WEBUI_TAG:-main}", "depends_on: [ollama]", "# the model server",
                 "WEBUI_AUTH: 'False'"):
        assert kept not in "\n".join(removed), kept
    url = next(line for line in added if "OLLAMA_BASE_URL" in line)
    was = next(line for line in removed if "OLLAMA_BASE_URL" in line and "_API_" not in line)
    assert len(url) - len(url.lstrip()) == len(was) - len(was.lstrip())  # the same place, the same indentation
    assert not any("OLLAMA_API_BASE_URL" in line for line in added)  # the legacy name goes with the fix


def test_every_corpus_compose_fix_changes_only_what_it_names_and_then_works():
    """Each fix of each compose file in the corpus: the removed lines are the fix's own (a URL, OLLAMA_HOST, or
    the ports a move to host networking drops), and the edited file, read again, is predicted to work."""
    from owui_lab.paste.edit import edited
    from tests.test_paste_corpus import ENTRIES, load

    checked = 0
    for path in ENTRIES:
        entry = load(path)
        texts = entry["paste"].get("compose") or []
        if not texts or entry["paste"].get("commands") or entry.get("expressible", True) is not True:
            continue
        setup = read_paste(Paste(compose=(texts[0],), compose_env={}, use_docker_compose=False))
        for combo in fix_changes(setup.config):
            knobs = dict(k for ch in combo for k in ch.knobs)
            before, after = edited(setup, combo)
            removed = [line for line in before if line not in after]
            allowed = _EDITED_KEYS + (("ports:", ":8080") if knobs.get("webui_network") == "host" else ())
            assert all(any(k in line for k in allowed) for line in removed), (path.name, knobs, removed)
            again = read_paste(Paste(compose=("\n".join(after),), compose_env={}, use_docker_compose=False))
            assert predict(again.config.replace(**{k: v for k, v in knobs.items() if k == "stored_url"})).reachable, (
                path.name, knobs, "\n".join(after))
            checked += 1
    assert checked >= 8
