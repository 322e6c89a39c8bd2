"""The seam every command of a converge run goes through: a `Runner` runs an argv list.

`LocalRunner` runs it for real; `FakeRunner` answers from a table and records what it was
asked, so resource and provider tests need no apt, systemd or root. Commands are argv lists
only: nothing here ever goes through a shell.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

TAIL_LINES = 40


@dataclass(frozen=True)
class Result:
    """How one command ended: its exit code (None: it could not start or timed out) and output."""

    argv: tuple[str, ...]
    exit_code: int | None
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last lines of the output: enough to explain a failure without flooding the log."""
        return "\n".join(self.output.rstrip().splitlines()[-lines:])


class Runner(Protocol):
    """Runs one command; stdout and stderr come back together, in order."""

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        user: str | None = None,
        stdin: str | None = None,
    ) -> Result: ...


class LocalRunner:
    """Runs commands on this machine; `env` is added to the current environment."""

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        user: str | None = None,
        stdin: str | None = None,
    ) -> Result:
        full_env = {**os.environ, **env} if env else None
        try:
            done = subprocess.run(
                list(argv),
                cwd=cwd,
                env=full_env,
                timeout=timeout,
                user=user,
                input=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            output = expired.output if isinstance(expired.output, str) else ""
            return Result(tuple(argv), None, f"{output}\ntimed out after {timeout}s".lstrip())
        except (OSError, KeyError, ValueError) as error:
            # OSError: no such program or directory; KeyError/ValueError: unknown user.
            return Result(tuple(argv), None, f"cannot run {argv[0]}: {error}")
        return Result(tuple(argv), done.returncode, done.stdout)


Answer = Result | Callable[[tuple[str, ...]], Result]


@dataclass
class FakeRunner:
    """Answers commands from `answers` (argv prefix -> Result or function), recording each call.

    The longest matching prefix wins; a command nothing matches succeeds with no output, so a
    test only spells out the answers it cares about.
    """

    answers: dict[tuple[str, ...], Answer] = field(default_factory=dict)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    envs: list[dict[str, str]] = field(default_factory=list)

    def answer(self, prefix: Sequence[str], exit_code: int = 0, output: str = "") -> None:
        self.answers[tuple(prefix)] = Result(tuple(prefix), exit_code, output)

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        user: str | None = None,
        stdin: str | None = None,
    ) -> Result:
        command = tuple(argv)
        self.calls.append(command)
        self.envs.append(dict(env or {}))
        best: tuple[str, ...] | None = None
        for prefix in self.answers:
            if command[: len(prefix)] == prefix and (best is None or len(prefix) > len(best)):
                best = prefix
        if best is None:
            return Result(command, 0, "")
        found = self.answers[best]
        if isinstance(found, Result):
            return Result(command, found.exit_code, found.output)
        return found(command)

    def ran(self, *prefix: str) -> list[tuple[str, ...]]:
        """The recorded commands that start with `prefix`."""
        return [c for c in self.calls if c[: len(prefix)] == prefix]
