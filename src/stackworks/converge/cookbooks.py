"""Finding cookbooks on the search path and loading their recipes and default attributes.

A cookbook is a folder: recipes/<name>.py (each defining `recipe(r)`), attributes.py (a
module-level dict DEFAULTS) or attributes.yaml, templates/, files/. The first folder of that
name on the search path wins, so a stack's own cookbooks can replace a built-in one.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from stackworks import safe_yaml
from stackworks.converge.resource import RecipeError
from stackworks.domain.errors import InvalidInput
from stackworks.domain.names import split_recipe_name

RecipeFunction = Callable[[Any], None]


def parse_recipe_name(name: str) -> tuple[str, str]:
    try:
        return split_recipe_name(name)
    except InvalidInput as error:
        raise RecipeError(error.message) from None


def find_cookbook(cookbook: str, paths: Sequence[Path]) -> Path:
    for base in paths:
        candidate = Path(base) / cookbook
        if candidate.is_dir():
            return candidate
    searched = ", ".join(str(p) for p in paths) or "(no cookbook paths)"
    raise RecipeError(f"cookbook {cookbook!r} not found (searched {searched})")


def load_defaults(cookbook_dir: Path) -> dict[str, Any]:
    """The cookbook's default attributes: attributes.py DEFAULTS, or attributes.yaml."""
    py_file = cookbook_dir / "attributes.py"
    yaml_file = cookbook_dir / "attributes.yaml"
    if py_file.exists():
        module = _load_module(py_file, f"attributes_{cookbook_dir.name}", cookbook_dir.name)
        defaults = getattr(module, "DEFAULTS", None)
        if not isinstance(defaults, dict):
            raise RecipeError(f"{py_file}: DEFAULTS must be a module-level dict")
        return defaults
    if yaml_file.exists():
        try:
            loaded = safe_yaml.load(yaml_file.read_text()) or {}
        except safe_yaml.YamlRefused as error:
            raise RecipeError(f"{error.where(str(yaml_file))}: {error.message}") from None
        if not isinstance(loaded, dict):
            raise RecipeError(f"{yaml_file}: the top level must be a mapping")
        return loaded
    return {}


def load_recipe(cookbook_dir: Path, recipe: str) -> tuple[RecipeFunction, Path]:
    """The `recipe` function of recipes/<recipe>.py; errors name the file (and line)."""
    path = cookbook_dir / "recipes" / f"{recipe}.py"
    if not path.is_file():
        raise RecipeError(f"recipe {cookbook_dir.name}::{recipe} not found ({path} does not exist)")
    module = _load_module(path, f"recipe_{cookbook_dir.name}_{recipe}", cookbook_dir.name)
    function = getattr(module, "recipe", None)
    if not callable(function):
        raise RecipeError(f"{path}: defines no `recipe(r)` function")
    return function, path


def _load_module(path: Path, label: str, cookbook: str) -> ModuleType:
    """Execute a cookbook file as a fresh module; a SyntaxError names the file and line."""
    name = f"stackworks_cookbook_{label}_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RecipeError(f"{path}: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        sys.modules.pop(name, None)
        raise RecipeError(f"{error.filename}:{error.lineno}: syntax error: {error.msg}") from None
    except RecipeError:
        sys.modules.pop(name, None)
        raise
    except Exception as error:
        sys.modules.pop(name, None)
        line = _line_in(error, path)
        raise RecipeError(f"{path}:{line}: {type(error).__name__}: {error}") from None
    return module


def _line_in(error: BaseException, path: Path) -> int:
    """The deepest line of `path` in the error's traceback (0 when it is not there)."""
    line = 0
    tb = error.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def error_location(error: BaseException, files: Sequence[Path]) -> str:
    """file:line of the deepest frame of the error that lies in one of `files`."""
    where = ""
    tb = error.__traceback__
    wanted = {str(f) for f in files}
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in wanted:
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
