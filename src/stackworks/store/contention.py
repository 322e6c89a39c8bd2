"""Transactions the database ends so that others can go on: a deadlock PostgreSQL broke
(SQLSTATE 40P01) or a serialization failure (40001).

Such an error says nothing about the request: it lost a race with another transaction, and
the same request a moment later may well succeed. The callers that own a whole request (the
API's error mapping, the OpsWorks endpoint) answer it 503 with `Retry-After` rather than 500;
they do not re-run it themselves, since a handler may have done more than its transaction by
then (a provider call, a wake-up sent).
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

#: SQLSTATEs of a transaction rolled back for another's sake (PostgreSQL class 40)
GAVE_WAY = frozenset({"40P01", "40001"})

#: seconds a caller is asked to wait before sending the request again
RETRY_AFTER = 1


def gave_way(error: BaseException) -> bool:
    """Whether `error` is the database rolling the transaction back for another's sake."""
    if not isinstance(error, DBAPIError):
        return False
    return getattr(error.orig, "sqlstate", None) in GAVE_WAY
