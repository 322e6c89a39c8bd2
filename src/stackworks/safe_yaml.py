"""YAML read with bounds: no exponential aliases ("billion laughs"), no runaway nesting.

`yaml.safe_load` builds no objects of arbitrary classes, but an alias still stands for its
whole anchor: nine lines of `&a [*b, *b, ...]` stand for a billion strings, and whatever
walks the result (pydantic, `json.dumps`, a request) expands every one of them. So the text
is first composed into YAML's node graph, where an alias is one shared node, and the nodes the
document *would* have once every alias is expanded are counted without expanding anything; a
document over the limit is refused naming the line of the alias that crossed it. A recursive
alias, and nesting deeper than the limit, are refused too. Only then is it constructed.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

#: nodes a document may have with its aliases expanded (a large stack document has ~10,000)
MAX_EXPANDED_NODES = 100_000
#: how deep mappings and sequences may nest
MAX_DEPTH = 64


class YamlRefused(ValueError):
    """Text that is not YAML, or YAML over the bounds; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def where(self, source: str) -> str:
        """`source:line:column` (or as much of it as is known), for the message's start."""
        if self.line is None:
            return source
        return f"{source}:{self.line}" + (f":{self.column}" if self.column is not None else "")


def load(text: str, *, max_nodes: int = MAX_EXPANDED_NODES, max_depth: int = MAX_DEPTH) -> Any:
    """The document in `text` as plain Python data (None when empty), within the bounds."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _check_bounds(root, max_nodes, max_depth)
        return loader.construct_document(root)
    except RecursionError:
        mark = loader.get_mark()
        raise YamlRefused(
            f"mappings and sequences nest deeper than {max_depth}", mark.line + 1, mark.column + 1
        ) from None
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        problem_mark = getattr(error, "problem_mark", None)
        if problem_mark is None:
            raise YamlRefused(f"invalid YAML: {problem}") from None
        line, column = problem_mark.line + 1, problem_mark.column + 1
        raise YamlRefused(f"invalid YAML: {problem}", line, column) from None
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_bounds(root: Node, max_nodes: int, max_depth: int) -> None:
    """Count every node as expanded (each shared node's size computed once) and the depth."""
    sizes: dict[int, int] = {}
    seen_at: dict[int, Node] = {}  # the first place each node stood, for the alias's line
    on_path: set[int] = set()
    # an explicit stack: (node, depth, children visited yet?)
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        key = id(node)
        if expanded:
            on_path.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > max_nodes:
                raise YamlRefused(
                    f"the document has more than {max_nodes} values once its aliases are "
                    "expanded (exponential aliases?)",
                    node.start_mark.line + 1,
                )
            sizes[key] = size
            continue
        if key in sizes:
            continue  # an alias to a node already counted: its size is known
        if key in on_path:
            raise YamlRefused("an alias refers to its own anchor", node.start_mark.line + 1)
        if depth > max_depth:
            raise YamlRefused(
                f"mappings and sequences nest deeper than {max_depth}", node.start_mark.line + 1
            )
        seen_at.setdefault(key, node)
        on_path.add(key)
        stack.append((node, depth, True))
        for child in _children(node):
            if id(child) in on_path:
                raise YamlRefused("an alias refers to its own anchor", child.start_mark.line + 1)
            stack.append((child, depth + 1, False))
