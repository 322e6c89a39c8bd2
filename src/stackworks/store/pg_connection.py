"""Dedicated PostgreSQL connections, outside SQLAlchemy's pool, for what must live on one
connection for a replica's whole life: the election lock and the LISTEN of wake-ups.

Their TCP keepalives and user timeout are short on both ends, so a dead peer is noticed in
seconds rather than the kernel's two hours: the server side ends the session of a replica whose
machine vanished (releasing its advisory lock), and the replica's own next call on a connection
the network dropped fails within USER_TIMEOUT_MS instead of hanging.
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
#: the same limits for the server's end of the session (PostgreSQL's own settings)
_SERVER_SIDE = (
    "SET tcp_keepalives_idle = 1; SET tcp_keepalives_interval = 1; "
    "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 3000"
)


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
    connection = psycopg.connect(
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT,
        tcp_user_timeout=USER_TIMEOUT_MS,
        **KEEPALIVES,
        **params,
    )
    connection.execute(_SERVER_SIDE.encode())
    return connection
