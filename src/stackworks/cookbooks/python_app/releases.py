"""Where an app lives on an instance, and which of its releases are there.

    <srv>/www/<app>/
        releases/<UTC time>/      one checkout each, with its own virtualenv in `.venv`
        releases/<t>/.stackworks-release.json   written last: the release is complete
        shared/{log,pids,var}/    linked into every release
        shared/deploy.json        the app's rendered configuration (mode 0600: it holds secrets)
        shared/processes.json     the service names last declared, to retire the ones dropped
        current -> releases/<t>   flipped atomically once a release is complete
        repo.git/                 bare mirror of the app's repository (see `source`)

Each release keeps its own virtualenv so a rollback gets exactly the dependencies it ran with.
These functions only read the disk; the recipes declare every change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackworks.cookbooks.python_app import workload

MARKER = ".stackworks-release.json"
SHARED_DIRS = ("log", "pids", "var")


@dataclass(frozen=True)
class AppPaths:
    """The paths of one app on one instance."""

    root: Path

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def shared(self) -> Path:
        return self.root / "shared"

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def mirror(self) -> Path:
        return self.root / "repo.git"

    @property
    def deploy_json(self) -> Path:
        return self.shared / "deploy.json"

    @property
    def processes_json(self) -> Path:
        return self.shared / "processes.json"

    def release(self, name: str) -> Path:
        return self.releases / name

    def venv(self, name: str) -> Path:
        return self.release(name) / ".venv"


def app_paths(srv: str | Path, app_name: str) -> AppPaths:
    return AppPaths(Path(srv) / "www" / app_name)


def complete_releases(paths: AppPaths) -> list[str]:
    """Names of the releases whose build finished, oldest first."""
    if not paths.releases.is_dir():
        return []
    return sorted(
        entry.name
        for entry in paths.releases.iterdir()
        if workload.is_release_name(entry.name) and (entry / MARKER).is_file()
    )


def all_releases(paths: AppPaths) -> list[str]:
    """Every release directory, complete or left over by a failed build, oldest first."""
    if not paths.releases.is_dir():
        return []
    return sorted(e.name for e in paths.releases.iterdir() if workload.is_release_name(e.name))


def current_release(paths: AppPaths) -> str | None:
    """The release `current` points to, or None when there is none (never deployed)."""
    if not paths.current.is_symlink():
        return None
    target = Path(paths.current.readlink())
    name = target.name
    if target.parent.name != "releases" or not workload.is_release_name(name):
        return None
    return name if paths.release(name).is_dir() else None


def previous_release(paths: AppPaths) -> str | None:
    """The complete release deployed before the current one: what a rollback returns to."""
    current = current_release(paths)
    older = [n for n in complete_releases(paths) if current is None or n < current]
    return older[-1] if older else None


def read_marker(paths: AppPaths, name: str) -> dict[str, Any]:
    """What a release recorded when it was built (its commit, revision); {} if unreadable."""
    try:
        data = json.loads((paths.release(name) / MARKER).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded_services(paths: AppPaths) -> list[str]:
    """The service names the last run declared for this app; [] when none were recorded."""
    try:
        data = json.loads(paths.processes_json.read_text())
    except (OSError, ValueError):
        return []
    services = data.get("services") if isinstance(data, dict) else None
    return [str(s) for s in services] if isinstance(services, list) else []


def releases_to_prune(paths: AppPaths, keep: int, *, protect: tuple[str, ...] = ()) -> list[str]:
    """Releases to delete: all but the newest `keep` complete ones, plus leftovers of failed
    builds; never one named in `protect` (the current and the one being built)."""
    complete = complete_releases(paths)
    kept = set(complete[-keep:]) if keep > 0 else set()
    return [n for n in all_releases(paths) if n not in kept and n not in protect]
