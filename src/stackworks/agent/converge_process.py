"""The parent side of a converge run: start the child, stream its output, enforce the timeout.

The child (stackworks.agent.converge_child) runs in its own process group but in the agent's
session, so a command timeout kills exactly that group, while stopping the instance (which ends
the whole session) still reaches it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHILD_ARGV = (sys.executable, "-m", "stackworks.agent.converge_child")


@dataclass(frozen=True)
class ConvergeOutcome:
    """How one converge run ended: `ok`, the engine's report, and whether it timed out."""

    ok: bool
    report: dict[str, Any] = field(default_factory=dict)
    timed_out: bool = False


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def converge_in_subprocess(
    run_list: Sequence[str],
    configuration: dict[str, Any],
    *,
    cache_dir: Path,
    log: Callable[[str], None],
    timeout: float,
    child_argv: Sequence[str] = CHILD_ARGV,
) -> ConvergeOutcome:
    """Run the run list in a child process; kill its process group after `timeout` seconds."""
    request = {
        "run_list": list(run_list),
        "configuration": configuration,
        "cache_dir": str(cache_dir),
    }
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="converge-") as scratch:
        report_path = Path(scratch) / "report.json"
        process = subprocess.Popen(
            [*child_argv, str(report_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            process_group=0,
            close_fds=True,
        )
        timed_out = threading.Event()
        reaping = threading.Event()
        lock = threading.Lock()

        def expire() -> None:
            with lock:  # never kill a group whose leader is reaped (its id may be reused)
                if not reaping.is_set():
                    timed_out.set()
                    _kill_group(process)

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        try:
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(request))
                process.stdin.close()
            except BrokenPipeError:
                pass  # the child died at once; its exit status tells the rest
            for line in process.stdout:
                log(line.rstrip("\n"))
            # Wait for the child's exit WITHOUT reaping it: while it is a zombie its group id
            # cannot be reused, so killing the group (strays it left behind) hits nobody else.
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
            _kill_group(process)
            with lock:
                reaping.set()
            code = process.wait()
        finally:
            timer.cancel()
            with lock:
                reaping.set()
            if process.poll() is None:
                _kill_group(process)
                process.wait()
        if timed_out.is_set():
            log(f"error: the command timed out after {timeout:g} s; its processes were killed")
            return ConvergeOutcome(
                ok=False,
                report={"ok": False, "error": f"timed out after {timeout:g} s"},
                timed_out=True,
            )
        try:
            report = json.loads(report_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log(f"error: the converge process exited with status {code} and left no report")
            return ConvergeOutcome(ok=False, report={"ok": False, "error": f"exit status {code}"})
        return ConvergeOutcome(ok=code == 0, report=report if isinstance(report, dict) else {})
