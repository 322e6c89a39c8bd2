"""PostgreSQL connections that notice a vanished peer in seconds: the dedicated ones, outside
SQLAlchemy's pool, for what must live on one connection for a replica's whole life (the
election lock, the LISTEN of wake-ups), and the pool's own (`CONNECT_ARGS`, store/db.py).

Their TCP keepalives and user timeout are short on both ends, rather than the kernel's two
hours: the server ends the sessions of a replica whose machine or network vanished within
about 4 s, which frees its advisory lock and ends any transaction it had open (a deposed
leader's share lock on the leadership row would otherwise hold off its successor's claim);
and the replica's own next call on a connection the network dropped fails within
USER_TIMEOUT_MS instead of hanging.
"""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy.engine import make_url

#: client side: probe an idle connection after 1 s, every 1 s, give up after 3 probes
KEEPALIVES: dict[str, Any] = {
    "keepalives": 1,
    "keepalives_idle": 1,
    "keepalives_interval": 1,
    "keepalives_count": 3,
}
#: milliseconds sent data may stay unacknowledged before the connection counts as dead
USER_TIMEOUT_MS = 3000
CONNECT_TIMEOUT = 3
#: the same limits for the server's end of each session (PostgreSQL's own settings)
SERVER_OPTIONS = (
    "-c tcp_keepalives_idle=1 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3 "
    f"-c tcp_user_timeout={USER_TIMEOUT_MS}"
)
#: libpq parameters of every connection, the pool's included
CONNECT_ARGS: dict[str, Any] = {
    **KEEPALIVES,
    "tcp_user_timeout": USER_TIMEOUT_MS,
    "connect_timeout": CONNECT_TIMEOUT,
    "options": SERVER_OPTIONS,
}


def connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection to the database of the SQLAlchemy `url` (postgresql+psycopg)."""
    parsed = make_url(url)
    params: dict[str, Any] = {
        key: value
        for key, value in {
            "host": parsed.host,
            "port": parsed.port,
            "user": parsed.username,
            "password": parsed.password,
            "dbname": parsed.database,
        }.items()
        if value is not None
    }
    params.update({key: value for key, value in parsed.query.items() if isinstance(value, str)})
    return psycopg.connect(autocommit=True, **{**CONNECT_ARGS, **params})
