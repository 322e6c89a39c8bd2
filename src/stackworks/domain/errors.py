"""The domain's errors. The API maps each to one HTTP status in one place (`api/errors.py`).

DomainError
 ├── InvalidInput     (422) a field's value is wrong; names the field
 ├── NotFound         (404) an unknown stack, layer, app, instance, deployment
 ├── Conflict         (409) a duplicate name, or an action the current state forbids
 ├── Forbidden        (403) a credential acting outside its scope
 └── Unauthenticated  (401) a token that is unknown, used, expired or revoked
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; never shown with a traceback."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    pass


class NotFound(DomainError):
    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind} {name!r} not found", field=kind)
        self.kind = kind
        self.name = name


class Conflict(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Unauthenticated(DomainError):
    pass
