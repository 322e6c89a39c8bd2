"""What resources see while they run: the runner, the log, dry-run, and this instance's facts.

One `Context` per converge run. Resources reach commands only through `ctx.run`, so a test
can swap the runner for a `FakeRunner`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackworks.converge.runner import Result, Runner
from stackworks.converge.views import Node, StackView


@dataclass
class Context:
    runner: Runner
    log: Callable[[str], None]
    dry_run: bool
    roots: Mapping[str, str]
    service_manager: str
    node: Node
    stack: StackView
    # Where cookbook templates and files are found, per cookbook name.
    cookbook_dirs: dict[str, Path] = field(default_factory=dict)
    # Increases by one per resource run; services compare it to skip redundant restarts.
    clock: int = 0
    # Per-run facts (e.g. the dpkg status of a package list) so each is gathered once.
    facts: dict[Any, Any] = field(default_factory=dict)

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        user: str | None = None,
    ) -> Result:
        return self.runner.run(argv, cwd=cwd, env=env, timeout=timeout, user=user)
