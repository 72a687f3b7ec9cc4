#!/usr/bin/env bash
# The baseline for bench/bench_lab.py: what `owui-lab lab run --scenario SEED` does, by hand, with
# the plain docker CLI (create, wait, probe from inside Open WebUI, browser check, tear down).
#
# Usage: bench/lab_baseline.sh SEED STANDIN_DIR
#   SEED:        linux-ollama-on-host | linux-compose | linux-separate-networks | linux-host-network
#   STANDIN_DIR: a folder with ollama.py and webui.py (the kit's stand-ins)
# Prints one line: "<seed> <probe outcome> teardown=<seconds>".
#
# Everything carries the kit's labels (io.owui-lab.*) and is removed by exact name at the end.
# Image: $OWUI_LAB_IMAGE (default python:3.12-slim). Host ports: free ones, chosen by python3.
set -euo pipefail
seed="$1"; dir="$2"
image="${OWUI_LAB_IMAGE:-python:3.12-slim}"
s="bl$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
labels=(--label io.owui-lab.managed=true --label "io.owui-lab.session=$s" --label io.owui-lab.role=baseline)
[ -n "${OWUI_LAB_RUN:-}" ] && labels+=(--label "io.owui-lab.run=$OWUI_LAB_RUN")
ollama_src="$(cat "$dir/ollama.py")"
webui_src="$(cat "$dir/webui.py")"
ports=($(python3 -c 'import socket
ss=[socket.socket() for _ in range(2)]
[x.bind(("0.0.0.0",0)) for x in ss]
print(*[x.getsockname()[1] for x in ss])'))
op="${ports[0]}"; wp="${ports[1]}"
containers=(); networks=(); host_pid=""

teardown() {
  local t0 t1
  t0=$(date +%s.%N)
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null || true
  [ ${#containers[@]} -gt 0 ] && docker rm -f "${containers[@]}" >/dev/null
  [ ${#networks[@]} -gt 0 ] && docker network rm "${networks[@]}" >/dev/null
  t1=$(date +%s.%N)
  teardown_s=$(python3 -c "print(round($t1-$t0,3))")
}
trap 'teardown' EXIT

wait_http() {  # wait_http CONTAINER|"" ADDRESS PORT: until GET / gets an HTTP answer (bounded)
  local script="import socket,sys,time
end=time.time()+15
while True:
    try:
        s=socket.create_connection(('$2',$3),1); s.settimeout(2); s.sendall(b'GET / HTTP/1.0\r\n\r\n')
        if s.recv(5)==b'HTTP/': sys.exit(0)
    except OSError:
        pass
    if time.time()>end: sys.exit(1)
    time.sleep(0.02)"
  if [ -n "$1" ]; then docker exec "$1" python3 -c "$script"; else python3 -c "$script"; fi
}

run_webui() {  # run_webui NAME DOCKER-RUN-ARGS...
  local name="$1"; shift
  docker run -d --init "${labels[@]}" --name "$name" "$@" "$image" python3 -c "$webui_src" serve --quiet --host 0.0.0.0 >/dev/null  # the stand-in binds 127.0.0.1 unless told: -p needs it on every address
  containers+=("$name")
}

case "$seed" in
  linux-ollama-on-host)
    OLLAMA_HOST="127.0.0.1:$op" python3 -c "$ollama_src" --quiet 2>/dev/null & host_pid=$!
    run_webui "$s-webui" -p "127.0.0.1:$wp:8080" --add-host=host.docker.internal:host-gateway
    wait_http "" 127.0.0.1 "$op"
    url="http://host.docker.internal:$op" ;;
  linux-compose|linux-separate-networks)
    docker network create "${labels[@]}" "$s-a" >/dev/null; networks+=("$s-a")
    webui_net="$s-a"
    if [ "$seed" = linux-separate-networks ]; then
      docker network create "${labels[@]}" "$s-b" >/dev/null; networks+=("$s-b"); webui_net="$s-b"
    fi
    docker run -d --init "${labels[@]}" --name "$s-ollama" --network "$s-a" --network-alias ollama \
      -e OLLAMA_HOST=0.0.0.0:11434 "$image" python3 -c "$ollama_src" --quiet >/dev/null
    containers+=("$s-ollama")
    run_webui "$s-webui" --network "$webui_net" -p "127.0.0.1:$wp:8080"
    wait_http "$s-ollama" 127.0.0.1 11434
    url="http://ollama:11434" ;;
  linux-host-network)
    OLLAMA_HOST="127.0.0.1:$op" python3 -c "$ollama_src" --quiet 2>/dev/null & host_pid=$!
    docker run -d --init "${labels[@]}" --name "$s-webui" --network host "$image" \
      python3 -c "$webui_src" serve --quiet --host 127.0.0.1 --port "$wp" >/dev/null
    containers+=("$s-webui")
    wait_http "" 127.0.0.1 "$op"
    url="http://127.0.0.1:$op" ;;
  *) echo "unknown seed $seed" >&2; exit 2 ;;
esac

outcome=$(docker exec "$s-webui" python3 -c "$webui_src" probe --timeout 2 "$url" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["outcome"])')
# the browser: GET /health on this host, retried while Open WebUI starts
python3 -c "import time,urllib.request as u
end=time.time()+5
while True:
    try:
        u.urlopen('http://127.0.0.1:$wp/health',timeout=2).read(); break
    except OSError:
        if time.time()>end: raise SystemExit('browser: no answer')
        time.sleep(0.03)"
trap - EXIT
teardown
echo "$seed $outcome teardown=$teardown_s"
