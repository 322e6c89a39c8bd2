"""What a heartbeat reports about its instance: load averages and cpu, memory, disk usage.

Disk is measured on the instance's root: a local instance's own directory tree (whose filesystem
it shares with its host), or `/` on a host running its own agent.
"""

from __future__ import annotations

import os
from pathlib import Path

import psutil

MetricValues = dict[str, float]


def instance_root() -> Path:
    """The local provider sets STACKWORKS_INSTANCE_ROOT for the agent; a real host uses `/`."""
    return Path(os.environ.get("STACKWORKS_INSTANCE_ROOT") or "/")


def collect(root: Path | None = None) -> MetricValues:
    """Current metrics; cpu is measured since the previous call (0.0 on the very first)."""
    load1, load5, load15 = os.getloadavg()
    disk_root = root if root is not None else instance_root()
    if not disk_root.exists():
        disk_root = Path("/")
    return {
        "load1": round(load1, 2),
        "load5": round(load5, 2),
        "load15": round(load15, 2),
        "cpu": psutil.cpu_percent(interval=None),
        "memory": psutil.virtual_memory().percent,
        "disk": psutil.disk_usage(str(disk_root)).percent,
    }
