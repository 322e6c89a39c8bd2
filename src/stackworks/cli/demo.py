"""`stackworks demo`: placeholder until the demo is written."""

from __future__ import annotations

import typer


def run_demo() -> None:
    raise typer.Exit(0)


def demo() -> None:
    """Start a local server and a demo stack behind a load balancer."""
    run_demo()
