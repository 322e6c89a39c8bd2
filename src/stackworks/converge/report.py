"""What a converge run reports: one row per resource run, and the run's outcome.

The report travels back to the server as JSON (`to_dict`); `summary()` is the one line people
read first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["unchanged", "changed", "failed", "skipped", "would_change"]
STATUSES: tuple[Status, ...] = ("unchanged", "changed", "failed", "skipped", "would_change")


@dataclass
class ResourceReport:
    recipe: str
    kind: str
    name: str
    status: Status
    diff: str = ""
    message: str = ""
    file: str = ""
    line: int = 0
    duration: float = 0.0


@dataclass
class RunReport:
    ok: bool = True
    resources: list[ResourceReport] = field(default_factory=list)
    error: str | None = None
    dry_run: bool = False
    duration: float = 0.0

    def counts(self) -> dict[str, int]:
        found = Counter(r.status for r in self.resources)
        return {status: found[status] for status in STATUSES if found[status]}

    def summary(self) -> str:
        """e.g. "ok: 12 resources, 2 changed, 10 unchanged in 0.8s"."""
        counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in self.counts().items())
        head = "ok" if self.ok else "failed"
        mode = " (dry run)" if self.dry_run else ""
        text = f"{head}{mode}: {len(self.resources)} resources"
        text += f", {counts}" if counts else ""
        text += f" in {self.duration:.1f}s"
        return f"{text}; {self.error}" if self.error else text

    def changed(self) -> list[ResourceReport]:
        return [r for r in self.resources if r.status == "changed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "error": self.error,
            "dry_run": self.dry_run,
            "duration": round(self.duration, 3),
            "counts": self.counts(),
            "resources": [asdict(r) for r in self.resources],
        }
