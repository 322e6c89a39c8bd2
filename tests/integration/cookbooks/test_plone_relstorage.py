"""RelStorage, memcached, Redis and Celery on real local instances: two pip-built Plone
clients store the ZODB in a real PostgreSQL (a registered database given to the app as its
data source) and share object states through a real memcached found from the `memcached`
layer; the app's init command runs a real Celery worker that finds its broker, a real
redis-server, from the `redis` layer and runs a task sent through it.

One test, because the Plone build is the expensive part (about a minute and a half with pip's
cache warm, RelStorage, psycopg2 and Celery included): every check after it reuses that build.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from integration.cookbooks import plone_stack
from integration.cookbooks.cookbook_instances import Instance, commit, git
from integration.cookbooks.plone_stack import run
from support.postgres import PostgresServer
from support.processes import port_accepts, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.plone,
    pytest.mark.postgres,
    pytest.mark.timeout(600),
]

PROJECT = Path(__file__).resolve().parents[3] / "examples" / "plone" / "project"
MEMCACHED_PORT = 18511
REDIS_PORT = 18512
BASE_PORT = 18520
ADMIN_PASSWORD = "plone-rs-admin-secret"
DB_PASSWORD = "pg-rs-s3cret$'x"  # a quote and a dollar: both must survive the dsn
TASKS = '''"""A tiny Celery app: its broker is what the cookbook gives it."""
import os
from pathlib import Path

from celery import Celery

app = Celery("tasks", broker=os.environ["CELERY_BROKER_URL"])


@app.task
def record(path, text):
    Path(path).write_text(text)
'''
WORKER = {
    "name": "celery",
    "cmd": "celery",
    "args": "-A tasks worker --pool solo --concurrency 1 --without-gossip --without-mingle",
}


def configuration(
    me: Instance, instances: list[Instance], repo: Path, database: dict[str, Any]
) -> dict[str, Any]:
    """A stack configuration (the shape stack_config builds) for `me`."""
    return plone_stack.configuration(
        me,
        instances,
        layer_types={
            "memcached": "memcached",
            "redis": "redis",
            "plone_instances": "plone-instances",
        },
        attributes={
            "memcached": {"port": MEMCACHED_PORT, "memory": 16},
            "redis": {"port": REDIS_PORT},
            "plone_instances": {
                "instance_count": 2,
                "base_port": BASE_PORT,
                "enable_relstorage": True,
                "enable_celery": True,
            },
            "deploy": {"plone_instances": {"buildout_init_commands": [WORKER]}},
        },
        app={
            "source": plone_stack.source(repo),
            "environment": {"PLONE_ADMIN_PASSWORD": ADMIN_PASSWORD},
            "data_sources": [database],
            "layers": ["plone_instances"],
        },
    )


def request(
    host: str, port: int, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    return plone_stack.request(host, port, method, path, ADMIN_PASSWORD, body)


def page_title(host: str, port: int) -> str | None:
    return plone_stack.title(host, port, "/Plone/rs-proof", ADMIN_PASSWORD)


def memcached_sets(host: str, port: int) -> int:
    """memcached's own count of the values stored in it (`stats` over its text protocol)."""
    with socket.create_connection((host, port), timeout=5) as connection:
        connection.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
    for line in data.decode().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "cmd_set":
            return int(parts[2])
    raise AssertionError(f"no cmd_set in memcached stats: {data[:200]!r}")


def test_plone_clients_on_relstorage_share_pages_and_celery_runs_a_task_through_redis(
    make_instance: Callable[[str, str, list[str]], Instance],
    postgres_server: PostgresServer,
    tmp_path: Path,
) -> None:
    dbname = postgres_server.create_database()
    with postgres_server.connect_admin() as admin:
        admin.execute(b"CREATE ROLE plone_rs LOGIN PASSWORD 'unused-under-trust'")
        admin.execute(f'ALTER DATABASE "{dbname}" OWNER TO plone_rs'.encode())
    database = {
        "type": "database",
        "name": "zodb",
        "engine": "postgresql",
        "host": "127.0.0.1",
        "port": postgres_server.port,
        "database": dbname,
        "user": "plone_rs",
        "password": DB_PASSWORD,
        "url": "unused",
    }
    cache = make_instance("mc1", "127.77.212.1", ["memcached"])
    broker = make_instance("redis1", "127.77.212.2", ["redis"])
    plone = make_instance("plone1", "127.77.212.3", ["plone_instances"])
    stack = [cache, broker, plone]
    repo = tmp_path / "plone-project"
    shutil.copytree(PROJECT, repo)
    (repo / "tasks.py").write_text(TASKS)
    with (repo / "requirements.txt").open("a") as requirements:
        requirements.write("celery[redis]==5.5.3\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "a Plone 6 project with a Celery app")
    lines: list[str] = []
    try:
        run(["memcached::setup"], configuration(cache, stack, repo, database), lines)
        run(["redis::setup"], configuration(broker, stack, repo, database), lines)
        assert port_accepts(cache.private_ip, MEMCACHED_PORT)
        assert port_accepts(broker.private_ip, REDIS_PORT)
        assert not port_accepts("127.0.0.1", REDIS_PORT)  # the private address only

        config = configuration(plone, stack, repo, database)
        run(["plone_instances::setup", "plone_instances::deploy"], config, lines)
        log = "\n".join(lines)
        assert DB_PASSWORD not in log and ADMIN_PASSWORD not in log
        home = Path(plone.roots["srv"]) / "www/plone_instances/shared/clients/client1"
        zope_conf = home / "etc/zope.conf"
        assert zope_conf.stat().st_mode & 0o777 == 0o600
        assert f"cache-servers {cache.private_ip}:{MEMCACHED_PORT}" in zope_conf.read_text()

        one, two = BASE_PORT + 1, BASE_PORT + 2
        before = memcached_sets(cache.private_ip, MEMCACHED_PORT)
        status, created = request(
            plone.private_ip,
            one,
            "POST",
            "/Plone",
            {"@type": "Document", "id": "rs-proof", "title": "Written through client 1"},
        )
        assert status == 201, created
        # client 2 is another process: it reads the page from PostgreSQL (or memcached)
        wait_until(
            lambda: page_title(plone.private_ip, two) == "Written through client 1",
            timeout=30,
            what="the page through client 2",
        )
        assert memcached_sets(cache.private_ip, MEMCACHED_PORT) > before
        with psycopg.connect(
            host="127.0.0.1", port=postgres_server.port, user="stackworks", dbname=dbname
        ) as connection:
            row = connection.execute("SELECT count(*) FROM object_state").fetchone()
        assert row is not None and int(row[0]) > 0  # the ZODB is in PostgreSQL

        # the init command: a Celery worker whose broker is the redis layer's instance
        app_dir = Path(plone.roots["srv"]) / "www/plone_instances"
        broker_env = (app_dir / "shared/broker.env").read_text()
        assert broker_env == f"CELERY_BROKER_URL=redis://{broker.private_ip}:{REDIS_PORT}/0\n"
        assert "RUNNING" in plone.supervisorctl("status", "plone_instances-celery")
        done = tmp_path / "task-done"
        release = app_dir / "current"
        subprocess.run(
            [
                str(release / ".venv/bin/python"),
                "-c",
                f"import tasks; tasks.record.delay({str(done)!r}, 'ran in the worker')",
            ],
            cwd=release,
            env={
                "PATH": "/usr/bin:/bin",
                "CELERY_BROKER_URL": broker_env.strip().split("=", 1)[1],
                "HOME": str(tmp_path),
            },
            timeout=60,
            check=True,
        )
        wait_until(done.exists, timeout=60, what="the Celery task to run")
        assert done.read_text() == "ran in the worker"

        # the same stack again: nothing restarts, neither the clients nor the worker
        again = run(["plone_instances::configure"], config, lines)
        assert [r.name for r in again.resources if r.status == "changed"] == []
    finally:
        postgres_server.drop_database(dbname)
        with postgres_server.connect_admin() as admin:
            admin.execute(b"DROP ROLE IF EXISTS plone_rs")
