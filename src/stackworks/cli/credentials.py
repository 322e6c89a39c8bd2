"""Where the CLI finds its server and token: the environment first, then the credentials file.

`stackworks login` writes `~/.config/stackworks/credentials.json` (or the file STACKWORKS_CONFIG
names) with mode 0600, because the token in it is as good as a password. STACKWORKS_URL,
STACKWORKS_TOKEN and STACKWORKS_CA_FILE (the CA an https server is verified with) override the
file field by field, so CI jobs need no file at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from stackworks.cli.errors import NotLoggedIn, UsageError

ENV_CONFIG = "STACKWORKS_CONFIG"
ENV_URL = "STACKWORKS_URL"
ENV_TOKEN = "STACKWORKS_TOKEN"
ENV_CA_FILE = "STACKWORKS_CA_FILE"


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str
    ca_file: Path | None = None  # None: the system's trust store

    def __repr__(self) -> str:  # never show the token, even in a debugger or a log line
        return f"Credentials(url={self.url!r}, token=***, ca_file={self.ca_file!r})"


def credentials_path(env: Mapping[str, str]) -> Path:
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    return Path.home() / ".config" / "stackworks" / "credentials.json"


def check_url(url: str, source: str = "--url") -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{source}: {url!r} must start with http:// or https://")
    return url


def save(path: Path, credentials: Credentials) -> None:
    """Write the file readable by its owner only, from the first byte (no chmod window)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = {"url": credentials.url, "token": credentials.token}
    if credentials.ca_file is not None:
        stored["ca_file"] = str(credentials.ca_file)
    text = json.dumps(stored, indent=2) + "\n"
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)  # an existing temporary file kept its old mode
    os.replace(temporary, path)


def _read_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the credentials file: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}:{exc.lineno}: the credentials file is not valid JSON ({exc.msg}); "
            "run `stackworks login` again"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a JSON object; run `stackworks login` again")
    return {key: value for key, value in data.items() if isinstance(value, str)}


def load(env: Mapping[str, str]) -> Credentials:
    """The URL and token to use, each from the environment if set there, else from the file."""
    url = env.get(ENV_URL, "")
    token = env.get(ENV_TOKEN, "")
    ca_file = env.get(ENV_CA_FILE, "")
    url_source = ENV_URL
    if not (url and token and ca_file):
        path = credentials_path(env)
        stored = _read_file(path)
        if not url:
            url, url_source = stored.get("url", ""), str(path)
        token = token or stored.get("token", "")
        ca_file = ca_file or stored.get("ca_file", "")
    if not (url and token):
        raise NotLoggedIn()
    return Credentials(
        url=check_url(url, url_source),
        token=token,
        ca_file=Path(ca_file).expanduser() if ca_file else None,
    )
