"""pip into a virtualenv (created, without pip of its own, when missing).

The agent's own pip drives the target with `pip --python <venv>/bin/python`, so a virtualenv
needs no pip installed in it and is quick to make.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.converge.providers.packages import normalize_pip_name
from stackworks.converge.resource import ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

QUIET = ["--disable-pip-version-check", "--no-input"]


class Pip:
    name = "pip"

    def __init__(self, venv: str | None, options: Sequence[str] = ()) -> None:
        self.venv = Path(venv) if venv else None
        self.options = list(options)

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python") if self.venv else sys.executable

    def venv_missing(self) -> bool:
        return self.venv is not None and not (self.venv / "bin" / "python").exists()

    def ensure_venv(self, ctx: Context) -> None:
        if self.venv is None or not self.venv_missing():
            return
        result = ctx.run([sys.executable, "-m", "venv", "--without-pip", str(self.venv)])
        if not result.ok:
            raise ResourceError(f"cannot create virtualenv {self.venv}: {result.tail()}")

    def _pip(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pip", "--python", self.python, *args]

    def installed(self, ctx: Context, names: Sequence[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = dict.fromkeys(names)
        if self.venv_missing():
            return found
        listed = self._list(ctx, "list", "--format=json", *QUIET)
        for name in names:
            found[name] = listed.get(normalize_pip_name(name))
        return found

    def outdated(self, ctx: Context, names: Sequence[str]) -> list[str]:
        if self.venv_missing():
            return []
        listed = self._list(ctx, "list", "--outdated", "--format=json", *QUIET, *self.options)
        return [n for n in names if normalize_pip_name(n) in listed]

    def install(self, ctx: Context, specs: Sequence[str], *, upgrade: bool) -> None:
        self.ensure_venv(ctx)
        extra = ["--upgrade"] if upgrade else []
        self._act(ctx, self._pip("install", *QUIET, *extra, *self.options, *specs))

    def remove(self, ctx: Context, names: Sequence[str]) -> None:
        self._act(ctx, self._pip("uninstall", "-y", *QUIET, *names))

    def spec(self, name: str, version: str | None) -> str:
        return f"{name}=={version}" if version else name

    def _list(self, ctx: Context, *args: str) -> dict[str, str]:
        result = ctx.run(self._pip(*args))
        if not result.ok:
            raise ResourceError(f"pip list failed: {result.tail()}")
        try:
            rows = json.loads(result.output.strip().splitlines()[-1] if result.output else "[]")
        except (json.JSONDecodeError, IndexError):
            raise ResourceError(f"pip list gave no JSON: {result.tail()}") from None
        return {normalize_pip_name(row["name"]): str(row["version"]) for row in rows}

    def _act(self, ctx: Context, argv: list[str]) -> None:
        result = ctx.run(argv)
        if not result.ok:
            raise ResourceError(f"pip {argv[5]} failed (exit {result.exit_code}):\n{result.tail()}")
