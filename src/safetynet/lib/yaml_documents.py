"""Versioned YAML documents a force edits (the risk policy, the case audit criteria): read and
validated with pydantic, every problem named with the file, its line and what was expected, so
a bad file is refused on load and never discovered at 02:00."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def _node_at(root: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The deepest YAML node along a pydantic error location (for its line)."""
    node = root
    key: yaml.Node | None = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if pair is None:
                return node
            key, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node
    # A mapping or list value starts on the line after its key: point at the key.
    return key if key is not None and not isinstance(node, yaml.ScalarNode) else node


def yaml_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The line (from 1) of the value at `loc` in the document `root`."""
    node = _node_at(root, loc)
    return node.start_mark.line + 1 if node is not None else 1


def read_text(path: str | Path, what: str, error: type[Exception]) -> str:
    """The file's text; `error` naming the file when it cannot be read."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None


def parse_document(
    text: str, path: str, model: type[M], *, shape: str, error: type[Exception]
) -> tuple[M, yaml.Node | None]:
    """`text` validated as `model`, with its YAML node tree (for the lines of later checks);
    `error` naming `path`, the line and what was expected (`shape`: the top level's)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise error(f"{path}:{line}: expected valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise error(f"{path}:1: expected {shape}")
    try:
        return model.model_validate(data), root
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p != "[key]")
            where = ".".join(str(p) for p in loc) or "(top level)"
            messages.append(f"{path}:{yaml_line(root, loc)}: {where}: {err['msg']}")
        raise error("; ".join(messages)) from None
