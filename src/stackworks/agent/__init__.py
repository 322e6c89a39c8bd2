"""The agent: runs on every instance, polls, runs recipes, reports (docs/agent-protocol.md).

The CLI calls two plain functions: `run_agent(config_path)` (the process's exit status) and
`register_host(...)` (writes the configuration of a host you already run).
"""

from stackworks.agent.loop import run_agent
from stackworks.agent.register import RegisterError, register_host

__all__ = ["RegisterError", "register_host", "run_agent"]
