"""The SQL tables, as SQLAlchemy 2 typed mappings. Only the store modules import this.

Portable SQL only (SQLite by default, PostgreSQL when a user outgrows one machine): JSON columns
use the generic JSON type, timestamps are stored as timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware UTC, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


def table_of(row: type[Base]) -> Table:
    """A mapped class's table, typed as one: for Core statements built once at import (the
    hot paths pass their values as bind parameters instead of building a statement a call)."""
    return cast(Table, row.__table__)


class StackRow(Base):
    __tablename__ = "stacks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    custom_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    hostname_theme: Mapped[str] = mapped_column(String(40), default="layer_dependent")
    cookbook_sources: Mapped[list[Any]] = mapped_column(default=list)
    #: seconds between agent heartbeats, and of silence before an instance is lost (None: default)
    heartbeat_interval: Mapped[float | None] = mapped_column(Float, default=None)
    heartbeat_timeout: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LayerRow(Base):
    __tablename__ = "layers"
    __table_args__ = (UniqueConstraint("stack_id", "shortname"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    shortname: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    recipes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    packages: Mapped[list[Any]] = mapped_column(default=list)
    auto_healing: Mapped[bool] = mapped_column(Boolean, default=True)
    custom_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    shutdown_timeout: Mapped[int] = mapped_column(Integer, default=120)
    #: [{mount_point, size, snapshot_every_hours, snapshot_keep}] (migration 0005)
    volume_configurations: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppRow(Base):
    __tablename__ = "apps"
    __table_args__ = (UniqueConstraint("stack_id", "shortname"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    shortname: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    environment: Mapped[list[Any]] = mapped_column(default=list)
    layers: Mapped[list[Any]] = mapped_column(default=list)
    domains: Mapped[list[Any]] = mapped_column(default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: [{type, name}]: registered databases the app reads from (migration 0005)
    data_sources: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InstanceRow(Base):
    __tablename__ = "instances"
    __table_args__ = (UniqueConstraint("stack_id", "hostname"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    hostname: Mapped[str] = mapped_column(String(63))
    layers: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    provider: Mapped[str] = mapped_column(String(20), default="local")
    private_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    root_dir: Mapped[str | None] = mapped_column(Text, default=None)
    credential_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    #: a rotation (migration 0007): the credential issued to the agent and not yet confirmed by
    #: its use, and when the current one stops being valid if the agent never confirms
    next_credential_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    credential_rotate_by: Mapped[datetime | None] = mapped_column(default=None)
    status_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scaling: Mapped[str] = mapped_column(String(10), default="24/7")  # 24/7, time or load
    #: why the instance is in its status, when something went wrong (a provider error, a time-out)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: auto-healing back-off: replacements that failed in a row, and when to try the next one
    heal_failures: Mapped[int] = mapped_column(Integer, default=0)
    heal_not_before: Mapped[datetime | None] = mapped_column(default=None)
    #: provider work the last transition recorded (domain.lifecycle.Effect) and not yet done;
    #: `effect_seq` counts recordings, so finishing an old one never clears a newer one
    pending_effect: Mapped[str | None] = mapped_column(String(20), default=None, index=True)
    effect_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InstanceSshHostRow(Base):
    """How the server reaches an `ssh` instance (migration 0011): its target, its private key
    sealed with the server key, and the host key pinned at the first connection."""

    __tablename__ = "instance_ssh_hosts"

    instance_id: Mapped[str] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(300))  # user@host[:port]
    key_sealed: Mapped[str] = mapped_column(Text)
    #: SHA256:... of the host key seen first (or accepted by a user); None until then
    host_key: Mapped[str | None] = mapped_column(String(100), default=None)
    host_key_pinned_at: Mapped[datetime | None] = mapped_column(default=None)


class LayerSshDefaultRow(Base):
    """A layer's default for its new instances (migration 0011): provider ssh with this key
    (sealed); each instance still names its own target."""

    __tablename__ = "layer_ssh_defaults"

    layer_id: Mapped[str] = mapped_column(
        ForeignKey("layers.id", ondelete="CASCADE"), primary_key=True
    )
    key_sealed: Mapped[str] = mapped_column(Text)
    #: SHA256:... of the key's public half: what answers show instead of the key
    key_fingerprint: Mapped[str] = mapped_column(String(100))


class DeploymentRow(Base):
    __tablename__ = "deployments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    app_id: Mapped[str | None] = mapped_column(String(36), default=None)
    revision: Mapped[str | None] = mapped_column(String(200), default=None)  # the app's, then
    command: Mapped[str] = mapped_column(String(40))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    custom_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    instance_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: a rolling deployment's steps (control/rolling.py) and the index of the one under way
    plan: Mapped[list[Any]] = mapped_column(default=list)
    step: Mapped[int] = mapped_column(Integer, default=0)


class CommandRow(Base):
    __tablename__ = "commands"
    __table_args__ = (Index("ix_commands_instance_status", "instance_id", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    deployment_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    deployment_step: Mapped[int | None] = mapped_column(Integer, default=None)
    #: the instance whose coming or going a lifecycle configure is about
    subject_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    run_list: Mapped[list[Any]] = mapped_column(default=list)
    #: the configuration with its secrets masked; the secrets themselves, encrypted, in
    #: `sealed_secrets` (domain.configuration_secrets.split; migration 0008)
    configuration: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sealed_secrets: Mapped[str | None] = mapped_column(Text, default=None)
    #: the stack configuration version its shared sections are in (migration 0013); None:
    #: queued before versions, `configuration` holds them inline
    configuration_version: Mapped[str | None] = mapped_column(String(64), default=None)
    timeout: Mapped[int] = mapped_column(Integer, default=3600)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    exit_code: Mapped[int | None] = mapped_column(Integer, default=None)
    log: Mapped[str] = mapped_column(Text, default="")
    log_seq: Mapped[int] = mapped_column(Integer, default=-1)  # last log chunk stored
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StackConfigurationRow(Base):
    """The sections of a stack configuration every instance shares (`layers`, `instances`),
    stored once per state under their digest (domain.shared_configuration; migration 0013)."""

    __tablename__ = "stack_configurations"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserRow(Base):
    """A person or a CI job that calls the API (migration 0006: each old token became one)."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    #: the level on every stack without an explicit permission (deploy for old deploy tokens)
    default_level: Mapped[str] = mapped_column(String(10), default="deny")
    ssh_username: Mapped[str | None] = mapped_column(String(32), default=None, unique=True)
    ssh_public_key: Mapped[str | None] = mapped_column(Text, default=None)
    #: argon2 hash of the console password; None: no console login
    password_hash: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TokenRow(Base):
    """A user's API token; only its SHA-256 is kept. `kind` is api (made on request) or login."""

    __tablename__ = "user_tokens"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    #: when the token last authenticated, to the minute (written at most once a minute)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class PermissionRow(Base):
    """One user's level on one stack, and whether they may log in to its instances."""

    __tablename__ = "stack_permissions"

    stack_id: Mapped[str] = mapped_column(
        ForeignKey("stacks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[str] = mapped_column(String(10))
    allow_ssh: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_sudo: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StackEventRow(Base):
    """Something the control plane did on its own, or noticed: healing, scaling, schedules."""

    __tablename__ = "stack_events"
    __table_args__ = (Index("ix_stack_events_stack_seq", "stack_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    instance_id: Mapped[str | None] = mapped_column(String(36), default=None)
    hostname: Mapped[str | None] = mapped_column(String(63), default=None)
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class InstanceScheduleRow(Base):
    """A time-based instance's weekly schedule, in OpsWorks' shape (only the hours that are on)."""

    __tablename__ = "instance_schedules"

    instance_id: Mapped[str] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True
    )
    schedule: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LayerLoadScalingRow(Base):
    """A layer's load-based scaling: its thresholds, and what the decision remembers."""

    __tablename__ = "layer_load_scaling"

    layer_id: Mapped[str] = mapped_column(
        ForeignKey("layers.id", ondelete="CASCADE"), primary_key=True
    )
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    enable: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    up_scaling: Mapped[dict[str, Any]] = mapped_column(default=dict)  # domain Thresholds fields
    down_scaling: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: the decision's state (domain.load_scaling.ScalingState)
    up_since: Mapped[datetime | None] = mapped_column(default=None)
    down_since: Mapped[datetime | None] = mapped_column(default=None)
    last_action_at: Mapped[datetime | None] = mapped_column(default=None)
    last_action: Mapped[str | None] = mapped_column(String(10), default=None)  # up or down
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MetricSampleRow(Base):
    """One instance's metrics at one moment: a heartbeat's (raw) or a minute's average."""

    __tablename__ = "metric_samples"
    __table_args__ = (
        Index("ix_metric_samples_instance_at", "instance_id", "at"),
        Index("ix_metric_samples_resolution_at", "resolution", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column()  # a minute average: the minute's start
    resolution: Mapped[str] = mapped_column(String(10), default="raw")  # raw or minute
    samples: Mapped[int] = mapped_column(Integer, default=1)  # how many a minute averages
    cpu: Mapped[float | None] = mapped_column(Float, default=None)
    memory: Mapped[float | None] = mapped_column(Float, default=None)
    disk: Mapped[float | None] = mapped_column(Float, default=None)
    load1: Mapped[float | None] = mapped_column(Float, default=None)
    load5: Mapped[float | None] = mapped_column(Float, default=None)
    load15: Mapped[float | None] = mapped_column(Float, default=None)


# --- resources (migration 0005): volumes, snapshots, addresses, registered databases --------


class VolumeRow(Base):
    """A persistent volume of a stack; local volumes are directories under the data dir."""

    __tablename__ = "volumes"
    __table_args__ = (UniqueConstraint("stack_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer, default=1)
    mount_point: Mapped[str | None] = mapped_column(String(255), default=None)
    instance_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    layer_id: Mapped[str | None] = mapped_column(String(36), default=None)
    snapshot_every_hours: Mapped[int] = mapped_column(Integer, default=0)
    snapshot_keep: Mapped[int] = mapped_column(Integer, default=15)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SnapshotRow(Base):
    """An archive of a volume's contents; outlives the volume so it can still be restored."""

    __tablename__ = "volume_snapshots"
    __table_args__ = (Index("ix_volume_snapshots_volume", "volume_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    volume_id: Mapped[str] = mapped_column(String(36))
    volume_name: Mapped[str] = mapped_column(String(63))
    path: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(20), default="manual")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AddressRow(Base):
    """An Elastic IP: a stable address registered with a stack, on at most one instance."""

    __tablename__ = "addresses"
    __table_args__ = (UniqueConstraint("stack_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    ip: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(63))
    instance_id: Mapped[str | None] = mapped_column(String(36), default=None, unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DatabaseRow(Base):
    """A database someone else runs, registered by its connection details."""

    __tablename__ = "registered_databases"
    __table_args__ = (UniqueConstraint("stack_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(63))
    engine: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    database: Mapped[str] = mapped_column(String(63))
    user: Mapped[str] = mapped_column(String(63))
    #: empty since migration 0008: the password is kept encrypted in `password_sealed`
    password: Mapped[str] = mapped_column(Text, default="")
    password_sealed: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- agents and audit (migration 0007) -----------------------------------------------------


class RegistrationTokenRow(Base):
    """A one-time, expiring token that lets one host register as an instance of one stack."""

    __tablename__ = "registration_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    instance_id: Mapped[str | None] = mapped_column(String(36), default=None)


class AuditRow(Base):
    """One change a user asked for: who, when, which route, on what, how it ended, the body.

    Stacks are named, not referenced: the record of a stack's deletion outlives the stack.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_stack_seq", "stack", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    principal: Mapped[str | None] = mapped_column(String(100), default=None)
    stack: Mapped[str | None] = mapped_column(String(63), default=None)
    action: Mapped[str] = mapped_column(String(300))  # "PATCH /stacks/{stack}/apps/{app}"
    target: Mapped[str] = mapped_column(Text, default="")  # the concrete path
    status_code: Mapped[int] = mapped_column(Integer)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the body, masked


# --- the OpsWorks API (migration 0009) ------------------------------------------------------


class AccessKeyRow(Base):
    """A user's access key for the OpsWorks API; the secret encrypted with the server key
    (SigV4 verification needs it in clear, so it cannot be hashed)."""

    __tablename__ = "access_keys"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)  # AKIA...
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_sealed: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="Active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: when the key last signed a request, to the minute (written at most once a minute)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class OpsWorksAttributesRow(Base):
    """What an OpsWorks request gave a stack, layer, instance or app that Stackworks has no
    use for (ServiceRoleArn, InstanceType, ...), kept to be returned as given. Its secrets
    (a cookbook source's password) are in `sealed`, encrypted; deleting the thing deletes it."""

    __tablename__ = "opsworks_attributes"

    resource_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # stack, layer, instance or app
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    layer_id: Mapped[str | None] = mapped_column(
        ForeignKey("layers.id", ondelete="CASCADE"), default=None, index=True
    )
    instance_id: Mapped[str | None] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), default=None, index=True
    )
    app_id: Mapped[str | None] = mapped_column(
        ForeignKey("apps.id", ondelete="CASCADE"), default=None, index=True
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sealed: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ResourceTagRow(Base):
    """A tag (OpsWorks' TagResource) on a stack or a layer; deleting either deletes its tags."""

    __tablename__ = "resource_tags"
    __table_args__ = (UniqueConstraint("resource_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_id: Mapped[str] = mapped_column(String(36), index=True)  # the stack's or layer's id
    stack_id: Mapped[str] = mapped_column(ForeignKey("stacks.id", ondelete="CASCADE"), index=True)
    layer_id: Mapped[str | None] = mapped_column(
        ForeignKey("layers.id", ondelete="CASCADE"), default=None, index=True
    )
    key: Mapped[str] = mapped_column(String(127))
    value: Mapped[str] = mapped_column(String(256), default="")


class LeadershipRow(Base):
    """Which server replica runs the orchestrator: one row, whose epoch grows by one at every
    takeover. The orchestrator's transactions read it FOR SHARE and go on only while the epoch is
    the one they were granted, so a replica that lost the lead cannot write behind its
    successor (store/leadership.py)."""

    __tablename__ = "orchestrator_leadership"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    holder: Mapped[str] = mapped_column(String(200), default="")
    since: Mapped[datetime | None] = mapped_column(default=None)
