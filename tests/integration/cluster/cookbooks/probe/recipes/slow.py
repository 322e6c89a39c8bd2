"""Take a few seconds (attribute probe.seconds, default 3), then record: a command in flight."""

from __future__ import annotations

from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    seconds = str(r.node.get("probe", {}).get("seconds", 3))
    r.execute("wait a while", command=["sleep", seconds])
    r.include_recipe("probe::record")
