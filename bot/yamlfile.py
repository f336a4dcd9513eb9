"""Reading the YAML files people write by hand: the roster and the manifest."""

from __future__ import annotations

import re

import yaml


class _Loader(yaml.SafeLoader):
    """YAML as people mean it: `10:00` is a time of day, not YAML 1.1's base-60 integer 600."""


# PyYAML's implicit resolvers follow YAML 1.1, where 10:00 is sexagesimal. Drop those forms of int
# and float (YAML 1.2 dropped them too); every other implicit type stays as it was.
_loaded = yaml.SafeLoader.yaml_implicit_resolvers
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in _loaded.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$""", re.X),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)

Error = yaml.YAMLError


def load(text: str) -> object:
    return yaml.load(text, Loader=_Loader)
