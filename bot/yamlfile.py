"""Reading the YAML files people write by hand: the roster and the manifest.

A mistake in such a file is one line naming the file and the place (`line 3, column 5: ...`), never
a traceback, and a file that is not YAML at all (binary, endless, nested without end) is refused in
bounded time and memory. Keys given twice are an error: YAML's "the last one wins" would silently
empty a roster with a second `teams:`.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

MAX_BYTES = 10 * 1024 * 1024  # a roster of thousands of people is well under 1 MB
MAX_DEPTH = 50  # a roster is five levels deep; PyYAML recurses once per level


class Error(Exception):
    """One line saying what is wrong with the file and where."""


class _Loader(yaml.SafeLoader):
    """YAML as people mean it: `10:00` is a time of day, not YAML 1.1's base-60 integer 600; a key
    is given once; nesting and dates are checked where they are written."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ConstructorError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) or key is None:
                if key in seen:
                    raise ConstructorError(
                        None, None, f"{key!r} is given twice in this mapping", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise ConstructorError(
                None, None, f"{node.value!r} is not a date: {exc}", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


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


def load(text: str) -> object:
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        raise Error(_where(exc)) from None
    except yaml.YAMLError as exc:
        raise Error(str(exc).splitlines()[0]) from None
    finally:
        loader.dispose()


def read(path: Path) -> object:
    """The file's YAML. Raises Error (one line, without the file's name) for anything unreadable."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Error(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise Error(f"larger than {MAX_BYTES // (1024 * 1024)} MB: not a roster or manifest")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise Error(
            f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None
    if "\0" in text:
        raise Error("contains NUL characters: not a text file")
    return load(text)


def _where(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    problem = ": ".join(part for part in (exc.context, exc.problem) if part)
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem
