"""The instructor's projector page: the room's answers fill in live, then the reveal and a real run.

One self-contained page (no outside fonts or scripts: classrooms are often offline). It lists the
lessons' own questions (the kit's, never a learner's), shows the one the instructor picked (only the
instructor's click changes it, ``api/current``), long-polls ``api/questions`` (an answer shows within a
fraction of a second), draws one bar per option with the count beside it (for "tick every URL that
works", how many ticked each URL), and on "Reveal" asks the service for the engine's verdict (the kit's own renderer)
and marks the right option(s). "Run it for real" queues a live run as the instructor and shows the
observation beside the prediction, rendered by the same renderer as in the notebooks.
"""

from __future__ import annotations

import json

from .. import palette

_PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The room's predictions · owui-lab</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 24px; margin: 24px 40px; color: __TEXT__; background: __PAPER__}
h1 {font-size: 40px; margin: 0 0 12px}
#questions button {font-size: 20px; margin: 0 8px 8px 0; padding: 6px 12px; border: 2px solid __INFO__; background: __PAPER__; border-radius: 6px; cursor: pointer; max-width: 28em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap}
#questions button.current {background: __INFO__; color: __PAPER__}
#question {font-size: 32px; margin: 18px 0; line-height: 1.3}
.row {display: grid; grid-template-columns: minmax(8em, 22em) 1fr 3em; align-items: center; gap: 16px; margin: 10px 0}
.label {font-size: 26px}
.track {background: __TRACK__; height: 48px; border-radius: 6px}
.bar {background: __BAR__; height: 48px; border-radius: 6px; width: 0; transition: width 0.2s}
.row.right .bar {background: __WORKS_BAR__}
.row.right .label::before {content: "✓ "; color: __WORKS__; font-weight: bold}
.count {font-size: 30px; font-weight: bold; text-align: right}
#total {color: __MUTED__}
.actions button {font-size: 26px; padding: 10px 22px; margin: 12px 16px 12px 0; border-radius: 8px; border: 0; color: __PAPER__; background: __INFO__; cursor: pointer}
.actions button#run {background: __WORKS__}
.actions button:disabled {opacity: 0.5; cursor: default}
#progress {color: __MUTED__; font-style: italic}
#empty {color: __MUTED__}
</style></head>
<body>
<h1>The room's predictions</h1>
<div id="questions"></div>
<p id="empty">Pick the question the room is on: its bars fill in as learners check their predictions.</p>
<div id="current" hidden>
  <div id="question"></div>
  <div id="bars"></div>
  <p id="total"></p>
  <div class="actions"><button id="reveal">Reveal the engine's answer</button><button id="run" hidden>Run it for real</button></div>
  <div id="verdict"></div>
  <p id="progress"></p>
  <div id="live"></div>
</div>
<script>
const PREFIX = __PREFIX__, XSRF = __XSRF__;
let version = -1, questions = [], chosen = null;
const $ = (id) => document.getElementById(id);
async function api(method, path, body) {
  const r = await fetch(PREFIX + path, {method, credentials: "same-origin",
    headers: {"X-XSRFToken": XSRF, "Content-Type": "application/json"}, body: body && JSON.stringify(body)});
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}
function drawList() {
  $("empty").hidden = !!chosen;
  $("questions").replaceChildren(...questions.map((q) => {
    const b = document.createElement("button");
    b.textContent = q.lesson.slice(0, 2) + " · " + q.text + " (" + q.total + ")";
    b.title = q.text; b.dataset.id = q.id;
    if (chosen && q.id === chosen.id) b.className = "current";
    b.onclick = () => choose(q.id);
    return b;
  }));
}
function drawQuestion() {
  $("current").hidden = !chosen;
  if (!chosen) return;
  const q = chosen, most = Math.max(1, ...q.options.map((o) => o.count));
  $("question").textContent = q.text;
  $("bars").replaceChildren(...q.options.map((o) => {
    const row = document.createElement("div");
    row.className = "row" + (o.right ? " right" : "");
    row.dataset.count = o.count;
    const label = document.createElement("span"); label.className = "label"; label.textContent = o.label;
    const track = document.createElement("div"); track.className = "track";
    const bar = document.createElement("div"); bar.className = "bar"; bar.style.width = (100 * o.count / most) + "%";
    track.append(bar);
    const count = document.createElement("span"); count.className = "count"; count.textContent = o.count;
    row.append(label, track, count);
    return row;
  }));
  $("total").textContent = (q.total === 1 ? "1 answer" : q.total + " answers")
    + (q.several ? " (each learner ticked every URL they expect to work)" : "");
  $("reveal").disabled = q.revealed;
  $("run").hidden = !q.revealed;
}
function show(id) {
  if (!chosen || chosen.id !== id) { $("verdict").innerHTML = ""; $("live").innerHTML = ""; $("progress").textContent = ""; }
  chosen = questions.find((x) => x.id === id) || null;
  drawList(); drawQuestion();
}
async function choose(id) {
  try { await api("POST", "api/current", {question: id}); } catch (e) { $("progress").textContent = e.message; }
}
async function poll() {
  for (;;) {
    try {
      const data = await api("GET", "api/questions?since=" + version);
      version = data.version; questions = data.questions;
      show(data.current);
    } catch (e) {
      $("progress").textContent = "The lab service does not answer (" + e.message + "); trying again.";
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}
$("reveal").onclick = async () => {
  const data = await api("POST", "api/questions/" + chosen.id + "/reveal");
  chosen = data.question; $("verdict").innerHTML = data.verdict_html; drawQuestion();
};
$("run").onclick = async () => {
  $("run").disabled = true; $("live").innerHTML = "";
  try {
    let run = await api("POST", "api/runs", {config: chosen.config});
    while (!["done", "failed", "cancelled"].includes(run.state)) {
      $("progress").textContent = run.progress;
      await new Promise((r) => setTimeout(r, 250));
      run = await api("GET", "api/runs/" + run.id + "/html");
    }
    $("progress").textContent = run.progress;
    if (run.html) $("live").innerHTML = run.html;
  } catch (e) { $("progress").textContent = e.message; }
  $("run").disabled = false;
};
poll();
</script>
</body></html>
"""


# The page's colours from the one palette (a placeholder each: the page's CSS and script are full of braces).
_PAGE_COLOURS = {"__TEXT__": palette.TEXT, "__PAPER__": palette.PAPER, "__INFO__": palette.INFO,
                 "__TRACK__": palette.TRACK, "__BAR__": palette.BAR, "__WORKS_BAR__": palette.WORKS,
                 "__WORKS__": palette.WORKS_INK, "__MUTED__": palette.MUTED}
for _placeholder, _colour in _PAGE_COLOURS.items():
    _PAGE = _PAGE.replace(_placeholder, _colour)


def page(prefix: str, xsrf: str) -> str:
    """The projector page for a service mounted at ``prefix``."""
    prefix = "/" + prefix.strip("/") + "/"
    def js(value: str) -> str:
        return json.dumps(value).replace("</", "<\\/")

    return _PAGE.replace("__PREFIX__", js(prefix)).replace("__XSRF__", js(xsrf))
