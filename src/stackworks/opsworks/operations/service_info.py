"""What OpsWorks said about itself: DescribeAgentVersions and DescribeOperatingSystems.

There is one agent version, Stackworks' own, and its configuration manager is Stackworks'
Python recipes rather than Chef. The operating system is the one the server's host runs: local
instances share it, and registered hosts are whatever Linux they run (their agent needs only
Python), so that one is the OS Stackworks answers for.
"""

from __future__ import annotations

import platform
from typing import Any

from stackworks import __version__
from stackworks.opsworks.context import Context
from stackworks.opsworks.registry import operation

CONFIGURATION_MANAGER = {"Name": "Stackworks", "Version": __version__}


@operation("DescribeAgentVersions")
def describe_agent_versions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("StackId"):
        ctx.stack(params["StackId"])
    return {
        "AgentVersions": [{"Version": __version__, "ConfigurationManager": CONFIGURATION_MANAGER}]
    }


def host_operating_system() -> dict[str, Any]:
    """The server host's OS as OpsWorks' OperatingSystem (from /etc/os-release)."""
    try:
        release = platform.freedesktop_os_release()
    except OSError:
        release = {}
    name = release.get("NAME", platform.system())
    version = release.get("VERSION_ID", platform.release())
    return {
        "Name": release.get("PRETTY_NAME", f"{name} {version}"),
        "Id": f"{name} {version}",
        "Type": "Linux",
        "ConfigurationManagers": [CONFIGURATION_MANAGER],
        "ReportedName": release.get("ID", name.lower()),
        "ReportedVersion": version,
        "Supported": True,
    }


@operation("DescribeOperatingSystems")
def describe_operating_systems(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"OperatingSystems": [host_operating_system()]}
