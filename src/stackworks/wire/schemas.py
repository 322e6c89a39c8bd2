"""What the API accepts and returns. Kept apart from the store's tables and the domain's entities.

Create/Update/Public per entity, in the full-stack FastAPI template's manner. Every model
forbids unknown fields so a typo in a request is a 422 that names it, not a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from stackworks.domain import configuration_delta
from stackworks.domain.access import Level, Role
from stackworks.domain.access_keys import AccessKeyStatus
from stackworks.domain.git_sources import check_git_revision, check_git_url
from stackworks.domain.status import (
    CommandName,
    CommandStatus,
    CookbookSourceType,
    DeploymentStatus,
    EventKind,
    InstanceStatus,
    LayerType,
    ScalingType,
    SourceType,
)

JSON = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    message: str
    field: str | None = None  # the request field at fault, e.g. "source.url"


class ErrorOut(BaseModel):
    """Every error answer's one shape (api/errors.py), whatever the status."""

    detail: ErrorDetail


# --- stacks ---------------------------------------------------------------------------------


def _checked_when_git(git: object, check: Callable[[str], str]) -> Any:
    """A validator that runs `check` on the field when the source's `type` (checked before it)
    is `git`: git hears a URL such as ext::... or --upload-pack=... as a command to run."""

    def validate(value: str, info: ValidationInfo) -> str:
        return check(value) if info.data.get("type", git) is git else value

    return validate


class CookbookSourceIn(Strict):
    type: CookbookSourceType
    url: str = ""
    ref: str = "HEAD"

    _safe_url = field_validator("url")(_checked_when_git(CookbookSourceType.GIT, check_git_url))
    _safe_ref = field_validator("ref")(
        _checked_when_git(CookbookSourceType.GIT, check_git_revision)
    )


class CookbookSourceOut(CookbookSourceIn):
    pinned_commit: str | None = None


class StackCreate(Strict):
    name: str
    custom_json: JSON = Field(default_factory=dict)
    hostname_theme: str = "layer_dependent"
    cookbook_sources: list[CookbookSourceIn] = Field(default_factory=list)


class StackUpdate(Strict):
    custom_json: JSON | None = None
    hostname_theme: str | None = None
    cookbook_sources: list[CookbookSourceIn] | None = None
    #: seconds between agent heartbeats; 0 goes back to the server's default
    heartbeat_interval: float | None = Field(default=None, ge=0, le=3600)
    #: seconds of silence before an online instance is connection_lost; 0: the server's default
    heartbeat_timeout: float | None = Field(default=None, ge=0, le=86400)


class StackOut(BaseModel):
    id: str
    name: str
    custom_json: JSON
    hostname_theme: str
    cookbook_sources: list[CookbookSourceOut]
    created_at: datetime | None
    layers_count: int = 0
    apps_count: int = 0
    instances_count: dict[str, int] = Field(default_factory=dict)  # status -> count
    heartbeat_interval: float = 0.0  # in force: the stack's own, or the server's default
    heartbeat_timeout: float = 0.0


# --- layers ---------------------------------------------------------------------------------


class VolumeConfigurationIn(Strict):
    """OpsWorks' VolumeConfiguration: a volume per instance at `mount_point`."""

    mount_point: str
    size: int = 1  # GiB
    snapshot_every_hours: int = 0  # 0: no schedule (seed 001 asks for 24)
    snapshot_keep: int = 15


class DataSourceIn(Strict):
    type: Literal["database"] = "database"
    name: str  # a registered database of the stack


Recipes = dict[str, list[str]]  # event (setup, configure, deploy, undeploy, shutdown) -> recipes


class LayerCreate(Strict):
    shortname: str
    name: str | None = None
    type: LayerType = LayerType.CUSTOM
    recipes: Recipes = Field(default_factory=dict)
    packages: list[str] = Field(default_factory=list)
    auto_healing: bool = True
    custom_json: JSON = Field(default_factory=dict)
    shutdown_timeout: int = Field(default=120, ge=1, le=3600)
    #: each instance of the layer gets its own volume at each mount point (docs/resources.md)
    volume_configurations: list[VolumeConfigurationIn] = Field(default_factory=list)


class LayerUpdate(Strict):
    name: str | None = None
    recipes: Recipes | None = None
    packages: list[str] | None = None
    auto_healing: bool | None = None
    custom_json: JSON | None = None
    shutdown_timeout: int | None = Field(default=None, ge=1, le=3600)
    volume_configurations: list[VolumeConfigurationIn] | None = None


class LayerOut(BaseModel):
    id: str
    stack: str
    shortname: str
    name: str
    type: LayerType
    recipes: Recipes  # custom recipes
    default_recipes: Recipes  # what the layer type brings
    packages: list[str]
    auto_healing: bool
    custom_json: JSON
    shutdown_timeout: int
    created_at: datetime | None
    volume_configurations: list[VolumeConfigurationIn] = Field(default_factory=list)


# --- apps -----------------------------------------------------------------------------------


class AppSourceIn(Strict):
    type: SourceType = SourceType.GIT
    url: str
    revision: str = "HEAD"

    _safe_url = field_validator("url")(_checked_when_git(SourceType.GIT, check_git_url))
    _safe_revision = field_validator("revision")(
        _checked_when_git(SourceType.GIT, check_git_revision)
    )


class EnvironmentVariableIn(Strict):
    key: str
    value: str
    secure: bool = False


class AppCreate(Strict):
    shortname: str
    name: str | None = None
    source: AppSourceIn
    environment: list[EnvironmentVariableIn] = Field(default_factory=list)
    layers: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    attributes: JSON = Field(default_factory=dict)
    #: registered databases it reads from (at most one): DATABASE_URL in its environment
    data_sources: list[DataSourceIn] = Field(default_factory=list)


class AppUpdate(Strict):
    name: str | None = None
    source: AppSourceIn | None = None
    #: replaces the whole environment; a secure variable sent as FILTERED keeps its old value
    environment: list[EnvironmentVariableIn] | None = None
    layers: list[str] | None = None
    domains: list[str] | None = None
    attributes: JSON | None = None
    data_sources: list[DataSourceIn] | None = None


class AppOut(BaseModel):
    id: str
    stack: str
    shortname: str
    name: str
    source: AppSourceIn
    environment: list[EnvironmentVariableIn]  # secure values read *****FILTERED*****
    layers: list[str]  # as given; empty means every python-app layer
    deploys_to: list[str]  # the layers it actually deploys to
    domains: list[str]
    attributes: JSON
    created_at: datetime | None
    data_sources: list[DataSourceIn] = Field(default_factory=list)


# --- instances ------------------------------------------------------------------------------


class InstanceCreate(Strict):
    layers: list[str] = Field(min_length=1)
    hostname: str | None = None
    #: 24/7 (people start and stop it), time (its weekly schedule does) or load (its layers' load)
    scaling: ScalingType = ScalingType.ALWAYS
    #: local (this host's loopback), or ssh (a host the server installs the agent on); left
    #: out: ssh when one of its layers has a default ssh key, else local
    provider: Literal["local", "ssh"] | None = None
    #: ssh: user@host[:port]; the host (an IPv4 address or DNS name) is the private address
    ssh_target: str | None = Field(default=None, max_length=300)
    #: ssh: the private key (OpenSSH or PEM text, no passphrase); sealed at rest, never shown;
    #: left out: the first of its layers' default keys
    ssh_key: str | None = Field(default=None, max_length=20_000, repr=False)


class LayerSshDefaultIn(Strict):
    """The private key a layer's new instances use over SSH unless they bring their own."""

    ssh_key: str = Field(min_length=1, max_length=20_000, repr=False)


class LayerSshDefaultOut(BaseModel):
    layer: str
    provider: Literal["ssh"] = "ssh"
    #: the key's public half, as `ssh-keygen -l` prints it; the key itself is never shown
    key_fingerprint: str


class HostKeyAccept(Strict):
    """A new host key a user checked and accepts for an ssh instance (`SHA256:...`)."""

    fingerprint: str = Field(pattern=r"^SHA256:[A-Za-z0-9+/]{43}$")


class InstanceOut(BaseModel):
    id: str
    stack: str
    hostname: str
    layers: list[str]
    status: InstanceStatus
    status_reason: str = ""  # why it is in its status, when something went wrong
    scaling: ScalingType = ScalingType.ALWAYS
    provider: str
    private_ip: str | None
    root_dir: str | None
    #: ssh instances: where the server reaches them, and the host key pinned (None: not yet)
    ssh_target: str | None = None
    ssh_host_key: str | None = None
    status_changed_at: datetime | None
    last_heartbeat_at: datetime | None
    metrics: JSON
    created_at: datetime | None


# --- stack events ---------------------------------------------------------------------------


class EventOut(BaseModel):
    seq: int  # increasing; `?after=seq` gives the ones that came since
    at: datetime
    kind: EventKind
    instance: str | None  # hostname
    message: str
    details: JSON


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime | None
    user: str | None  # the token's (user's) name; null: no valid token was presented
    stack: str | None
    action: str  # method and route template: "PATCH /stacks/{stack}/apps/{app}"
    target: str  # the path
    status: int  # the answer's HTTP status
    changes: JSON  # {"body": ...} with secrets as *****FILTERED*****, or a note of what it was


# --- deployments and commands ---------------------------------------------------------------


class DeploymentCommandIn(Strict):
    name: CommandName
    args: JSON = Field(default_factory=dict)


class DeploymentCreate(Strict):
    command: DeploymentCommandIn
    app: str | None = None  # app shortname
    instances: list[str] = Field(default_factory=list)  # hostnames
    layers: list[str] = Field(default_factory=list)  # layer shortnames
    custom_json: JSON = Field(default_factory=dict)
    comment: str = ""
    #: one instance at a time, drained on the load balancers; None: the stack's default
    rolling: bool | None = None


class CommandOut(BaseModel):
    id: str
    instance: str  # hostname
    deployment_id: str | None
    type: CommandName
    status: CommandStatus
    reason: str
    run_list: list[str]
    created_at: datetime | None
    sent_at: datetime | None
    acknowledged_at: datetime | None
    completed_at: datetime | None
    exit_code: int | None
    log: str | None = None  # only with ?logs=true
    configuration: JSON | None = None  # only with ?configuration=true; secure values masked


class DeploymentOut(BaseModel):
    id: str
    stack: str
    command: DeploymentCommandIn
    status: DeploymentStatus
    app: str | None
    revision: str | None = None  # the app's revision when it was made
    custom_json: JSON
    comment: str
    created_by: str
    instances: list[str]
    created_at: datetime | None
    completed_at: datetime | None
    duration: float | None
    rolling: bool = False
    steps: list[JSON] = Field(default_factory=list)  # a rolling deployment's plan
    step: int = 0  # the step under way (== len(steps) when done)
    commands: list[CommandOut] = Field(default_factory=list)


# --- whole-stack documents (apply / export) -------------------------------------------------


class StackDocument(Strict):
    """The YAML of `stackworks apply` and `stackworks export`: one stack, whole."""

    name: str
    custom_json: JSON = Field(default_factory=dict)
    hostname_theme: str = "layer_dependent"
    cookbook_sources: list[CookbookSourceIn] = Field(default_factory=list)
    layers: list[LayerCreate] = Field(default_factory=list)
    apps: list[AppCreate] = Field(default_factory=list)
    instances: list[InstanceCreate] = Field(default_factory=list)
    #: registered databases; exported with their password as *****FILTERED*****, which
    #: applying keeps as stored (a new database is left without one, with a warning)
    databases: list[DatabaseRegister] = Field(default_factory=list)
    #: layer shortname -> its load-based thresholds (only layers that differ from the default)
    load_scaling: dict[str, LoadScalingUpdate] = Field(default_factory=dict)
    #: hostname of a time-based instance -> its weekly schedule (only non-empty ones)
    schedules: dict[str, WeeklyScheduleIn] = Field(default_factory=dict)


class ApplyResult(BaseModel):
    stack: str
    created: list[str]  # e.g. "layer web", "instance web1"
    updated: list[str]
    unchanged: list[str]
    #: what the document could not carry, e.g. a secret exported as *****FILTERED***** for a
    #: stack that has no value to keep: left unset, to be given separately
    warnings: list[str] = Field(default_factory=list)


# --- agent ----------------------------------------------------------------------------------


class RegisterRequest(Strict):
    """`stackworks agent register`: make a host you already run an instance of a stack.

    The registration token presented names the stack; `stack`, when given, must be that one."""

    stack: str | None = None
    layers: list[str] = Field(min_length=1)
    hostname: str
    private_ip: str


class RegisterResponse(BaseModel):
    instance_id: str
    hostname: str
    stack_id: str
    credential: str  # the instance's own credential; shown once
    heartbeat_interval: float


class Heartbeat(Strict):
    metrics: JSON = Field(default_factory=dict)  # load1/5/15, cpu, memory, disk (percent)
    agent_version: str = ""


class HeartbeatReply(BaseModel):
    status: InstanceStatus
    heartbeat_interval: float
    #: how long to hold each long-poll when the server paces a large fleet (its renewals cost
    #: like heartbeats); None: keep the agent's own (`poll_wait`), as from an older server
    poll_wait: float | None = None
    #: seconds until this agent's next heartbeat, at most `heartbeat_interval`: its slot in the
    #: interval (domain/beat_slots.py), so a fleet's beats spread evenly instead of bunching;
    #: None (an older server): beat again after `heartbeat_interval`
    next_heartbeat_in: float | None = None
    #: a rotation's new credential: the agent saves it and calls with it from then on
    credential: str | None = Field(default=None, repr=False)


class RegistrationTokenCreate(Strict):
    expires_in: int = Field(default=3600, description="seconds the token stays usable")


class RegistrationTokenOut(BaseModel):
    stack: str
    token: str  # shown once: only a hash is kept
    expires_at: datetime


class CredentialRotate(Strict):
    grace: int = Field(
        default=3600, description="seconds the old credential lasts if the agent never confirms"
    )


class StackConfigurationDelta(BaseModel):
    """What turns version `base` of the shared sections into the command's version
    (domain/configuration_delta.py): `set` holds [path, value] pairs, `remove` paths."""

    base: str
    set: list[tuple[list[str], Any]] = Field(default_factory=list)
    remove: list[list[str]] = Field(default_factory=list)

    @classmethod
    def of(cls, base: str, delta: configuration_delta.ConfigurationDelta) -> Self:
        return cls(
            base=base,
            set=[(list(path), value) for path, value in delta.set],
            remove=[list(path) for path in delta.remove],
        )

    def to_delta(self) -> configuration_delta.ConfigurationDelta:
        return configuration_delta.ConfigurationDelta(
            set=[(tuple(path), value) for path, value in self.set],
            remove=[tuple(path) for path in self.remove],
        )


class AgentCommand(BaseModel):
    id: str
    type: CommandName
    deployment_id: str | None
    run_list: list[str]
    configuration: JSON  # unmasked: the agent needs secure values; it scrubs them from logs
    #: the version whose shared sections (`layers`, `instances`) the agent fetches and joins
    #: in (GET /agent/stack-configuration/{version}); None: `configuration` is whole
    stack_configuration: str | None = None
    #: when the poll said which version the agent holds (`have`) and the server still has it:
    #: the change from that version to `stack_configuration`, so the agent need not fetch it
    stack_configuration_delta: StackConfigurationDelta | None = None
    #: True when the poll asked for `acknowledge=on_delivery`: the delivery was the ack, so the
    #: agent does not send one (a server older than that leaves it False, and the agent acks)
    acknowledged: bool = False
    timeout: float


class AgentCommands(BaseModel):
    commands: list[AgentCommand]


class LogChunk(Strict):
    seq: int = Field(ge=0)  # resends of an already-stored chunk are ignored
    lines: list[str]


class CommandResult(Strict):
    status: Literal["successful", "failed"]
    exit_code: int
    report: JSON = Field(default_factory=dict)  # the converge run's per-resource report
    #: the command's last log lines, stored with the result in one transaction, as a chunk
    #: sent to `.../log` would be (a `seq` the server has is ignored); saves the agent a
    #: request per command. A server older than this field refuses it with 422 naming `log`.
    log: LogChunk | None = None

    def to_wire(self) -> dict[str, Any]:
        """The request body: without `log` when there is none, so an older server (which
        forbids the field) takes a result that carries no log as it always did."""
        return self.model_dump(exclude=None if self.log is not None else {"log"})


NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
NameStr = Annotated[str, Field(min_length=1, max_length=100, pattern=NAME_PATTERN)]


class TokenCreate(Strict):
    """The first API's tokens: a user of that name (admin, or deploy on every stack) and its
    token of the same name."""

    name: NameStr
    role: Literal[Role.ADMIN, Role.DEPLOY] = Role.DEPLOY


class TokenOut(BaseModel):
    name: str
    role: Role
    created_at: datetime | None


class TokenCreated(TokenOut):
    token: str  # shown once: only a hash is kept


# --- users, their tokens, the console's login, per-stack permissions -----------------------


class UserCreate(Strict):
    name: NameStr
    admin: bool = False
    #: the level on every stack without an explicit permission
    default_level: Level = Level.DENY
    ssh_username: str | None = None
    ssh_public_key: str | None = None  # one OpenSSH public key line


class UserUpdate(Strict):
    admin: bool | None = None
    default_level: Level | None = None
    ssh_username: str | None = None
    ssh_public_key: str | None = None
    clear_ssh: bool = False  # remove the SSH profile (the user loses SSH access everywhere)


class MyProfileUpdate(Strict):
    """What users may change of their own profile (OpsWorks' UpdateMyUserProfile): the key."""

    ssh_public_key: str


class StackPermissionOut(BaseModel):
    stack: str
    user: str
    level: Level
    allow_ssh: bool
    allow_sudo: bool


class UserOut(BaseModel):
    name: str
    admin: bool
    default_level: Level
    ssh_username: str | None
    ssh_public_key: str | None
    has_password: bool
    created_at: datetime | None
    #: explicit per-stack permissions (in a user's own or a single user's view)
    permissions: list[StackPermissionOut] = Field(default_factory=list)


class UserTokenCreate(Strict):
    name: NameStr | None = None
    #: seconds until the token stops working; none: until revoked
    expires_in: int | None = Field(default=None, ge=60, le=10 * 366 * 86400)


class UserTokenOut(BaseModel):
    name: str
    kind: str
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None


class UserTokenCreated(UserTokenOut):
    user: str
    token: str  # shown once: only a hash is kept


class AccessKeyOut(BaseModel):
    """An access key for the OpsWorks API (SigV4), without its secret."""

    access_key_id: str
    user: str
    status: AccessKeyStatus
    created_at: datetime | None
    last_used_at: datetime | None


class AccessKeyCreated(AccessKeyOut):
    secret_access_key: str  # shown once; the server keeps it encrypted


class AccessKeyUpdate(Strict):
    status: AccessKeyStatus


class PasswordSet(Strict):
    password: str = Field(min_length=8, max_length=1024)
    #: for one's own password, when one is already set
    current_password: str | None = Field(default=None, max_length=1024)


class LoginRequest(Strict):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1024)


class LoginResult(BaseModel):
    name: str
    token: str
    expires_at: datetime


class PermissionSet(Strict):
    level: Level
    allow_ssh: bool | None = None  # None keeps what the user had on the stack (else false)
    allow_sudo: bool | None = None


# --- time-based and load-based instances, metrics history ----------------------------------

DaySchedule = dict[str, str]  # UTC hour ("0".."23") -> "on" or "off"; an hour not named is off


class WeeklyScheduleIn(Strict):
    """OpsWorks' WeeklyAutoScalingSchedule: the whole week, replacing the one before."""

    Monday: DaySchedule | None = None
    Tuesday: DaySchedule | None = None
    Wednesday: DaySchedule | None = None
    Thursday: DaySchedule | None = None
    Friday: DaySchedule | None = None
    Saturday: DaySchedule | None = None
    Sunday: DaySchedule | None = None


class ScheduleOut(BaseModel):
    stack: str
    hostname: str
    scaling: ScalingType
    schedule: dict[str, DaySchedule]  # only the hours that are on
    on_now: bool  # whether the current UTC hour is on


class ThresholdsIn(Strict):
    """One direction's thresholds; a field left out keeps its value. -1 disables a threshold."""

    instance_count: int | None = None  # instances started (stopped) per step
    thresholds_wait_time: float | None = None  # minutes beyond a threshold before a step
    ignore_metrics_time: float | None = None  # minutes metrics are ignored after a step
    cpu_threshold: float | None = None  # layer average cpu, percent
    memory_threshold: float | None = None  # layer average memory, percent
    load_threshold: float | None = None  # layer average load1


class LoadScalingUpdate(Strict):
    enable: bool | None = None
    up_scaling: ThresholdsIn | None = None
    down_scaling: ThresholdsIn | None = None


class ThresholdsOut(BaseModel):
    instance_count: int
    thresholds_wait_time: float
    ignore_metrics_time: float
    cpu_threshold: float
    memory_threshold: float
    load_threshold: float


class LoadScalingStateOut(BaseModel):
    up_since: datetime | None  # since when an up threshold has been exceeded
    down_since: datetime | None  # since when every down threshold has been undershot
    last_action_at: datetime | None
    last_action: Literal["up", "down"] | None


class LoadScalingOut(BaseModel):
    stack: str
    layer: str
    enable: bool
    up_scaling: ThresholdsOut
    down_scaling: ThresholdsOut
    state: LoadScalingStateOut
    load_based_instances: list[str]  # hostnames: the only instances it starts and stops


class MetricPointOut(BaseModel):
    at: datetime
    cpu: float | None
    memory: float | None
    disk: float | None
    load1: float | None
    load5: float | None
    load15: float | None
    samples: int  # heartbeats (instance) or instances (layer) the point averages


class MetricsOut(BaseModel):
    stack: str
    instance: str | None = None  # hostname, for an instance's history
    layer: str | None = None  # shortname, for a layer's average
    instances: list[str] = Field(default_factory=list)  # a layer's: whose history is averaged
    resolution: Literal["raw", "minute"]
    since: datetime
    until: datetime | None
    points: list[MetricPointOut]


# --- resources: volumes, snapshots, addresses, databases, start/stop stack -----------------


class VolumeRegister(Strict):
    """A new, empty volume of the stack (RegisterVolume); assign it to a stopped instance."""

    name: str
    size: int = 1
    mount_point: str | None = None
    snapshot_every_hours: int = 0
    snapshot_keep: int = 15


class VolumeUpdate(Strict):
    """UpdateVolume: its name, mount point (while unassigned or its instance is stopped),
    and snapshot schedule."""

    name: str | None = None
    mount_point: str | None = None
    snapshot_every_hours: int | None = None
    snapshot_keep: int | None = None


class VolumeAssign(Strict):
    instance: str  # hostname; the instance must be stopped
    mount_point: str | None = None  # sets the volume's mount point first


class VolumeOut(BaseModel):
    id: str
    stack: str
    name: str
    status: str  # available or in-use
    size: int
    mount_point: str | None
    instance: str | None  # hostname
    layer: str | None  # the layer whose volume configuration made it
    path: str
    snapshot_every_hours: int
    snapshot_keep: int
    created_at: datetime | None


class SnapshotCreate(Strict):
    comment: str = ""


class SnapshotRestore(Strict):
    name: str  # the new volume's name
    mount_point: str | None = None


class SnapshotOut(BaseModel):
    id: str
    volume: str  # name of the volume it was taken of
    reason: str  # manual or scheduled
    size_bytes: int
    created_at: datetime | None


class AddressRegister(Strict):
    """RegisterElasticIp: a stable address for the stack (local: a loopback address)."""

    name: str
    instance: str | None = None  # associate it at once


class AddressUpdate(Strict):
    name: str


class AddressAssociate(Strict):
    instance: str  # hostname


class AddressOut(BaseModel):
    id: str
    stack: str
    ip: str
    name: str
    instance: str | None
    created_at: datetime | None


class DatabaseRegister(Strict):
    """RegisterRdsDbInstance, for any PostgreSQL or MySQL server reachable from instances."""

    name: str
    engine: Literal["postgresql", "mysql"] = "postgresql"
    host: str
    port: int | None = None  # the engine's default when not given
    database: str
    user: str
    password: str = ""


class DatabaseUpdate(Strict):
    """A password sent as *****FILTERED***** (or left out) keeps the stored one."""

    host: str | None = None
    port: int | None = None
    database: str | None = None
    user: str | None = None
    password: str | None = None


class DatabaseOut(BaseModel):
    id: str
    stack: str
    name: str
    engine: str
    host: str
    port: int
    database: str
    user: str
    password: str  # always *****FILTERED***** (or empty when none is set)
    apps: list[str]  # apps that use it as a data source
    created_at: datetime | None


class StackPowerResult(BaseModel):
    """What start stack or stop stack asked of each instance."""

    stack: str
    changed: list[str]  # hostnames asked to start (or stop)
    unchanged: list[str]  # already running (or stopped), or left to their scheduler
