"""The converge engine: Chef-style resources and recipes in plain Python.

    report = run_recipes(["haproxy::configure"], configuration, cookbook_paths=[...])

A recipe (`<cookbook>/recipes/<name>.py`) defines `recipe(r: Recipe)` and declares resources
on `r`; the engine runs them in order, each acting only where the machine differs from what
was declared. See docs/recipes.md.
"""

from stackworks.converge.engine import run_recipes
from stackworks.converge.recipe import Recipe
from stackworks.converge.report import ResourceReport, RunReport
from stackworks.converge.resource import ConvergeError, RecipeError, Resource, ResourceError
from stackworks.converge.runner import FakeRunner, LocalRunner, Result, Runner
from stackworks.converge.views import MissingAttribute, Node, StackView

__all__ = [
    "ConvergeError",
    "FakeRunner",
    "LocalRunner",
    "MissingAttribute",
    "Node",
    "Recipe",
    "RecipeError",
    "Resource",
    "ResourceError",
    "ResourceReport",
    "Result",
    "RunReport",
    "Runner",
    "StackView",
    "run_recipes",
]
