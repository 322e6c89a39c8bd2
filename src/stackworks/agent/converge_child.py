"""The converge run of one command, in a process of its own (`python -m` this module).

The agent runs each command's recipes in a child process so that a command's timeout can really
end it (its whole process group is killed) and a crash in a recipe cannot take the agent down.

Protocol with the parent (stackworks.agent.converge_process):
- stdin: JSON `{"run_list": [...], "configuration": {...}, "cache_dir": "..."}` (the
  configuration holds secure values, so it never travels in argv or the environment);
- stdout: the run's output, one line at a time (the parent scrubs and forwards it);
- argv[1]: a path where the run's report is written as JSON;
- exit status: 0 the run succeeded, 1 it failed, 2 it could not run at all.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any


def _print(line: str) -> None:
    print(line, flush=True)


def converge(request: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Fetch the stack's cookbooks, then run the run list; the converge engine's report."""
    from stackworks.converge import run_recipes
    from stackworks.converge.cookbook_sources import fetch_cookbooks

    configuration: dict[str, Any] = request["configuration"]
    sources = configuration.get("stackworks", {}).get("cookbook_sources", [])
    cookbook_paths = fetch_cookbooks(sources, Path(request["cache_dir"]))
    report = run_recipes(
        request["run_list"], configuration, cookbook_paths=cookbook_paths, log=_print
    )
    summary = report.summary()
    if summary:
        _print(str(summary))
    return bool(report.ok), dict(report.to_dict())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m stackworks.agent.converge_child REPORT_PATH", file=sys.stderr)
        return 2
    report_path = Path(argv[1])
    try:
        request = json.load(sys.stdin)
        ok, report = converge(request)
    except Exception as exc:
        _print(f"error: {type(exc).__name__}: {exc}")
        _print(traceback.format_exc().rstrip())
        report = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "resources": []}
        ok = None
    report_path.write_text(json.dumps(report), encoding="utf-8")
    if ok is None:
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
