"""Users and their API tokens, as the store returns them (never a token or a password hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from stackworks.domain.access import Level, Principal


class TokenKind(StrEnum):
    API = "api"  # made on request (`stackworks user token`), expiring only if asked to
    LOGIN = "login"  # made by the console's login, always expiring


@dataclass(frozen=True)
class User:
    id: str
    name: str
    is_admin: bool
    default_level: Level
    ssh_username: str | None
    ssh_public_key: str | None
    has_password: bool
    created_at: datetime | None

    def principal(self) -> Principal:
        return Principal(
            user_id=self.id,
            name=self.name,
            is_admin=self.is_admin,
            default_level=self.default_level,
        )


@dataclass(frozen=True)
class ApiToken:
    """What is known of a token after it was shown once: its name and times, not its value."""

    name: str
    kind: TokenKind
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
