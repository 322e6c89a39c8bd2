"""The enumerations of the OpsWorks model that Stackworks keeps: statuses, command names, types."""

from __future__ import annotations

from enum import StrEnum


class InstanceStatus(StrEnum):
    """Where an instance is in its life. The values are OpsWorks' own."""

    REQUESTED = "requested"  # start asked for; the provider has not been called yet
    PENDING = "pending"  # the provider is making the instance real
    BOOTING = "booting"  # processes started; waiting for the agent's first heartbeat
    RUNNING_SETUP = "running_setup"  # setup (then deploy) recipes are running
    ONLINE = "online"  # serving; part of every configure's stack state
    SETUP_FAILED = "setup_failed"  # setup or its deploy failed; the agent still runs
    START_FAILED = "start_failed"  # the provider could not start it, or the agent never called
    STOPPING = "stopping"  # shutdown recipes are running
    SHUTTING_DOWN = "shutting_down"  # the provider is ending the instance's processes
    STOPPED = "stopped"  # nothing runs; the root is kept
    CONNECTION_LOST = "connection_lost"  # was online, then heartbeats stopped
    REBOOTING = "rebooting"  # its processes are being ended and started again
    TERMINATING = "terminating"  # being deleted
    TERMINATED = "terminated"  # deleted; kept only in history

    @property
    def agent_running(self) -> bool:
        """Whether an agent is expected to be polling for commands in this status."""
        return self in _AGENT_STATUSES


_AGENT_STATUSES = frozenset(
    {
        InstanceStatus.BOOTING,
        InstanceStatus.RUNNING_SETUP,
        InstanceStatus.ONLINE,
        InstanceStatus.SETUP_FAILED,
        InstanceStatus.STOPPING,
        InstanceStatus.CONNECTION_LOST,
    }
)


class ScalingType(StrEnum):
    """When an instance runs: always, on its weekly schedule, or when its layer's load asks."""

    ALWAYS = "24/7"  # started and stopped by people only
    TIME = "time"  # started and stopped by its weekly schedule (OpsWorks' time-based)
    LOAD = "load"  # started and stopped by its layer's load thresholds (OpsWorks' load-based)


class EventKind(StrEnum):
    """What a stack event is about (`stackworks events`)."""

    LIFECYCLE = "lifecycle"  # an instance was lost, came back, or failed to start
    HEALING = "healing"  # auto-healing replaced (or gave up on) an instance
    SCALING = "scaling"  # load-based scaling started or stopped instances
    SCHEDULE = "schedule"  # a time-based instance's schedule started or stopped it
    RESOURCE = "resource"  # a volume, address or database changed
    STACK = "stack"  # the whole stack was started or stopped


class CommandStatus(StrEnum):
    """A command's outcome on one instance (OpsWorks' DescribeCommands)."""

    PENDING = "pending"  # created, maybe sent, not finished
    SUCCESSFUL = "successful"
    FAILED = "failed"
    SKIPPED = "skipped"  # superseded by a newer command of the same kind before it started

    @property
    def finished(self) -> bool:
        return self is not CommandStatus.PENDING


class DeploymentStatus(StrEnum):
    RUNNING = "running"
    SUCCESSFUL = "successful"
    FAILED = "failed"


class CommandName(StrEnum):
    """The commands a deployment (or the lifecycle) sends to instances: OpsWorks' names."""

    DEPLOY = "deploy"
    ROLLBACK = "rollback"
    UNDEPLOY = "undeploy"
    START = "start"
    STOP = "stop"
    RESTART = "restart"
    SETUP = "setup"
    CONFIGURE = "configure"
    SHUTDOWN = "shutdown"  # lifecycle only: sent when an instance is stopped
    EXECUTE_RECIPES = "execute_recipes"
    UPDATE_CUSTOM_COOKBOOKS = "update_custom_cookbooks"
    INSTALL_DEPENDENCIES = "install_dependencies"
    UPDATE_DEPENDENCIES = "update_dependencies"

    @property
    def needs_app(self) -> bool:
        """Commands that act on one app and so need `--app`."""
        return self in {CommandName.DEPLOY, CommandName.ROLLBACK, CommandName.UNDEPLOY}


#: Commands a user may send through a deployment (shutdown belongs to the lifecycle).
DEPLOYMENT_COMMANDS = frozenset(CommandName) - {CommandName.SHUTDOWN}


class LifecycleEvent(StrEnum):
    """The five layer events that carry a recipe run list."""

    SETUP = "setup"
    CONFIGURE = "configure"
    DEPLOY = "deploy"
    UNDEPLOY = "undeploy"
    SHUTDOWN = "shutdown"


class LayerType(StrEnum):
    """`custom` brings no recipes; the others bring their built-in cookbook's defaults."""

    CUSTOM = "custom"
    LB = "lb"
    PYTHON_APP = "python-app"
    PLONE_FRONTEND = "plone-frontend"  # nginx -> Varnish -> HAProxy on one instance
    ZEOSERVER = "zeoserver"  # a ZEO server for Plone clients (cookbook zeoserver)
    PLONE_INSTANCES = "plone-instances"  # Plone ZEO clients, pip-built (cookbook plone_instances)
    MEMCACHED = "memcached"  # memcached for RelStorage's shared cache (cookbook memcached)
    REDIS = "redis"  # redis-server, e.g. the Celery broker (cookbook redis)


class SourceType(StrEnum):
    GIT = "git"
    ARCHIVE = "archive"


class CookbookSourceType(StrEnum):
    BUILTIN = "builtin"
    PATH = "path"
    GIT = "git"
