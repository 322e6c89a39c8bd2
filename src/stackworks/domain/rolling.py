"""The plan of a rolling deployment: one app instance at a time, drained on the load balancers.

A plan is a list of steps; each step sends one command to a set of instances and the next step
starts only when every command of the one before it has ended well. A failure stops the roll:
the instance being deployed is enabled again (its old release still serves) and the instances
after it are never touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypedDict

StepKind = Literal["deploy", "drain", "enable"]

#: the recipes the load balancers run to take one backend instance out and put it back
DRAIN_RECIPE = "haproxy::drain"
ENABLE_RECIPE = "haproxy::enable"


class Step(TypedDict):
    kind: StepKind
    hosts: list[str]  # the instances the step's command goes to
    target: str  # the app instance the step is about


def plan_rolling(
    app_hosts: Sequence[str], other_hosts: Sequence[str], balancers: Sequence[str]
) -> list[Step]:
    """Instances without the app first, together; then each app instance in turn."""
    steps: list[Step] = []
    if other_hosts:
        steps.append({"kind": "deploy", "hosts": list(other_hosts), "target": ""})
    for host in app_hosts:
        if balancers:
            steps.append({"kind": "drain", "hosts": list(balancers), "target": host})
        steps.append({"kind": "deploy", "hosts": [host], "target": host})
        if balancers:
            steps.append({"kind": "enable", "hosts": list(balancers), "target": host})
    return steps


def after_failure(plan: Sequence[Step], failed_step: int) -> list[Step]:
    """The plan cut after a failed step, keeping the enable that puts its target back."""
    kept = list(plan[: failed_step + 1])
    failed = plan[failed_step]
    if failed["kind"] in ("drain", "deploy"):
        enable = next(
            (
                s
                for s in plan[failed_step + 1 :]
                if s["kind"] == "enable" and s["target"] == failed["target"]
            ),
            None,
        )
        if enable is not None:
            kept.append(enable)
    return kept


def step_args(step: Step) -> dict[str, Any]:
    return {"server": step["target"]} if step["kind"] != "deploy" else {}
