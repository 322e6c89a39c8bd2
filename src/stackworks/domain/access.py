"""Who may do what: the roles an API token carries (OpsWorks' Manage and Deploy levels)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything: stacks, layers, apps, instances, tokens, deployments
    DEPLOY = "deploy"  # read everything and create deployments: what a CI job needs


@dataclass(frozen=True)
class Principal:
    """The caller behind a user token."""

    name: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
