"""A compose model (a dict) as the text of a ``compose.yaml`` that Compose reads back unchanged.

PyYAML writes YAML 1.1 and quotes only what YAML 1.1 would misread. Compose reads YAML 1.2 (Go's
``yaml.v3``), where some plain words are numbers that YAML 1.1 calls strings: a session label of
``038070e0`` came back from ``docker compose config`` as ``38070`` (``0…e0`` is a float in 1.2), and the
lab then found the wrong owner on its own containers. Here a string that either version would read as a
number, a boolean or null is written double-quoted, and so is a port mapping.
"""

from __future__ import annotations

import re
from typing import Any

#: Plain scalars that YAML 1.2's core schema resolves to something other than a string
#: (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
YAML12_NOT_A_STRING = re.compile(
    r"""[-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
      | [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
      | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
      | null|Null|NULL|~ | true|True|TRUE|false|False|FALSE""",
    re.VERBOSE,
)


#: A port mapping (``3000:8080``, ``127.0.0.1:11434:11434``): quoted as Compose's docs advise, since a YAML 1.1
#: reader (docker-compose v1, a learner's own script) reads ``xx:yy`` with yy under 60 as a base-60 number.
PORT_MAPPING = re.compile(r"([0-9.]+:)?[0-9]+:[0-9]+(/(tcp|udp))?")


def text(model: dict[str, Any]) -> str:
    """The model as compose YAML, keys in their order, every ambiguous string quoted."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """SafeDumper that double-quotes a string YAML 1.2 would read as another type."""

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if YAML12_NOT_A_STRING.fullmatch(value) or PORT_MAPPING.fullmatch(value) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return yaml.dump(model, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=100)
