"""The managed-users state of stackworks::ssh_users: which accounts it created, so it removes
those and never one it did not create. A JSON file under the instance's var root:

    {"users": {"alice": {"uid": 2000}, "bob": {"uid": 2001}}}

The uid matters on local instances only, where the accounts live in the instance's own
`etc/passwd`-like file: each keeps the uid it was first given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

FIRST_UID = 2000


def read_state(path: Path) -> dict[str, int]:
    """username -> uid of the accounts managed so far (none when the file is missing)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read the managed-users state: {exc}") from None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict):
        raise ValueError(f"{path}: not a managed-users state (no 'users' object)")
    return {str(name): int(entry.get("uid", 0)) for name, entry in users.items()}


def with_uids(known: Mapping[str, int], names: Iterable[str]) -> dict[str, int]:
    """`names` with their uids: a known one keeps its uid, a new one gets the next free."""
    assigned = dict(known)
    result: dict[str, int] = {}
    for name in names:
        if name not in assigned:
            assigned[name] = max([FIRST_UID - 1, *assigned.values()]) + 1
        result[name] = assigned[name]
    return result


def state_text(users: Mapping[str, int]) -> str:
    body = {"users": {name: {"uid": uid} for name, uid in sorted(users.items())}}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def passwd_text(users: Mapping[str, int], home_root: str, shell: str) -> str:
    """A local instance's `etc/passwd`-like file: one line for each managed account."""
    return "".join(
        f"{name}:x:{uid}:{uid}:stackworks ssh user:{home_root}/{name}:{shell}\n"
        for name, uid in sorted(users.items())
    )


def sudoers_text(username: str) -> str:
    return (
        "# written by stackworks::ssh_users; removed with the account\n"
        f"{username} ALL=(ALL:ALL) NOPASSWD: ALL\n"
    )
