"""Default attributes of the `plone_instances` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "plone_instances": {
        # ZEO clients per instance: `instance_count` if set, else `per_cpu` x CPU count
        "instance_count": None,
        "per_cpu": 2,
        # CPU count used for the above; None = os.cpu_count() of the host running the recipe
        "cpu_count": None,
        # client k (1..N) listens on the instance's private address at base_port + k
        "base_port": 8080,
        # what a client must answer (2xx/3xx) before the next one is restarted
        "health_check_url": "/",
        "health_check_method": "HEAD",
        # seconds a restarted client may take to answer its health check
        "health_check_timeout": 180,
        # a page each restarted client is asked for once, right after its health check, so
        # its first visitors do not pay for the templates and objects it loads cold; None =
        # the site's root (`/<site_id>`), "" = no warm-up. Any answer will do.
        "warmup_url": None,
        # seed 001's `restart_delay`: seconds between a restarted client answering (and being
        # warmed up) and the next client's restart, so the front end's checks see it up first;
        # None = (haproxy.rise + 1) x haproxy.check_interval, the stack's or HAProxy's defaults
        # (0 when no plone-frontend or lb layer has instances: nobody's checks to wait for)
        "restart_delay": None,
        # the layer whose online instances are the ZEO servers (their `zeoserver.port`)
        "zeo_layer": "zeoserver",
        # a directory shared by the ZEO server and every client for blobs; None = each
        # client keeps a blob cache and blobs stream from the ZEO server
        "nfs_blobs": None,
        # objects in each client's ZODB cache
        "zodb_cache_size": 30000,
        # each client's ZEO cache on disk, kept across restarts
        "persistent_cache": True,
        # size of that ZEO client cache
        "zeo_client_cache_size": "128MB",
        # threads per client serving requests
        "zserver_threads": 2,
        # the Plone site created once with plone.restapi (see plone_instances::create_site)
        "site_id": "Plone",
        "site_extensions": ["plone.app.contenttypes:default", "plone.restapi:default"],
        # the Zope manager the site creation adds when the app's environment has
        # PLONE_ADMIN_PASSWORD (give it as a secure value)
        "admin_user": "admin",
        # complete releases kept on disk (the current one included)
        "keep_releases": 3,
        # interpreter the release virtualenvs are made from; None = the agent's own
        "python": None,
        # seconds the dependency install and the site creation may take
        "install_timeout": 1200,
        # seconds a fetch of the app's repository may take
        "fetch_timeout": 300,
    }
}
