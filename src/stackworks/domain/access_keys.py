"""Access keys: the AWS-style credentials a user signs OpsWorks API requests with (SigV4).

A key is an id (`AKIA` and 16 characters of the base-32 alphabet, as AWS's look, so scripts
and tools that check the form accept it) and a secret that is shown once, when the key is made.
The server keeps the secret encrypted, not hashed: verifying a signature needs the secret itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

KEY_ID_PREFIX = "AKIA"
KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
KEY_ID_LENGTH = 20
#: at most this many keys per user, as AWS allows two per IAM user (room to rotate)
MAX_KEYS_PER_USER = 2

_KEY_ID = re.compile(rf"^{KEY_ID_PREFIX}[{KEY_ID_ALPHABET}]{{16}}$")


class AccessKeyStatus(StrEnum):
    ACTIVE = "Active"  # signs requests
    INACTIVE = "Inactive"  # kept, refused (UnrecognizedClientException) until deleted


@dataclass(frozen=True)
class AccessKey:
    """What is known of a key after its secret was shown once."""

    id: str
    user_name: str
    status: AccessKeyStatus
    created_at: datetime | None
    last_used_at: datetime | None


def is_key_id(text: str) -> bool:
    return bool(_KEY_ID.match(text))
