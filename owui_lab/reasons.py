"""The engine's reasons in the learner's words: one template per reason code.

The engine (``engine.py``) returns each step as data: which step, whether it works, a reason code,
what it is about (``subject``), the ``address`` and ``port``, and the few facts its sentence needs
(network names, how Ollama listens). This module turns that data into the sentence a learner reads,
so the words live in one table and can be reworded without touching a rule; ``graph.py`` keeps its
short picture labels in a table keyed by the same codes. ``tests/test_reasons.py`` checks that
every code the engine emits has a template here and a label there. The notes beside a verdict (what the
docs get wrong, security remarks) are data the same way: a note code and its fields, rendered from
``NOTES``.

Templates are ``str.format`` strings. Besides the step's own fields they may use ``{docker0}``,
``{ollama_default_port}`` and ``{webui_container_port}`` (the constants), ``{who}`` (Ollama as the
sentence names it: "Ollama (container, OLLAMA_HOST=0.0.0.0:11434)"), and phrase formats:
``{NAME:network}`` ("the default bridge network", "the user-defined network 'ai'"), ``{NAME:podman_network}``
("the default network", "the network 'ai'"), ``{NAME:place}`` ("the host", "the Docker Desktop VM"),
``{ENGINE:forwarder}`` ("docker-proxy", "rootlessport") and ``{ENGINE:host_network_aside}``. ``{outcome}``
marks where a sentence states its outcome (" → connection refused"), so that ``render_cause`` gives the
cause alone.
"""

from __future__ import annotations

import string
from typing import Any, Mapping

from .config import DOCKER0_ADDRESS, OLLAMA_PORT, WEBUI_CONTAINER_PORT

#: Reason code → the sentence a learner reads. Keys are stable ids (the JSON's ``code``); only the words change.
REASONS: dict[str, str] = {
    # resolve: does the URL's host name resolve inside Open WebUI's network namespace?
    "resolve_ip_address": "{subject} is an IP address: nothing to resolve",
    "resolve_ip_address_read_as": "{subject} is an IP address (the resolver reads it as {address}): nothing to resolve",
    "resolve_add_host_ip": "host.docker.internal → {address}: --add-host=host.docker.internal:{address} wrote that "
                           "address into /etc/hosts",
    "resolve_localhost_container": "localhost resolves to 127.0.0.1 (/etc/hosts): that is the container itself",
    "resolve_localhost_host": "localhost resolves to 127.0.0.1 (/etc/hosts): that is the host",
    "resolve_localhost_vm": "localhost resolves to 127.0.0.1 (/etc/hosts): that is the Docker Desktop VM",
    "resolve_host_docker_internal_desktop": "host.docker.internal is built into Docker Desktop: it names your Mac/PC",
    "resolve_host_gateway": "host.docker.internal → {address}: --add-host ...:host-gateway wrote the docker0 address "
                            "into /etc/hosts",
    "host_docker_internal_unknown_on_linux": "host.docker.internal is unknown on Docker Engine on Linux unless the "
                                             "container is started with --add-host=host.docker.internal:host-gateway "
                                             "(Name or service not known)",
    "resolve_container_name": "'{subject}' resolves through Docker's embedded DNS: both are on the user-defined "
                              "network '{network}', which resolves {name_kind} names",
    "name_unknown_to_host_resolver": "'{subject}' does not resolve: a host-network container uses the host's resolver, "
                                     "which knows no container names",
    "name_on_default_bridge": "'{subject}' does not resolve: the default bridge network has no DNS for container names "
                              "(only user-defined networks do)",
    "name_on_host_network": "'{subject}' does not resolve: '{subject}' runs on the host network, so it has no name in "
                            "'{webui_network}''s DNS",
    "name_across_networks": "'{subject}' does not resolve: names never resolve across networks: '{subject}' is on "
                            "{ollama_network:network}, Open WebUI on {webui_network:network}",
    "name_unknown": "'{subject}' is not a name Docker's DNS or /etc/hosts knows here",
    "name_unknown_not_ollama": "'{subject}' is not a name Docker's DNS or /etc/hosts knows here (the Ollama container "
                               "is named '{ollama_name}')",
    # resolve, on Podman and rootless Docker (engines.py)
    "resolve_localhost_rootlesskit": "localhost resolves to 127.0.0.1 (/etc/hosts): rootlesskit's namespace, not the "
                                     "host",
    "podman_refuses_host_gateway": "Podman 4.3 does not know host-gateway: podman run refuses it (\"invalid IP address "
                                   "in add-host\") and through its Docker-compatible API the word host-gateway lands in "
                                   "/etc/hosts, which resolves nothing (Name or service not known); Podman names the "
                                   "host host.containers.internal",
    "host_docker_internal_on_podman": "host.docker.internal is Docker's name; Podman writes host.containers.internal "
                                      "into /etc/hosts instead (Name or service not known)",
    "host_containers_internal_not_podman": "host.containers.internal is Podman's name for the host; {engine_title} does "
                                           "not know it (Name or service not known)",
    "resolve_host_containers_internal_lan": "host.containers.internal → the host's own LAN address: Podman writes it "
                                            "into /etc/hosts",
    "resolve_host_containers_internal_lan_rootless": "host.containers.internal → the host's own LAN address: Podman "
                                                     "writes it into /etc/hosts (rootless: the gateway would be inside "
                                                     "its own namespace)",
    "resolve_host_containers_internal_gateway": "host.containers.internal → the gateway of {webui_network:podman_network} "
                                                "({gateway} on the default network): Podman writes it into /etc/hosts",
    "resolve_host_gateway_rootless": "host.docker.internal → {docker0}: host-gateway is docker0, which for rootless "
                                     "Docker is inside rootlesskit's network namespace",
    # route: where does the address lead from there, and do packets get there?
    "route_desktop_forwards_host": "Docker Desktop forwards host.docker.internal to your Mac/PC itself",
    "route_same_network": "'{address}' is on the same network '{network}': packets go straight there",
    "route_container_itself": "{address} inside a bridged container is the container itself, not the host",
    "route_vm_loopback": "{address} is the Docker Desktop VM's loopback: with host networking off, 'host' means the "
                         "VM, not your Mac/PC",
    "route_host_loopback": "{address} is the host's own loopback (Open WebUI shares the host's network (--network "
                           "host))",
    "isolation_drops_published_port": "{docker0}:{published_port} is Ollama's published port, and with the "
                                      "daemon's userland-proxy off Docker's NAT sends it straight to the Ollama "
                                      "container on {ollama_network:network}; Docker's isolation between bridge "
                                      "networks drops packets from {webui_network:network} (no answer, a timeout)",
    "host_firewall_drops": "{address} is an address of the host, and the host's firewall (ufw's default 'deny "
                           "incoming') drops what arrives there from {webui_network:network} before anything on "
                           "the host can answer (no answer, a timeout)",
    "route_desktop_docker0": "{address} is the bridge of Docker Desktop's Linux VM, not your Mac/PC",
    "route_docker0_this_host": "{address} is docker0, an address of this very host",
    "route_docker0_to_host": "{address} is docker0, the host's address on the default bridge: packets reach the host",
    "host_address_on_desktop_not_recorded": "{address} is your Mac/PC's own address; where Docker Desktop sends a "
                                            "container's connection to it is not modelled (not recorded)",
    "route_host_address_itself": "{address} is this host's own address: the host itself",
    "route_host_address_via_gateway": "{address} is this host's own address: packets leave the container through its "
                                      "gateway and arrive at the host",
    "address_unplaced": "{address} is not an address the kit can place (not loopback, docker0 or a container of this "
                        "setup): packets to it are not expected to reach Ollama",
    # route, on Podman and rootless Docker (engines.py)
    "route_host_lan": "the host's LAN address leads to the host itself",
    "route_host_lan_slirp4netns": "the host's LAN address leads to the host itself (rootless Podman: through "
                                  "slirp4netns)",
    "route_podman_network_gateway": "the network's gateway is an address of this host (rootful Podman: a bridge on the "
                                    "host, like docker0)",
    "route_rootlesskit_loopback": "{address} is the loopback of rootlesskit's namespace (rootless Docker's --network "
                                  "host), not the host's",
    "route_rootlesskit_docker0_here": "{address} is docker0 inside rootlesskit's namespace, where this container runs",
    "route_rootlesskit_docker0": "{address} is docker0 inside rootlesskit's network namespace, not the host (rootless "
                                 "Docker)",
    "docker0_on_podman": "{address} is Docker's docker0; Podman's default network gateway is {gateway} ({docker0} is "
                         "no address of a Podman host unless Docker also runs there)",
    "route_rootless_podman_gateway": "{address} is no gateway of this rootless Podman container (slirp4netns leaves "
                                     "through 10.0.2.2): it is looked up on the host's network, which on the recording "
                                     "machine held {address} (rootful Podman's podman0); with rootless Podman alone it "
                                     "leads off the machine",
    "route_rootless_podman_gateway_elsewhere": "from the host's network {address} is not rootless Podman's gateway "
                                               "(that one is inside its own namespace): it leads off this machine, or, "
                                               "where rootful Podman also runs (as on the recording machine), to "
                                               "rootful Podman's podman0",
    "route_podman0": "{address} is podman0, the default network's gateway: an address of this host",
    # listen: does anything listen there, on that address and port, for this source?
    "wrong_port": "{who} listens on port {ollama_port}, not {port}{outcome}",
    "published_port_differs": "the published port is {published_port} ({spec}), not {port}{outcome}",
    "published_on_loopback_only_host_address": "{spec} listens on the host's loopback only, not on the host's "
                                               "address {address}{outcome}",
    "published_on_loopback_only": "{spec} listens on the host's loopback only, not on docker0 ({docker0}), where "
                                  "a container's connection arrives{outcome}",
    "nothing_behind_published_port": "{spec} forwards to port {ollama_default_port} in the container, where {who} "
                                     "does not listen{outcome}",
    "listen_published_mac": "{spec} publishes Ollama's container port on your Mac/PC",
    "listen_published_loopback": "{spec} publishes Ollama's container port on {place:place}'s loopback",
    "listen_published_host_address": "{spec} publishes Ollama's container port on the host's address {address}",
    "listen_published_docker0": "{spec} publishes Ollama's container port on every host address, docker0 "
                                "({docker0}) included",
    "webui_own_port": "that is Open WebUI's own port {webui_container_port}, not Ollama{outcome}",
    "nothing_in_webui_container": "nothing listens on port {port} inside the Open WebUI container{outcome}",
    "listen_bundled": "{who} listens on the Open WebUI container's own loopback: the :ollama image's start.sh runs "
                      "`ollama serve` in that container (from its Dockerfile; emulated with the stand-ins)",
    "bundled_ollama_not_there": "Ollama runs inside the Open WebUI container (the :ollama image), and nothing "
                                "listens at {address} port {port}{outcome} (use http://localhost:11434 or "
                                "the image's /ollama)",
    "container_port_not_host_port": "container-to-container traffic uses the container port {ollama_port}, not a "
                                    "published host port{outcome}",
    "ollama_container_loopback_only": "{who} listens on {ollama_host} inside its container, so other containers cannot "
                                      "connect{outcome}",
    "listen_container_all_addresses": "{who} listens on all addresses of its container",
    "mac_ollama_not_on_loopback": "{who} listens on {ollama_host} only, but Docker Desktop delivers "
                                  "host.docker.internal to your Mac/PC's loopback (127.0.0.1){outcome}",
    "listen_mac": "{who} listens on your Mac/PC; Docker Desktop's forwarding reaches it even on 127.0.0.1",
    "listen_mac_host_network": "{who} is on the host network; Docker Desktop forwards its port to your Mac/PC",
    "mac_no_published_port": "nothing listens on your Mac/PC at that port: the Ollama container publishes no port "
                             "(add -p 11434:11434){outcome}",
    "mac_nothing_listens": "nothing listens on your Mac/PC at that port{outcome}",
    "listen_loopback": "{who} listens on {place:place}'s loopback",
    "ollama_not_on_loopback": "{who} listens on {ollama_host} only, not on {address}{outcome}",
    "no_published_port_there": "the Ollama container publishes no port on {place:place}, so nothing listens at "
                               "{port}{outcome}",
    "vm_is_not_the_mac": "nothing listens at port {port} in the Docker Desktop VM: Ollama runs on your Mac/PC, outside "
                         "the VM{outcome}",
    "listen_docker0_all_addresses": "{who} listens on all addresses, {bridge} included",
    "listen_docker0_only": "{who} listens on docker0 ({docker0}) itself, and only there",
    "ollama_not_on_docker0": "{who} listens on {ollama_host} only; a connection arriving on {bridge} finds "
                             "nothing there (nothing forwards it to the host's loopback, whatever the docs' 'via "
                             "Docker proxy' says){outcome}",
    "docker0_is_in_the_vm": "Ollama runs on your Mac/PC, not in the VM where {docker0} leads{outcome}",
    "docker0_no_published_port": "nothing listens on docker0 port {port}: the Ollama container publishes no "
                                 "port{outcome}",
    "listen_host_address_all": "{who} listens on all addresses, {address} included",
    "listen_host_address": "{who} listens on {address}",
    "ollama_not_on_host_address": "{who} listens on {ollama_host} only; a connection to the host's address {address} "
                                  "finds nothing there{outcome}",
    "nothing_on_host_address": "nothing listens on the host's address {address} at port {port}{outcome}",
    "nothing_known_listens": "nothing known listens there{outcome}",
    # listen, on Podman and rootless Docker (engines.py)
    "listen_host_lan_all_addresses": "{who} listens on every address, the host's LAN address included",
    "ollama_not_on_host_lan": "{who} listens on {ollama_host} only, not on the host's LAN address{outcome}",
    "listen_published_host_lan": "{spec} is held on every host address ({engine:forwarder})",
    "published_port_not_11434": "the published port is 11434, not {port}{outcome}",
    "published_on_loopback_not_lan": "{spec} listens on the host's loopback only, not on its LAN address{outcome}",
    "no_published_port_on_host": "the Ollama container publishes no port on the host{outcome}",
    "listen_published_podman_namespace": "{spec}: rootlessport holds the port on every host address, 10.88.0.1 too "
                                         "where rootful Podman's podman0 holds it (as on the recording machine)",
    "published_on_loopback_short": "{spec} listens on the host's loopback only{outcome}",
    "host_not_in_podman_namespace": "nothing listens at that port of podman0's address on the recording "
                                    "machine{outcome} (with rootless Podman alone the address leads off the machine)",
    "ollama_publishes_no_port": "the Ollama container publishes no port{outcome}",
    "nothing_answers_elsewhere": "nothing of this setup answers there (recorded: refused, on a machine where rootful "
                                 "Podman also held 10.88.0.1){outcome}",
    "listen_rootlesskit_host_network": "{who} shares rootlesskit's namespace (--network host) and listens there",
    "ollama_not_on_rootlesskit": "{who} listens on {ollama_host} only inside rootlesskit's namespace{outcome}",
    "host_ollama_outside_rootlesskit": "a host Ollama is outside rootlesskit's namespace: nothing listens there "
                                       "(rootless Docker reaches the host only at its LAN address){outcome}",
    "rootlesskit_forwards_on_host": "{spec} is forwarded by rootlesskit on the host, and nothing answers it at docker0 "
                                    "from another container (measured){outcome}",
    "published_on_loopback_rootlesskit": "{spec} listens on loopback only{outcome}",
    "listen_published_rootlesskit": "{spec} is also held inside rootlesskit's namespace, where this container runs",
    # answer
    "ollama_answers": "Ollama answers GET /api/version with its version",
    # the browser, on the host, opening Open WebUI
    "browser_host_network": "Open WebUI shares the host's network: it listens on the host's port "
                            "{webui_container_port} directly (-p {webui_port}:{webui_container_port} is discarded in "
                            "host mode)",
    "browser_desktop_host_networking": "Open WebUI shares the host's network: Docker Desktop's host networking "
                                       "forwards port {webui_container_port} to your Mac/PC (-p "
                                       "{webui_port}:{webui_container_port} is discarded in host mode)",
    "browser_inside_the_vm": "with --network host on Docker Desktop (host networking off) Open WebUI listens in the "
                             "Linux VM, which your browser cannot reach (-p {webui_port}:{webui_container_port} is "
                             "discarded in host mode)",
    "browser_rootlesskit_host_network": "with rootless Docker, --network host is rootlesskit's namespace: Open WebUI's "
                                        "{webui_container_port} listens there and rootlesskit forwards only published "
                                        "ports (and -p is discarded in host mode)",
    "browser_published_port": "-p {webui_port}:{webui_container_port} publishes Open WebUI on the host's port "
                              "{webui_port}",
}

_VIA_DOCKER_PROXY = ("The docs' Linux diagram says 'via Docker proxy': nothing forwards this connection to the host's "
                     "loopback (docker-proxy serves published ports only). host-gateway is the docker0 address "
                     "{docker0}, ")

_LEGACY_API_BASE_URL = ("OLLAMA_API_BASE_URL={api_base_url} is ignored: Open WebUI reads the legacy variable only "
                        "when OLLAMA_BASE_URL is empty, and OLLAMA_BASE_URL is {IS} (open_webui/config.py; Open WebUI "
                        "issue 2176). Set OLLAMA_BASE_URL to the URL without /api.")

#: Note code → the note a learner reads beside the verdict: what the docs get wrong here, what an engine
#: does its own way, and security remarks (``engine.Note``; ``engines.notes`` for the other engines).
#: Keys are stable ids (the JSON's ``note_codes``); a security remark's code starts with ``security_``.
NOTES: dict[str, str] = {
    # the other engines on Linux (engines.py)
    "podman_names_the_host": "Podman names the host host.containers.internal (built in, no flag): use "
                             "http://host.containers.internal:11434; Podman 4.3 refuses "
                             "--add-host=...:host-gateway (measured on Podman 4.3.1).",
    "podman_run_refuses_host_gateway": "With --add-host=...:host-gateway, podman run (and podman-compose) refuse to "
                                       "start Open WebUI on Podman 4.3 (\"invalid IP address in add-host\", measured "
                                       "on Podman 4.3.1). The verdict above is what Podman's Docker-compatible API does "
                                       "(docker compose or the Docker SDK pointed at its socket), where the container "
                                       "starts and the flag does nothing useful: leave --add-host out.",
    "rootless_host_ollama_on_lan_only": "{engine_title}: a host Ollama is reached only at the host's LAN address "
                                        "(through slirp4netns), so it must listen on 0.0.0.0; a 127.0.0.1 Ollama is "
                                        "out of reach from every container but a host-network "
                                        "one{engine:host_network_aside} (measured).",
    "rootless_podman_dns_start": "Rootless Podman 4.3's aardvark-dns can miss a container started while it "
                                 "restarts (when no other container of yours runs): that name then never "
                                 "resolves, and disconnecting and connecting the network does not help. Remove "
                                 "the Ollama container and run it again (measured on Podman 4.3.1: 4 of 6 such "
                                 "starts; the lab starts it again itself).",
    "podman_compat_networks_isolated": "This verdict is for two networks made by podman network create (or "
                                       "podman-compose). Made through Podman's Docker-compatible API instead (docker "
                                       "compose or the Docker SDK pointed at its socket), each network has "
                                       "isolate=true, and traffic from one to the other is dropped and times out, "
                                       "also to a published port reached at a gateway (measured on Podman 4.3.1 with "
                                       "netavark 1.4, which also forgets the isolation whenever another isolated "
                                       "network goes away).",
    "podman_from_the_docs": "From the docs, not recorded: Podman 4.4+ can use pasta instead of slirp4netns for "
                            "rootless networking (Podman 5 makes it the default); host.containers.internal and the "
                            "gateway then map differently (open-webui #14204 reports 169.254.1.2), and Podman 5.3+ "
                            "accepts host-gateway. The kit's Podman rules are recorded on Podman 4.3.1 with "
                            "slirp4netns: if yours differs, record it (owui-lab lab grid).",
    # what the docs get wrong (engine.py)
    "via_docker_proxy_ollama_on_every_address": _VIA_DOCKER_PROXY + "and Ollama listens there (OLLAMA_HOST=0.0.0.0: "
                                                                    "every address).",
    "via_docker_proxy_ollama_on_docker0": _VIA_DOCKER_PROXY + "and Ollama listens there (OLLAMA_HOST={ollama_bind}: "
                                                              "docker0 only).",
    "via_docker_proxy_ollama_not_there": _VIA_DOCKER_PROXY + "so Ollama must listen on that address: "
                                                             "OLLAMA_HOST=0.0.0.0 (every address) or "
                                                             "OLLAMA_HOST={docker0} (docker0 only).",
    "desktop_host_networking_versions": "Docker Desktop supports --network host from 4.34 (a beta from 4.29): "
                                        "Settings → Resources → Network → Enable host networking, then Apply and "
                                        "restart; not with Enhanced Container Isolation. Older docs say it does not "
                                        "work at all.",
    "desktop_has_no_docker0": "On Docker Desktop there is no docker0 on your Mac/PC: {docker0} is inside the VM.",
    "stored_url_wins": "Open WebUI uses the URL saved in its database ({stored_url}), not OLLAMA_BASE_URL={base_url}: "
                       "the saved one wins while the data volume is kept and ENABLE_PERSISTENT_CONFIG is on (Open "
                       "WebUI issues 12034, 1295).",
    "webui_port_ignored_in_host_mode": "--webui-port {webui_port} has no effect in host mode: Docker discards -p.",
    "api_base_url_ignored": _LEGACY_API_BASE_URL.replace("{IS}", "{base_url}"),
    "api_base_url_ignored_beside_the_image_default": _LEGACY_API_BASE_URL.replace(
        "{IS}", "/ollama, the image's own, set by its Dockerfile"),
    "ollama_bundled": "The :ollama image runs Ollama inside the Open WebUI container: its Dockerfile (built with "
                      "USE_OLLAMA=true) sets USE_OLLAMA_DOCKER=true, start.sh then runs `ollama serve` with no "
                      "OLLAMA_HOST (127.0.0.1:11434 in that container), and Open WebUI turns the image's "
                      "OLLAMA_BASE_URL=/ollama into http://localhost:11434. From the Dockerfile and start.sh; the "
                      "network rule is checked live with the kit's stand-ins started the same way in one container "
                      "(tests/test_bundled_live.py), not with the real image.",
    # security
    "security_ollama_on_docker0": "OLLAMA_HOST={ollama_bind} listens on docker0 only: containers and this "
                                  "host reach it, your LAN does not (safer than 0.0.0.0). Two costs: nothing listens "
                                  "on 127.0.0.1:11434, so ollama commands on the host need OLLAMA_HOST={docker0} too; "
                                  "and docker0 must exist when Ollama starts (Docker creates it).",
    "security_ollama_on_every_address": "Ollama on 0.0.0.0 has no authentication and is reachable from your "
                                        "LAN: firewall port 11434 (on Linux allow only docker0/172.17.0.0/16).",
    "security_published_on_every_address": "-p 11434:11434 publishes Ollama on every address, past ufw "
                                           "(Docker's rules come first): prefer -p 127.0.0.1:11434:11434, or filter "
                                           "in the DOCKER-USER chain.",
    "security_published_podman": "-p 11434:11434 publishes Ollama on every address, past ufw (netavark's "
                                 "forwarding rules come first, as Docker's do; from netavark's source, not "
                                 "measured): prefer -p 127.0.0.1:11434:11434.",
    "security_published_rootless": "-p 11434:11434 publishes Ollama on every address of this host: the port is held "
                                   "by {engine:forwarder}, an ordinary program (measured), so a host firewall such "
                                   "as ufw filters it like any other; to keep it off your LAN, prefer "
                                   "-p 127.0.0.1:11434:11434.",
}

#: Ollama as a sentence names it, for ``{who}``.
WHO = "Ollama ({kind}, OLLAMA_HOST={ollama_listen})"
OLLAMA_KIND = {True: "container", False: "native process", "bundled": "bundled in the Open WebUI container"}

#: ``{NAME:network}``: a Docker network in words.
NETWORK_WORDS = {"bridge": "the default bridge network", "": "the user-defined network '{name}'"}
#: ``{NAME:podman_network}``: a Podman network in words.
PODMAN_NETWORK_WORDS = {"bridge": "the default network", "": "the network '{name}'"}
#: ``{NAME:place}``: a place an address leads to, in words.
PLACE_WORDS = {"host": "the host", "vm": "the Docker Desktop VM"}
#: ``{ENGINE:forwarder}``: what holds a published port on the host, by container engine.
FORWARDERS = {"docker": "docker-proxy", "docker-rootless": "rootlesskit's port driver", "podman-rootless": "rootlessport",
              "podman-rootful": "conmon holds it, netavark's NAT forwards it"}

#: ``{outcome}``: where a sentence states its step's outcome. Only a failing listen step's templates carry it
#: (its outcome is always a refused connection); ``render_cause`` leaves it out.
OUTCOME_SUFFIX = " → connection refused"

#: ``{ENGINE:host_network_aside}``: what a container engine's ``--network host`` is, where it is not the host's.
HOST_NETWORK_ASIDES = {"docker-rootless": " (and rootless Docker's host network is rootlesskit's, not the host's)"}

CONSTANTS = {"docker0": DOCKER0_ADDRESS, "ollama_default_port": OLLAMA_PORT,
             "webui_container_port": WEBUI_CONTAINER_PORT}


class _Words(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec == "network":
            return NETWORK_WORDS.get(value) or NETWORK_WORDS[""].format(name=value)
        if format_spec == "podman_network":
            return PODMAN_NETWORK_WORDS.get(value) or PODMAN_NETWORK_WORDS[""].format(name=value)
        if format_spec == "place":
            return PLACE_WORDS[value]
        if format_spec == "forwarder":
            return FORWARDERS[value]
        if format_spec == "host_network_aside":
            return HOST_NETWORK_ASIDES.get(value, "")
        return super().format_field(value, format_spec)


_WORDS = _Words()


def render(code: str, fields: Mapping[str, Any]) -> str:
    """The sentence for reason ``code`` with the step's ``fields`` (``subject``, ``address``, ``port``, facts).

    Raises:
        KeyError: an unknown code, or a template naming a field the step does not carry (a bug in the
            engine or in the table, caught by the tests).
    """
    return _render(REASONS[code], fields, OUTCOME_SUFFIX)


def render_cause(code: str, fields: Mapping[str, Any]) -> str:
    """The cause alone: ``render``'s sentence without the outcome it ends in (" → connection refused").

    For a reader that names the outcome itself, as the cheat sheet does ("No: connection refused (step
    listen: CAUSE)").
    """
    return _render(REASONS[code], fields, "")


#: A note code's prefix → the heading its note is printed under ("Security: ..."): not part of its body.
NOTE_HEADINGS = {"security_": "Security"}


def note_heading(code: str) -> str:
    """The heading a note is printed under ("Security" for a security remark), or ""."""
    return next((heading for prefix, heading in NOTE_HEADINGS.items() if code.startswith(prefix)), "")


def render_note(code: str, fields: Mapping[str, Any], *, heading: bool = True) -> str:
    """The note for note ``code`` with its ``fields`` (as ``render`` does for a step), after its heading
    ("Security: ...") unless ``heading`` is false (the cheat sheet prints the heading its own way).

    Raises:
        KeyError: an unknown code, or a template naming a field the note does not carry.
    """
    body = _render(NOTES[code], fields, "")
    title = note_heading(code) if heading else ""
    return f"{title}: {body}" if title else body


def _render(template: str, fields: Mapping[str, Any], outcome: str) -> str:
    values = {**CONSTANTS, **fields, "outcome": outcome}
    if "ollama_listen" in values:
        kind = "bundled" if values.get("bundled") else bool(values.get("in_container"))
        values["who"] = WHO.format(kind=OLLAMA_KIND[kind], **values)
    return _WORDS.format(template, **values)
