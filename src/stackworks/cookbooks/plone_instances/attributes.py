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
        # the buildout build's bootstrap (a venv with these) when the commit has no
        # requirements.txt of its own; zc.buildout 5 installs wheels and sdists through pip
        "buildout_requirements": [
            "zc.buildout==5.2.0",
            "setuptools==80.10.2",
            "wheel==0.44.0",
            "pip==25.3",
        ],
        # where the buildout build keeps eggs/ and downloads/ for every release; None = the
        # app's shared/ (so a buildout_cache_archives item with path shared/eggs fills it)
        "buildout_cache_dir": None,
        # seed 001: the clients use RelStorage on PostgreSQL instead of ZEO (see storage.py)
        "enable_relstorage": False,
        "relstorage": {
            # the database: host, port, dbname, user, password; without a host, the
            # registered PostgreSQL database an app of this layer uses as a data source
            # (`data_source` names one, else the first)
            "db": {},
            "data_source": None,
            # a fixed list of memcached host:port; None = the online instances of
            # `memcached_layer` at `memcached.port`
            "cache_servers": None,
            "memcached_layer": "memcached",
            # memcached key prefix (None = the database name) and the per-client local cache
            "cache_prefix": None,
            "cache_local_mb": 64,
            # history-preserving (undo, packs keep `pack_days`), as ZEO's FileStorage
            "keep_history": True,
            # each client's blob cache when blobs are in the database (no nfs_blobs)
            "blob_cache_size": "512MB",
            # installed into the release venv when enable_relstorage: RelStorage with its
            # PostgreSQL driver and the pure-Python memcache client, pinned (checked with the
            # Plone 6.1 pins of examples/plone/project/constraints.txt)
            "packages": [
                "RelStorage[postgresql]==4.3.0",
                "psycopg2==2.9.13",
                "python-memcached==1.62",
                "perfmetrics==4.3.0",
            ],
        },
        # seed 001: Celery. The app's init programs get CELERY_BROKER_URL: the fixed `broker`
        # ({host, port, db}) or the first online instance of `broker_layer` at `redis.port`
        "enable_celery": False,
        "broker_layer": "redis",
        "broker": None,
    }
}
