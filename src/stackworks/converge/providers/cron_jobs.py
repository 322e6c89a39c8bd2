"""The jobs file the `cron` resource writes on a local instance and `stackworks agent cron` reads.

    {"log_dir": "<roots.log>/cron",
     "jobs": {"<name>": {"command": [...], "schedule": "m h dom mon dow", "environment": {},
                         "user": null, "cwd": null, "timeout": 3600}}}

One file per instance, under its root (`<roots.etc>/stackworks/cron-jobs.json`); each resource
replaces its own entry, atomically, and the runner re-reads the file when it changes, so adding
or changing a job never restarts the runner.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stackworks.atomic import atomic_write

PROGRAM = "stackworks-cron"


@dataclass(frozen=True)
class Job:
    """One scheduled job as the runner runs it."""

    name: str
    command: list[str]
    schedule: str
    environment: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    cwd: str | None = None
    timeout: float = 3600.0

    def entry(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("name")
        return data


def jobs_path(roots: dict[str, str] | Any) -> Path:
    return Path(roots["etc"]) / "stackworks" / "cron-jobs.json"


def log_dir(roots: dict[str, str] | Any) -> Path:
    return Path(roots["log"]) / "cron"


def read_document(path: Path) -> dict[str, Any]:
    """The whole jobs file; an empty document when it is missing. A file that is not a jobs
    document raises ValueError naming the path."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {"jobs": {}}
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("jobs", {}), dict):
        raise ValueError(f"{path}: not a jobs file (expected an object with `jobs`)")
    data.setdefault("jobs", {})
    return data


def load_jobs(path: Path) -> tuple[list[Job], Path | None]:
    """The jobs of the file, by name, and where their run logs go."""
    document = read_document(path)
    jobs = []
    for name, entry in sorted(document["jobs"].items()):
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: job {name!r} is not an object")
        jobs.append(
            Job(
                name=str(name),
                command=[str(a) for a in entry.get("command") or []],
                schedule=str(entry.get("schedule", "")),
                environment={str(k): str(v) for k, v in (entry.get("environment") or {}).items()},
                user=entry.get("user"),
                cwd=entry.get("cwd"),
                timeout=float(entry.get("timeout") or 3600.0),
            )
        )
    found = document.get("log_dir")
    return jobs, Path(found) if found else None


def write_entry(path: Path, logs: Path, name: str, entry: dict[str, Any] | None) -> None:
    """Replace (or with None, remove) one job's entry, keeping the others; atomic."""
    document = read_document(path)
    if entry is None:
        document["jobs"].pop(name, None)
    else:
        document["jobs"][name] = entry
    document["log_dir"] = str(logs)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    atomic_write(path, text.encode(), mode=0o600)
