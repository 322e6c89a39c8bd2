"""The entities of a stack, as plain dataclasses: what the store returns and control works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stackworks.domain.resources import DataSource, VolumeConfiguration
from stackworks.domain.status import (
    CommandName,
    CommandStatus,
    CookbookSourceType,
    DeploymentStatus,
    EventKind,
    InstanceStatus,
    LayerType,
    LifecycleEvent,
    ScalingType,
    SourceType,
)

#: What secure environment values look like in any output meant for people (OpsWorks' text).
FILTERED = "*****FILTERED*****"

JSON = dict[str, Any]


@dataclass(frozen=True)
class CookbookSource:
    """Where a stack's cookbooks come from; a git source is pinned to `pinned_commit`."""

    type: CookbookSourceType
    url: str = ""  # a path for `path`, a URL for `git`; empty for `builtin`
    ref: str = "HEAD"  # git branch, tag or commit
    pinned_commit: str | None = None  # set by update_custom_cookbooks


@dataclass(frozen=True)
class Stack:
    id: str
    name: str
    custom_json: JSON = field(default_factory=dict)
    hostname_theme: str = "layer_dependent"
    cookbook_sources: tuple[CookbookSource, ...] = ()
    #: seconds between agent heartbeats and of silence before an instance is lost; None: default
    heartbeat_interval: float | None = None
    heartbeat_timeout: float | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Layer:
    id: str
    stack_id: str
    shortname: str
    name: str
    type: LayerType = LayerType.CUSTOM
    #: custom recipes per event; they run after the layer type's built-in ones
    recipes: dict[LifecycleEvent, tuple[str, ...]] = field(default_factory=dict)
    packages: tuple[str, ...] = ()
    auto_healing: bool = True
    custom_json: JSON = field(default_factory=dict)
    shutdown_timeout: int = 120  # seconds the shutdown recipes may take
    #: each instance of the layer gets its own volume at each of these mount points
    volume_configurations: tuple[VolumeConfiguration, ...] = ()
    created_at: datetime | None = None


@dataclass(frozen=True)
class EnvironmentVariable:
    key: str
    value: str
    secure: bool = False


@dataclass(frozen=True)
class AppSource:
    type: SourceType
    url: str
    revision: str = "HEAD"


@dataclass(frozen=True)
class App:
    id: str
    stack_id: str
    shortname: str
    name: str
    source: AppSource
    environment: tuple[EnvironmentVariable, ...] = ()
    #: layer shortnames it deploys to; empty means every python-app layer
    layers: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    attributes: JSON = field(default_factory=dict)
    #: registered databases it reads from (at most one); they reach it as DATABASE_URL
    data_sources: tuple[DataSource, ...] = ()
    created_at: datetime | None = None

    def secure_values(self) -> list[str]:
        return [var.value for var in self.environment if var.secure and var.value]


@dataclass(frozen=True)
class Instance:
    id: str
    stack_id: str
    hostname: str
    layers: tuple[str, ...]  # layer shortnames, in the order given
    status: InstanceStatus = InstanceStatus.STOPPED
    provider: str = "local"  # `local`, or `registered` for a host that runs its own agent
    private_ip: str | None = None
    root_dir: str | None = None  # local instances: the directory every path lives under
    status_changed_at: datetime | None = None
    last_heartbeat_at: datetime | None = None
    metrics: JSON = field(default_factory=dict)
    scaling: ScalingType = ScalingType.ALWAYS
    status_reason: str = ""  # why it is in its status, when something went wrong
    heal_failures: int = 0  # replacements that failed in a row (auto-healing back-off)
    heal_not_before: datetime | None = None  # the next replacement waits until then
    pending_effect: str | None = None  # provider work recorded by its last transition
    effect_seq: int = 0
    created_at: datetime | None = None
    #: a credential rotation is under way: the current credential is refused after this
    credential_rotate_by: datetime | None = None


@dataclass(frozen=True)
class StackEvent:
    """Something the control plane did on its own, or noticed, with its reason."""

    seq: int
    stack_id: str
    at: datetime
    kind: EventKind
    message: str
    instance_id: str | None = None
    hostname: str | None = None
    details: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    id: str
    stack_id: str
    command: CommandName
    status: DeploymentStatus = DeploymentStatus.RUNNING
    app_id: str | None = None
    revision: str | None = None  # the app's revision when the deployment was made
    args: JSON = field(default_factory=dict)
    custom_json: JSON = field(default_factory=dict)
    comment: str = ""
    created_by: str = ""
    instance_ids: tuple[str, ...] = ()
    created_at: datetime | None = None
    completed_at: datetime | None = None
    #: a rolling deployment's steps (domain/rolling.py) and the one under way; empty otherwise
    plan: tuple[JSON, ...] = ()
    step: int = 0

    @property
    def rolling(self) -> bool:
        return bool(self.plan)


@dataclass(frozen=True)
class Command:
    """One command on one instance: part of a deployment, or sent by the lifecycle."""

    id: str
    stack_id: str
    instance_id: str
    type: CommandName
    status: CommandStatus = CommandStatus.PENDING
    deployment_id: str | None = None
    deployment_step: int | None = None  # the rolling step it belongs to
    subject_id: str | None = None  # a lifecycle configure: the instance that came or went
    reason: str = ""  # why the lifecycle sent it, e.g. "web2 came online"
    run_list: tuple[str, ...] = ()
    configuration: JSON = field(default_factory=dict)  # the stack configuration it carries
    #: the version its shared sections are stored under (domain.shared_configuration), if any
    configuration_version: str | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    completed_at: datetime | None = None
    exit_code: int | None = None
    log: str = ""
