"""Default attributes of the `python_app` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "python_app": {
        # web processes per instance: `instance_count` if set, else `per_cpu` x CPU count
        "instance_count": None,
        "per_cpu": 2,
        # CPU count used for the above; None = os.cpu_count() of the host running the recipe
        "cpu_count": None,
        # web copy n (1..N) listens on base_port + n
        "base_port": 8000,
        # seconds between restarts of one instance's processes
        "restart_delay": 0,
        # complete releases kept on disk (the current one included)
        "keep_releases": 5,
        # interpreter the release virtualenvs are created from; None = the agent's own
        "python": None,
        # seconds a dependency install may take
        "install_timeout": 900,
        # seconds a fetch of the app's repository may take
        "fetch_timeout": 300,
        # default command of the `web` process when the Procfile has none
        "default_web": "gunicorn wsgi:application",
    }
}
