"""One SSH connection to a host, as the SSH provider uses it: run an argv, copy a file.

Errors of the connection become `StartFailed` (or `HostKeyChanged`) with a message that names
the instance and the target and never the key; a command that exits non-zero is a
`RemoteResult` the caller judges, its output's tail ready for a status reason.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import paramiko

from stackworks.domain.ssh_targets import SshAccess
from stackworks.providers.base import StartFailed
from stackworks.providers.ssh_commands import remote
from stackworks.providers.ssh_keys import HostKeyChanged, PinnedHostKey, load_private_key

#: paramiko says "Connected", "Authentication successful" at INFO for every connection
logging.getLogger("paramiko").setLevel(logging.WARNING)

CONNECT_TIMEOUT = 10.0
COMMAND_TIMEOUT = 300.0


class HostUnreachable(StartFailed):
    """No SSH connection could be made to the host (refused, timed out, no route)."""


@dataclass(frozen=True)
class RemoteResult:
    argv: tuple[str, ...]
    exited: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exited == 0

    def tail(self, lines: int = 3) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return " | ".join(text[-lines:]) or f"exit status {self.exited}"


class SshSession:
    """An open connection; `seen_host_key` is the fingerprint the host offered."""

    def __init__(self, hostname: str, access: SshAccess) -> None:
        self.hostname = hostname
        self.target = access.target
        self._policy = PinnedHostKey(access.target, hostname, access.host_key)
        self._client = paramiko.SSHClient()
        self._client.set_missing_host_key_policy(self._policy)
        try:
            key = load_private_key(access.private_key)
        except ValueError as error:
            raise StartFailed(f"{hostname}: the instance's ssh key {error}") from None
        try:
            self._client.connect(
                hostname=access.target.host,
                port=access.target.port,
                username=access.target.user,
                pkey=key,
                timeout=CONNECT_TIMEOUT,
                banner_timeout=CONNECT_TIMEOUT,
                auth_timeout=CONNECT_TIMEOUT,
                allow_agent=False,
                look_for_keys=False,
            )
        except HostKeyChanged:
            self._client.close()
            raise
        except paramiko.AuthenticationException:
            self._client.close()
            raise StartFailed(
                f"{hostname}: {access.target} refused the instance's ssh key"
            ) from None
        except (OSError, paramiko.SSHException) as error:
            self._client.close()
            raise HostUnreachable(
                f"{hostname}: cannot connect to {access.target}: {error}"
            ) from None
        self._sftp: paramiko.SFTPClient | None = None

    @property
    def seen_host_key(self) -> str | None:
        return self._policy.seen

    def __enter__(self) -> SshSession:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._sftp is not None:
            self._sftp.close()
        self._client.close()

    def run(self, argv: Sequence[str], *, timeout: float = COMMAND_TIMEOUT) -> RemoteResult:
        try:
            _stdin, stdout, stderr = self._client.exec_command(remote(argv), timeout=timeout)
            _stdin.close()
            out = stdout.read().decode(errors="replace")
            err = stderr.read().decode(errors="replace")
            exited = stdout.channel.recv_exit_status()
        except (OSError, paramiko.SSHException) as error:
            raise HostUnreachable(f"{self.hostname}: {argv[0]} on {self.target}: {error}") from None
        return RemoteResult(tuple(argv), exited, out, err)

    def check(self, argv: Sequence[str], what: str, *, timeout: float = COMMAND_TIMEOUT) -> str:
        """Run `argv`; StartFailed saying `what` failed unless it exits 0. Returns its stdout."""
        result = self.run(argv, timeout=timeout)
        if not result.ok:
            raise StartFailed(f"{self.hostname}: {what} failed on {self.target}: {result.tail()}")
        return result.stdout

    # --- files -----------------------------------------------------------------------------

    def _files(self) -> paramiko.SFTPClient:
        if self._sftp is None:
            self._sftp = self._client.open_sftp()
        return self._sftp

    def sizes(self, directory: str) -> dict[str, int]:
        """name -> size of the regular files in `directory` ({} when it does not exist)."""
        try:
            entries = self._files().listdir_attr(directory)
        except OSError:
            return {}
        return {
            e.filename: int(e.st_size or 0)
            for e in entries
            if e.st_mode is not None and stat.S_ISREG(e.st_mode)
        }

    def put_file(self, local: str, path: str) -> None:
        partial = f"{path}.partial"
        self._files().put(local, partial)
        self._files().posix_rename(partial, path)

    def write(self, path: str, data: bytes, mode: int) -> None:
        """Write `path` whole: a new file of `mode` renamed over the old one."""
        partial = f"{path}.partial"
        files = self._files()
        with files.open(partial, "wb") as handle:
            files.chmod(partial, mode)  # before the content: a key file is never readable
            handle.write(data)
        files.posix_rename(partial, path)
