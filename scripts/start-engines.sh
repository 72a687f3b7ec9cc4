#!/usr/bin/env bash
# Install and start the other container engines the kit measures, beside the rootful Docker Engine:
# rootful Podman, rootless Podman and rootless Docker, each on its own socket (idempotent: what is
# installed or already answering is reused). Run as root on Debian/Ubuntu:
#
#   sudo scripts/start-engines.sh            # all three
#   sudo scripts/start-engines.sh podman-rootful podman-rootless docker-rootless
#
# It prints one line per engine, OWUI_LAB_ENGINE_<NAME>=<socket URL> (`eval "$(...)"` keeps them; the
# live tests read them). Point the kit at one with DOCKER_HOST, e.g.
#   DOCKER_HOST=unix:///run/podman/podman.sock .venv/bin/owui-lab lab run --scenario linux-compose
#
# It never touches the rootful Docker daemon: rootless Docker runs as the user below with its own
# socket ($XDG_RUNTIME_DIR/docker.sock) and data root (~/.local/share/docker).
# The stand-in image is copied into each engine from the rootful Docker's (images are per engine and,
# for rootless engines, per user): build it first with scripts/build-offline-image.sh.
set -euo pipefail

engines=("$@")
[ "${#engines[@]}" -gt 0 ] || engines=(podman-rootful podman-rootless docker-rootless)
image="${OWUI_LAB_IMAGE:-owui-lab/python:offline}"
user="${OWUI_LAB_ROOTLESS_USER:-owui-rootless}"
log_dir="${TMPDIR:-/tmp}/owui-lab-engines"
mkdir -p "$log_dir"
export DEBIAN_FRONTEND=noninteractive

say() { printf '== %s\n' "$*" >&2; }  # progress on stderr: stdout is the lines to eval
wait_for() {  # wait_for SECONDS COMMAND...: poll until the command succeeds
  local n=$1; shift
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  "$@"
}

say "Debian packages: podman, podman-compose, catatonit, fuse-overlayfs, rootlesskit, slirp4netns, uidmap"
need=()
command -v podman >/dev/null || need+=(podman)
command -v podman-compose >/dev/null || need+=(podman-compose)  # Podman 4.3 has no podman compose: the recipe's
command -v rootlesskit >/dev/null || need+=(rootlesskit)
command -v slirp4netns >/dev/null || need+=(slirp4netns)
command -v newuidmap >/dev/null || need+=(uidmap)
[ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
command -v fuse-overlayfs >/dev/null || need+=(fuse-overlayfs)  # rootless Podman's storage (not vfs)  # Podman's --init (the kit starts every stand-in with one)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >"$log_dir/apt.log" 2>&1 \
    || { tail -30 "$log_dir/apt.log"; exit 1; }
fi

# The image, saved once from the rootful Docker Engine (the kit's offline image lives there).
image_tar="$log_dir/image.tar"
if [ ! -s "$image_tar" ]; then
  docker save "$image" -o "$image_tar.part" && mv "$image_tar.part" "$image_tar"
  chmod 0644 "$image_tar"
fi

need_user() {
  if ! id "$user" >/dev/null 2>&1; then
    # useradd gives a normal user subordinate id ranges in /etc/subuid and /etc/subgid.
    useradd --create-home --shell /bin/bash "$user"
  fi
  grep -q "^$user:" /etc/subuid || usermod --add-subuids 200000-265535 "$user"
  grep -q "^$user:" /etc/subgid || usermod --add-subgids 200000-265535 "$user"
  uid=$(id -u "$user")
  runtime_dir="/run/user/$uid"
  mkdir -p "$runtime_dir" && chown "$user:" "$runtime_dir" && chmod 0700 "$runtime_dir"
  cp -f "$image_tar" "/home/$user/image.tar" && chown "$user:" "/home/$user/image.tar"
}
as_user() {  # as_user COMMAND...: run as the rootless user with its own runtime dir
  runuser -u "$user" -- env -i HOME="/home/$user" USER="$user" XDG_RUNTIME_DIR="$runtime_dir" \
    PATH="/usr/share/docker.io/contrib:/usr/sbin:/usr/bin:/sbin:/bin" "$@"
}

start_podman_service() {  # start_podman_service SOCKET [USER]: Podman's Docker-compatible service on SOCKET,
  # as root, or rootless as USER (with as_user's runtime dir) when given; one already answering is kept.
  local sock=$1 user=${2:-$user} as=() kind=rootful
  [ -z "${2:-}" ] || { as=(as_user); kind=rootless; }
  curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && return 0
  "${as[@]}" mkdir -p "$(dirname "$sock")"
  # From /: conmon inherits the service's working directory, and fails every start ("Failed to get working
  # directory") once the folder this script ran from is removed (a CI clone, a learner's old checkout).
  (cd / && "${as[@]}" setsid podman system service --time=0 "unix://$sock") >"$log_dir/podman-$kind.log" 2>&1 </dev/null &
  wait_for 30 curl -sf --unix-socket "$sock" http://d/_ping
}

for engine in "${engines[@]}"; do
  case "$engine" in
    podman-rootful)
      say "Rootful Podman: the Docker-compatible service on /run/podman/podman.sock"
      sock=/run/podman/podman.sock
      podman image exists "$image" || podman load -q -i "$image_tar" >/dev/null
      start_podman_service "$sock"
      echo "export OWUI_LAB_ENGINE_PODMAN_ROOTFUL=unix://$sock"
      ;;
    podman-rootless)
      say "Rootless Podman as $user"
      need_user
      sock="$runtime_dir/podman/podman.sock"
      conf="/home/$user/.config/containers/storage.conf"
      if [ ! -f "$conf" ]; then
        # overlay through fuse-overlayfs: rootless Podman 4.3 falls back to vfs here, which copies the
        # whole image for every container (measured: 14 s to remove one, the lab's teardown timed out).
        as_user podman system reset -f >/dev/null 2>&1 || true
        install -d -o "$user" "/home/$user/.config/containers"
        printf '[storage]\ndriver = "overlay"\n[storage.options.overlay]\nmount_program = "/usr/bin/fuse-overlayfs"\n' >"$conf"
        chown "$user:" "$conf"
      fi
      as_user podman image exists "$image" || as_user podman load -q -i "/home/$user/image.tar" >/dev/null
      start_podman_service "$sock" "$user"
      echo "export OWUI_LAB_ENGINE_PODMAN_ROOTLESS=unix://$sock"
      ;;
    docker-rootless)
      say "Rootless Docker as $user (its own socket and data root; the rootful daemon is left alone)"
      need_user
      sock="$runtime_dir/docker.sock"
      if ! curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
        (cd / && as_user setsid dockerd-rootless.sh) >"$log_dir/docker-rootless.log" 2>&1 </dev/null &
        wait_for 60 curl -sf --unix-socket "$sock" http://d/_ping \
          || { tail -30 "$log_dir/docker-rootless.log"; exit 1; }
      fi
      DOCKER_HOST="unix://$sock" docker image inspect "$image" >/dev/null 2>&1 \
        || DOCKER_HOST="unix://$sock" docker load -q -i "$image_tar" >/dev/null
      echo "export OWUI_LAB_ENGINE_DOCKER_ROOTLESS=unix://$sock"
      ;;
    *)
      echo "unknown engine '$engine': use podman-rootful, podman-rootless or docker-rootless" >&2
      exit 2
      ;;
  esac
done
