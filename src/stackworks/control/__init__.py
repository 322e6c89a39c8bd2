"""The control plane: lifecycle, deployments, configure fan-out and the orchestrator loop.

Handlers in `api/` call these functions inside one store transaction each; nothing here speaks
HTTP. The orchestrator (`orchestrator.py`) does the slow provider work outside transactions.
"""
