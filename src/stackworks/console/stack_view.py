"""What the stack page shows, read in a fixed number of queries whatever the stack's size.

`load` reads the stack's layers, instances, apps, recent deployments and events once each
(no query per layer or per instance), so a stack of 100 instances renders as fast as one of 3.
`instance_states` is the part the live stream polls.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from stackworks.console.health import Health, by_health
from stackworks.console.levels import Can, stack_level
from stackworks.domain.access import Principal
from stackworks.domain.entities import App, Deployment, Instance, Layer, Stack, StackEvent
from stackworks.store import apps as app_store
from stackworks.store import deployments as deployment_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store

RECENT_DEPLOYMENTS = 10
RECENT_EVENTS = 15


@dataclass(frozen=True)
class LayerView:
    layer: Layer
    instances: list[Instance]


@dataclass(frozen=True)
class StackView:
    stack: Stack
    can: Can
    layers: list[LayerView]
    unlayered: list[Instance]  # instances none of whose layers exists any more
    apps: list[App]
    deployments: list[Deployment]
    events: list[StackEvent]
    hostnames: dict[str, str]  # instance id -> hostname
    app_names: dict[str, str]  # app id -> shortname

    @property
    def grouped(self) -> dict[Health, int]:
        return summary_of(self.instances())

    def instances(self) -> list[Instance]:
        """Every instance once (one in two layers is listed under both)."""
        seen: dict[str, Instance] = {}
        for view in self.layers:
            for instance in view.instances:
                seen[instance.id] = instance
        for instance in self.unlayered:
            seen[instance.id] = instance
        return list(seen.values())


def summary_of(instances: list[Instance]) -> dict[Health, int]:
    return by_health(Counter(i.status for i in instances))


def load(session: Session, principal: Principal, stack: Stack) -> StackView:
    layers = layer_store.list_for_stack(session, stack.id)
    instances = instance_store.list_for_stack(session, stack.id)
    apps = app_store.list_for_stack(session, stack.id)
    names = {layer.shortname for layer in layers}
    views = [
        LayerView(layer, [i for i in instances if layer.shortname in i.layers]) for layer in layers
    ]
    return StackView(
        stack=stack,
        can=Can(stack_level(session, principal, stack)),
        layers=views,
        unlayered=[i for i in instances if not names.intersection(i.layers)],
        apps=apps,
        deployments=deployment_store.list_for_stack(session, stack.id, limit=RECENT_DEPLOYMENTS),
        events=list(reversed(event_store.list_for_stack(session, stack.id, limit=RECENT_EVENTS))),
        hostnames={i.id: i.hostname for i in instances},
        app_names={a.id: a.shortname for a in apps},
    )
