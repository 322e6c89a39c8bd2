"""Render a template that names a variable nobody gives it: the command must fail, naming it."""

from __future__ import annotations

from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.template(f"{r.roots['var']}/probe/bad.txt", source="bad.j2", variables={"greeting": "hi"})
