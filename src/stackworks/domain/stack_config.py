"""The stack configuration JSON: what every command carries to its instance.

Its shared sections (`layers`, `instances`) are built once per snapshot and travel apart, by
version (domain.shared_configuration); the rest is built for each command.

Built once, when the command is created, from a snapshot of the stack, so each command records
exactly the state it was sent with. The shape is documented in docs/stack-configuration.md.

Attributes merge deep in this order, later winning: stack custom JSON < each of the instance's
layers' custom JSON (in the instance's layer order) < deployment custom JSON. Cookbook default
attributes sit below all of them; the agent merges those in, since the cookbooks live there.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from stackworks import __version__
from stackworks.domain import configuration_secrets, secret_attributes, shared_configuration
from stackworks.domain.attributes import deep_merge, value_at
from stackworks.domain.entities import App, Deployment, Instance, Layer, Stack
from stackworks.domain.resources import Address, RegisteredDatabase, Volume
from stackworks.domain.ssh_access import SshUser
from stackworks.domain.status import InstanceStatus, LayerType

JSON = dict[str, Any]

LOCAL_PROVIDER = "local"
#: providers whose instances run an own supervisord (providers/local.py, providers/ssh.py)
OWN_SUPERVISORD = frozenset({LOCAL_PROVIDER, "ssh"})


def instance_roots(instance: Instance) -> dict[str, str]:
    """Directory roots recipes write under: a local instance's own tree, or the FHS on a host."""
    if instance.root_dir:
        root = instance.root_dir.rstrip("/")
        return {
            "root": root,
            "srv": f"{root}/srv",
            "etc": f"{root}/etc",
            "var": f"{root}/var",
            "log": f"{root}/var/log",
            "run": f"{root}/run",
        }
    return {
        "root": "/",
        "srv": "/srv",
        "etc": "/etc",
        "var": "/var/lib",
        "log": "/var/log",
        "run": "/run",
    }


def service_manager(instance: Instance) -> str:
    """Local and ssh instances run services under their own supervisord; other hosts (a
    registered one) under systemd."""
    return "supervisor" if instance.provider in OWN_SUPERVISORD else "systemd"


@dataclass(frozen=True)
class StackSnapshot:
    """Everything of one stack that a configuration is built from."""

    stack: Stack
    layers: Sequence[Layer]
    apps: Sequence[App]
    instances: Sequence[Instance]
    volumes: Sequence[Volume] = ()
    addresses: Sequence[Address] = ()
    databases: Sequence[RegisteredDatabase] = ()
    #: who may log in to the stack's instances, sorted by username (users with allow_ssh)
    ssh_users: Sequence[SshUser] = ()

    def layer_by_shortname(self, shortname: str) -> Layer | None:
        return next((layer for layer in self.layers if layer.shortname == shortname), None)

    def online_instances(self) -> list[Instance]:
        return [i for i in self.instances if i.status is InstanceStatus.ONLINE]

    @cached_property
    def shared_configuration(self) -> JSON:
        """The sections every instance's configuration shares, built once per snapshot."""
        return build_shared_configuration(self)

    @cached_property
    def configuration_version(self) -> str:
        """The version (digest) of `shared_configuration`."""
        return shared_configuration.digest(self.stack.id, self.shared_configuration)

    def elastic_ip(self, instance: Instance) -> str | None:
        """The address (Elastic IP) associated with `instance`, if any."""
        return next((a.ip for a in self.addresses if a.instance_id == instance.id), None)


def app_layers(app: App, layers: Iterable[Layer]) -> list[str]:
    """The layers an app deploys to: those named on it, or every python-app layer."""
    if app.layers:
        return list(app.layers)
    return [layer.shortname for layer in layers if layer.type is LayerType.PYTHON_APP]


def describe_instance(instance: Instance, elastic_ip: str | None = None) -> JSON:
    return {
        "id": instance.id,
        "hostname": instance.hostname,
        "private_ip": instance.private_ip,
        "elastic_ip": elastic_ip,
        "status": instance.status.value,
        "layers": list(instance.layers),
    }


#: the environment variable a database data source gives an app
DATABASE_URL = "DATABASE_URL"


def describe_volumes(snapshot: StackSnapshot, instance: Instance) -> list[JSON]:
    """The volumes assigned to `instance`: where each one's data is (`path`) and where the
    instance sees it (`mount_path`: the mount point, inside the instance's root when local)."""
    root = instance_roots(instance)["root"].rstrip("/")
    return [
        {
            "id": v.id,
            "name": v.name,
            "mount_point": v.mount_point,
            "mount_path": f"{root}{v.mount_point}",
            "path": v.path,
        }
        for v in snapshot.volumes
        if v.instance_id == instance.id and v.mount_point
    ]


def describe_data_sources(snapshot: StackSnapshot, app: App) -> list[JSON]:
    """The app's registered databases with their connection details (password included)."""
    by_name = {db.name: db for db in snapshot.databases}
    sources = []
    for source in app.data_sources:
        db = by_name.get(source.name)
        if db is None:
            continue  # deregistering refuses while an app uses it; nothing to describe
        sources.append(
            {
                "type": source.type,
                "name": db.name,
                "engine": db.engine.value,
                "host": db.host,
                "port": db.port,
                "database": db.database,
                "user": db.user,
                "password": db.password,
                "url": db.url(),
            }
        )
    return sources


def app_environment(app: App, data_sources: list[JSON]) -> tuple[JSON, list[str]]:
    """The app's environment and its secure keys: its own variables, plus DATABASE_URL (secure)
    from its first database data source unless it sets DATABASE_URL itself."""
    environment = {var.key: var.value for var in app.environment}
    secure = [var.key for var in app.environment if var.secure]
    if data_sources and DATABASE_URL not in environment:
        environment[DATABASE_URL] = data_sources[0]["url"]
        secure.append(DATABASE_URL)
    return environment, secure


def build_shared_configuration(snapshot: StackSnapshot) -> JSON:
    """The sections every instance of the stack gets alike: each layer with its online
    instances, and every online instance (domain.shared_configuration)."""
    online = snapshot.online_instances()
    eips: dict[str, str] = {}
    for address in snapshot.addresses:  # the first one associated, as elastic_ip
        if address.instance_id and address.instance_id not in eips:
            eips[address.instance_id] = address.ip
    described = {i.hostname: describe_instance(i, eips.get(i.id)) for i in online}
    return {
        "layers": {
            layer.shortname: {
                "id": layer.id,
                "name": layer.name,
                "type": layer.type.value,
                "instances": {
                    i.hostname: described[i.hostname] for i in online if layer.shortname in i.layers
                },
            }
            for layer in snapshot.layers
        },
        "instances": described,
    }


def build_configuration(
    snapshot: StackSnapshot,
    instance: Instance,
    *,
    command: JSON,
    deployment: Deployment | None = None,
    deploy_app_ids: Iterable[str] = (),
) -> JSON:
    """The whole configuration one command carries to `instance`: its own part and the
    stack's shared part (built once per snapshot)."""
    own = build_own_configuration(
        snapshot, instance, command=command, deployment=deployment, deploy_app_ids=deploy_app_ids
    )
    return shared_configuration.join(own, snapshot.shared_configuration)


def build_own_configuration(
    snapshot: StackSnapshot,
    instance: Instance,
    *,
    command: JSON,
    deployment: Deployment | None = None,
    deploy_app_ids: Iterable[str] = (),
) -> JSON:
    """The configuration one command carries to `instance` but for the shared sections
    (`layers`, `instances`): its size does not grow with the number of instances.

    `command` is `{"id", "type", "args", "reason"}`; `deploy_app_ids` are the apps whose
    `deploy` flag is set (the apps this command deploys on this instance).
    """
    layer_json = [
        layer.custom_json
        for shortname in instance.layers
        if (layer := snapshot.layer_by_shortname(shortname)) is not None
    ]
    attributes, secret_paths = merged_attributes(
        [snapshot.stack.custom_json, *layer_json, deployment.custom_json if deployment else {}]
    )
    deploy_ids = set(deploy_app_ids)
    sources = {app.id: describe_data_sources(snapshot, app) for app in snapshot.apps}
    environments = {app.id: app_environment(app, sources[app.id]) for app in snapshot.apps}
    on_instance = {
        app.id
        for app in snapshot.apps
        if set(app_layers(app, snapshot.layers)) & set(instance.layers)
    }
    packages: list[str] = []
    for shortname in instance.layers:
        layer = snapshot.layer_by_shortname(shortname)
        for package in layer.packages if layer else ():
            if package not in packages:
                packages.append(package)
    configuration = {
        "stackworks": {
            "version": __version__,
            "service_manager": service_manager(instance),
            "packages": packages,
            "cookbook_sources": [
                {"type": s.type.value, "url": s.url, "ref": s.ref, "pinned_commit": s.pinned_commit}
                for s in snapshot.stack.cookbook_sources
            ],
            "secret_attributes": [list(path) for path in secret_paths],
        },
        "attributes": attributes,
        "stack": {"id": snapshot.stack.id, "name": snapshot.stack.name},
        "apps": {
            app.shortname: {
                "id": app.id,
                "name": app.name,
                "source": {
                    "type": app.source.type.value,
                    "url": app.source.url,
                    "revision": app.source.revision,
                },
                "environment": environments[app.id][0],
                "secure_keys": environments[app.id][1],
                "data_sources": sources[app.id],
                "layers": app_layers(app, snapshot.layers),
                "domains": list(app.domains),
                "attributes": copy.deepcopy(app.attributes),
                "deploy": app.id in deploy_ids,
            }
            for app in snapshot.apps
        },
        "self": {
            **describe_instance(instance, snapshot.elastic_ip(instance)),
            "roots": instance_roots(instance),
            "volumes": describe_volumes(snapshot, instance),
        },
        "ssh_users": [user.to_dict() for user in snapshot.ssh_users],
        "command": dict(command),
        "deployment": (
            {"id": deployment.id, "app_id": deployment.app_id, "comment": deployment.comment}
            if deployment
            else None
        ),
    }
    return _without_other_apps_secrets(configuration, on_instance, snapshot.apps)


def merged_attributes(sources: Sequence[JSON]) -> tuple[JSON, list[secret_attributes.JSONPath]]:
    """The custom JSON levels merged, secrets unwrapped, and the places of the secrets: a place
    any level marks secret stays secret whatever level wins it (masking too much is safe)."""
    marked = {path for source in sources for path in secret_attributes.paths(source)}
    merged = deep_merge(*(secret_attributes.unwrap(source) for source in sources))
    return merged, sorted(
        (p for p in marked if isinstance(value_at(merged, p), str)),
        key=lambda p: [str(x) for x in p],
    )


def _without_other_apps_secrets(
    configuration: JSON, on_instance: set[str], apps: Sequence[App]
) -> JSON:
    """Only an instance an app deploys to gets the app's secrets; the others see FILTERED."""
    for app in apps:
        if app.id not in on_instance:
            section = {"apps": {app.shortname: configuration["apps"][app.shortname]}}
            configuration["apps"][app.shortname] = configuration_secrets.mask(section)["apps"][
                app.shortname
            ]
    return configuration


def mask_configuration(configuration: JSON) -> JSON:
    """A copy fit for people: every secret (secure environment values, database passwords and
    the URLs that hold them, secret custom JSON) replaced by FILTERED."""
    return configuration_secrets.mask(configuration)


def secure_values(configuration: JSON) -> list[str]:
    """Every secure value a configuration carries: what the agent scrubs from its logs."""
    return configuration_secrets.values(configuration)
