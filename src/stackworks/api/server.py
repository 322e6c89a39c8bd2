"""`stackworks server`: one process with the API, the orchestrator and the database.

On SQLite it runs alone (store/replica_lock.py refuses a second server on the file); on
PostgreSQL any number of replicas share the database, and one of them at a time runs the
orchestrator (control/leadership.py, docs/high-availability.md).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stackworks.control.settings import Settings
from stackworks.opsworks import ENDPOINT_PATH as OPSWORKS_PATH
from stackworks.store import data_dir_lock, replica_lock, sealing, tokens
from stackworks.store import keyring as keyrings
from stackworks.store import users as user_store
from stackworks.store.db import Database, serialize, sqlite_url
from stackworks.tls import check_server_files

ADMIN_TOKEN_FILE = "admin-token"
ADMIN_TOKEN_NAME = "admin"
DEFAULT_LISTEN = "127.0.0.1:8700"
#: seconds an idle keep-alive connection stays open: past the default heartbeat interval (5 s)
#: and a long-poll's longest wait (60 s), so an agent's connections are reused rather than
#: closed under it and opened again for nearly every heartbeat (uvicorn's default is 5 s)
KEEP_ALIVE = 75
#: connections the kernel holds for the server to accept: thousands of agents connecting at
#: once (a fleet's first configure, a restart) overflowed uvicorn's 2,048 by the hundred
#: thousand at 5,000 agents (TcpExtListenOverflows), each dropped connect retried seconds
#: later; Linux caps it at net.core.somaxconn (4,096 by default)
ACCEPT_BACKLOG = 4096

log = logging.getLogger("stackworks.server")


@dataclass(frozen=True)
class ServerTls:
    """The server's certificate and key (PEM), and the CA file its local agents trust: by
    default the certificate itself (self-signed, or its chain's first link)."""

    cert_file: Path
    key_file: Path
    ca_file: Path | None = None

    @property
    def agent_ca_file(self) -> Path:
        return (self.ca_file or self.cert_file).resolve()


def parse_listen(listen: str) -> tuple[str, int]:
    """`HOST:PORT` -> (host, port); a clear ValueError naming the option otherwise."""
    host, sep, port = listen.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--listen: expected HOST:PORT, got {listen!r}")
    return host.strip("[]"), int(port)


def ensure_admin_token(db: Database, data_dir: Path) -> Path | None:
    """On first start, make the first server admin, user `admin`, with a token also named
    `admin`, kept in a 0600 file; returns the file if new. A server with any user already has
    its admin (and may have renamed or replaced the first one), so nothing is made then."""
    path = data_dir / ADMIN_TOKEN_FILE
    written = path.with_name(f".{ADMIN_TOKEN_FILE}.new")
    with db.transaction() as session:
        serialize(session)  # replicas starting together: only the first makes the admin
        if user_store.any_exist(session):
            return None
        admin = user_store.create(session, ADMIN_TOKEN_NAME, is_admin=True)
        token, _ = tokens.create(session, admin.id, ADMIN_TOKEN_NAME)
        # written before the commit (a failure leaves no admin without its token), shown under
        # its name only once whole and committed: whoever waits for the file reads the token
        fd = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token + "\n")
    os.chmod(written, 0o600)
    os.replace(written, path)
    return path


def build_providers(data_dir: Path, db: Database) -> dict[str, Any]:
    from stackworks.providers import get_provider
    from stackworks.providers.registered import RegisteredProvider
    from stackworks.providers.ssh import SshProvider
    from stackworks.store.ssh_hosts import HostBook

    return {
        "local": get_provider("local", data_dir=data_dir),
        "registered": RegisteredProvider(),
        "ssh": SshProvider(data_dir, HostBook(db)),
    }


@dataclass(frozen=True)
class Replication:
    """How this server stands among replicas: its name, and the URL its local instances'
    agents call (behind a load balancer: the balancer's, so they reach whichever replica
    answers; default: this server's own --listen address)."""

    replica: str | None = None
    agent_url: str | None = None


def prepare(
    data_dir: Path,
    listen: str,
    database_url: str | None,
    tls: ServerTls | None = None,
    replication: Replication | None = None,
) -> tuple[Database, Settings]:
    """Check the TLS files, make the data dir, load (or make) the server key, migrate the
    database, encrypt what an older version kept in clear, make the admin token: all a server
    needs. On SQLite, refuse to start beside another server on the same database file."""
    replication = replication or Replication()
    host, port = parse_listen(listen)
    if tls is not None:
        check_server_files(tls.cert_file, tls.key_file)
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    data_dir_lock.hold(data_dir, exclusive=False)  # kept for the process's life
    url = database_url or default_database_url(data_dir)
    replica_lock.hold(url)  # kept for the process's life (SQLite only)
    keyring, key_source = keyrings.load(data_dir, os.environ)
    log.info("server key from %s", key_source)
    db = Database(url, keyring)
    db.upgrade()
    with db.transaction() as session:
        sealed = sealing.seal_clear_values(session)
    if sealed:
        log.info("encrypted the secrets of %d rows stored in clear before", sealed)
    created = ensure_admin_token(db, data_dir)
    if created:
        print(f"Admin API token written to {created} (mode 0600).", flush=True)
    agent_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    scheme = "https" if tls is not None else "http"
    settings = Settings(
        data_dir=data_dir,
        server_url=(replication.agent_url or f"{scheme}://{agent_host}:{port}").rstrip("/"),
        database_url=url,
        agent_ca_file=tls.agent_ca_file if tls is not None else None,
        replica=replication.replica or f"{socket.gethostname()}:{port}",
    )
    return db, settings


def default_database_url(data_dir: Path) -> str:
    return sqlite_url(data_dir / "stackworks.db")


def run_server(
    data_dir: Path,
    listen: str = DEFAULT_LISTEN,
    database_url: str | None = None,
    tls: ServerTls | None = None,
    replication: Replication | None = None,
) -> None:
    import uvicorn

    from stackworks.api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    db, settings = prepare(data_dir, listen, database_url, tls, replication)
    host, port = parse_listen(listen)
    app = create_app(db, settings, build_providers(settings.data_dir, db))
    scheme = "https" if tls is not None else "http"
    print(
        f"Stackworks server on {scheme}://{host}:{port} (API /api/v1, docs /docs), "
        f"data in {settings.data_dir}, replica {settings.replica}",
        flush=True,
    )
    print(
        f"OpsWorks API on {scheme}://{host}:{port}{OPSWORKS_PATH} "
        "(boto3 endpoint_url; keys: stackworks user access-key create NAME)",
        flush=True,
    )
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=5,
        timeout_keep_alive=KEEP_ALIVE,
        backlog=ACCEPT_BACKLOG,
        ssl_certfile=str(tls.cert_file) if tls is not None else None,
        ssl_keyfile=str(tls.key_file) if tls is not None else None,
    )
