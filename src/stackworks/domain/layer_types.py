"""What each layer type brings: the built-in recipes it runs for each event or command.

A layer's run list for an event is its type's recipes here followed by its custom recipes.
Commands that are not lifecycle events (start, stop, restart, rollback) have built-in run
lists only.
"""

from __future__ import annotations

from collections.abc import Mapping

from stackworks.domain.status import LayerType

#: built-in run lists per layer type, keyed by event or command name
DEFAULT_RECIPES: Mapping[LayerType, Mapping[str, tuple[str, ...]]] = {
    LayerType.CUSTOM: {},
    LayerType.LB: {
        "setup": ("haproxy::setup",),
        "configure": ("haproxy::configure",),
        "deploy": ("haproxy::configure",),
        "shutdown": ("haproxy::stop",),
        "start": ("haproxy::configure",),
        "restart": ("haproxy::configure",),
        "stop": ("haproxy::stop",),
    },
    # seed 001's front end: nginx -> Varnish -> HAProxy, in front of the plone-instances
    # layers; setup configures all three, a deploy re-wires HAProxy only (as the seed does)
    LayerType.PLONE_FRONTEND: {
        "setup": (
            "haproxy::setup",
            "varnish::setup",
            "nginx::setup",
            "haproxy::configure",
            "varnish::configure",
            "nginx::configure",
        ),
        "configure": ("haproxy::configure", "varnish::configure", "nginx::configure"),
        "deploy": ("haproxy::configure",),
        "shutdown": ("nginx::stop", "varnish::stop", "haproxy::stop"),
        "start": ("haproxy::configure", "varnish::configure", "nginx::configure"),
        "restart": ("haproxy::configure", "varnish::restart", "nginx::configure"),
        "stop": ("nginx::stop", "varnish::stop", "haproxy::stop"),
    },
    LayerType.PYTHON_APP: {
        "setup": ("python_app::setup",),
        "configure": ("python_app::configure",),
        "deploy": ("python_app::deploy",),
        "undeploy": ("python_app::undeploy",),
        "shutdown": ("python_app::stop",),
        "rollback": ("python_app::rollback",),
        "start": ("python_app::start",),
        "stop": ("python_app::stop",),
        "restart": ("python_app::restart",),
    },
    LayerType.ZEOSERVER: {
        "setup": ("zeoserver::setup",),
        "configure": ("zeoserver::configure",),
        "deploy": ("zeoserver::deploy",),
        "shutdown": ("zeoserver::stop",),
        "start": ("zeoserver::configure",),
        "stop": ("zeoserver::stop",),
        "restart": ("zeoserver::restart",),
    },
    LayerType.PLONE_INSTANCES: {
        "setup": ("plone_instances::setup",),
        "configure": ("plone_instances::configure",),
        "deploy": ("plone_instances::deploy",),
        "undeploy": ("plone_instances::undeploy",),
        "shutdown": ("plone_instances::stop",),
        "start": ("plone_instances::start",),
        "stop": ("plone_instances::stop",),
        "restart": ("plone_instances::restart",),
    },
    # seed 001: "a Memcached layer, with the default settings", RelStorage's cache servers
    LayerType.MEMCACHED: {
        "setup": ("memcached::setup",),
        "configure": ("memcached::configure",),
        "shutdown": ("memcached::stop",),
        "start": ("memcached::configure",),
        "restart": ("memcached::configure",),
        "stop": ("memcached::stop",),
    },
    # seed 001's Redis layer (`redis::default` on setup): the Celery broker
    LayerType.REDIS: {
        "setup": ("redis::setup",),
        "configure": ("redis::configure",),
        "shutdown": ("redis::stop",),
        "start": ("redis::configure",),
        "restart": ("redis::configure",),
        "stop": ("redis::stop",),
    },
}

#: Run before everything else on setup, install_dependencies and update_dependencies:
#: installs the layers' OS packages (`stackworks.packages` in the configuration).
PACKAGES_RECIPE = "stackworks::packages"

#: Run first of all on setup: links the instance's volumes (`self.volumes` in the
#: configuration) at their mount points, so every later recipe finds their data in place.
VOLUMES_RECIPE = "stackworks::volumes"

#: Run on setup (after the packages) and first on configure, whatever the layer's type: the
#: Unix accounts of the stack's SSH users (`ssh_users` in the configuration), so a change to
#: who may log in reaches every instance with the configure it triggers.
SSH_USERS_RECIPE = "stackworks::ssh_users"
