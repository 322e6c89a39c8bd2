"""Helpers for converge tests: throwaway cookbooks in tmp dirs, a configuration, a run result.

Tests write the recipes they run (`cookbooks.recipe("demo", "default", body)`), so each shows
exactly the declarations it is about.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackworks.converge import RunReport


@dataclass
class Cookbooks:
    """Writes cookbook folders under `path`."""

    path: Path

    def recipe(self, cookbook: str, name: str, body: str) -> Path:
        target = self.path / cookbook / "recipes" / f"{name}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body).lstrip("\n"))
        return target

    def template(self, cookbook: str, name: str, text: str) -> Path:
        target = self.path / cookbook / "templates" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def file(self, cookbook: str, name: str, text: str) -> Path:
        target = self.path / cookbook / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def defaults(self, cookbook: str, defaults: dict[str, Any], *, yaml: bool = False) -> None:
        folder = self.path / cookbook
        folder.mkdir(parents=True, exist_ok=True)
        if yaml:
            (folder / "attributes.yaml").write_text(json.dumps(defaults))  # JSON is YAML
        else:
            (folder / "attributes.py").write_text(f"DEFAULTS = {defaults!r}\n")


@dataclass
class Run:
    report: RunReport
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def statuses(self) -> list[tuple[str, str]]:
        return [(f"{r.kind}[{r.name}]", r.status) for r in self.report.resources]

    def status_of(self, kind: str, name: str) -> list[str]:
        return [r.status for r in self.report.resources if (r.kind, r.name) == (kind, name)]


def make_roots(tmp_path: Path) -> dict[str, str]:
    base = tmp_path / "instance"
    found = {
        "root": str(base),
        "srv": str(base / "srv"),
        "etc": str(base / "etc"),
        "var": str(base / "var"),
        "log": str(base / "var" / "log"),
        "run": str(base / "run"),
    }
    for path in found.values():
        Path(path).mkdir(parents=True, exist_ok=True)
    return found


def configuration(
    roots: dict[str, str],
    attributes: dict[str, Any] | None = None,
    service_manager: str = "supervisor",
) -> dict[str, Any]:
    """A stack configuration shaped like build_configuration's, for one instance."""
    return {
        "stackworks": {"service_manager": service_manager, "packages": [], "cookbook_sources": []},
        "attributes": attributes or {},
        "stack": {"id": "s1", "name": "shop"},
        "layers": {
            "app": {
                "id": "l1",
                "name": "App",
                "type": "python-app",
                "instances": {
                    "app1": {
                        "hostname": "app1",
                        "private_ip": "127.0.0.2",
                        "status": "online",
                        "layers": ["app"],
                    },
                },
            }
        },
        "instances": {
            "app1": {
                "hostname": "app1",
                "private_ip": "127.0.0.2",
                "status": "online",
                "layers": ["app"],
            },
            "lb1": {
                "hostname": "lb1",
                "private_ip": "127.0.0.3",
                "status": "online",
                "layers": ["lb"],
            },
        },
        "apps": {
            "web": {"id": "a1", "name": "Web", "layers": ["app"], "deploy": True},
            "admin": {"id": "a2", "name": "Admin", "layers": ["lb"], "deploy": True},
            "old": {"id": "a3", "name": "Old", "layers": ["app"], "deploy": False},
        },
        "self": {
            "hostname": "app1",
            "private_ip": "127.0.0.2",
            "status": "online",
            "layers": ["app"],
            "roots": roots,
        },
        "command": {"id": "c1", "type": "configure", "args": {}},
        "deployment": None,
    }


ConvergeFn = Callable[..., Run]
