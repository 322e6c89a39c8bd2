"""YAML within bounds: aliases counted as expanded, recursion and deep nesting refused."""

from __future__ import annotations

import time

import pytest

from stackworks import safe_yaml


def laughs(levels: int) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_exponential_aliases_are_refused_at_the_line_that_crosses_the_limit_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(safe_yaml.YamlRefused, match="once its aliases are expanded") as refused:
        safe_yaml.load(laughs(12))  # 10**12 strings
    assert refused.value.line == 5  # a4: 10**5 strings, past the 100,000 limit
    assert time.monotonic() - started < 5  # nothing was expanded (not a speed goal: a hang)


def test_aliases_within_the_limit_load_as_copies_of_the_anchor() -> None:
    assert safe_yaml.load("x: &x {a: 1}\ny: *x\n") == {"x": {"a": 1}, "y": {"a": 1}}
    assert len(str(safe_yaml.load(laughs(4)))) > 10_000


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(safe_yaml.YamlRefused, match="refers to its own anchor") as refused:
        safe_yaml.load("ok: 1\nloop: &a [1, *a]\n")
    assert refused.value.line == 2


def test_nesting_deeper_than_the_limit_is_refused_without_a_recursion_error() -> None:
    with pytest.raises(safe_yaml.YamlRefused, match="nest deeper than 64"):
        safe_yaml.load("[" * 65 + "]" * 65)
    with pytest.raises(safe_yaml.YamlRefused, match="nest deeper than 64"):
        safe_yaml.load("[" * 10_000 + "]" * 10_000)
    assert safe_yaml.load("[" * 64 + "]" * 64) is not None


def test_a_syntax_error_names_line_and_column_and_python_tags_stay_refused() -> None:
    with pytest.raises(safe_yaml.YamlRefused, match="invalid YAML") as refused:
        safe_yaml.load("a: 1\nb: [2,\n")
    assert refused.value.where("f.yaml").startswith("f.yaml:3:")
    with pytest.raises(safe_yaml.YamlRefused, match="invalid YAML"):
        safe_yaml.load("a: !!python/object/apply:os.system ['true']\n")
