"""Take a few seconds (attribute probe.seconds, default 3), then add this command's id as a
line of <var>/probe/runs.log: a command that ran twice on an instance shows up twice."""

from __future__ import annotations

import sys

from stackworks.converge import Recipe

APPEND = "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + '\\n')"


def recipe(r: Recipe) -> None:
    seconds = str(r.node.get("probe", {}).get("seconds", 3))
    runs = f"{r.roots['var']}/probe/runs.log"
    r.directory(f"{r.roots['var']}/probe")
    r.execute("wait a while", command=["sleep", seconds])
    r.execute("count this run", command=[sys.executable, "-c", APPEND, runs, r.stack.command["id"]])
