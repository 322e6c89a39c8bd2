"""Test hosts for the ssh provider: N "machines" on this one, each a network namespace.

    root namespace                          host n (network namespace sw<run>-h<n>)
    bridge sw<run>br  10.248.X.1/24  <--veth-->  eth0  10.248.X.(10+n)/24
                                             sshd (Debian's openssh-server) on :22, own host key
                                             its own mount namespace: <dir>/opt bind-mounted
                                             over /opt/stackworks, <dir>/pip over ~/.config/pip

The server under test listens on the bridge address; HAProxy on a local instance in the root
namespace reaches the hosts through the bridge. Each host sees the machine's files (its Python,
the test's git repositories) except the agent's install prefix (/opt/stackworks, created empty
on this machine if missing, as the mount point), which is its own directory, so three hosts
install three agents. A host has no route off the bridge: its pip reads a pip.conf whose index
is the machine's local file index (when it has one), written from this machine's pip config.

Names (namespaces, bridge, veths) carry a random run id and the subnet's third octet is one no
interface of this machine uses, so parallel runs do not meet. `close()` ends every process
inside each namespace by pid (`ip netns pids`: the sshd and whatever the agent started), then
deletes the namespaces, veths and bridge; it runs even when the setup failed half-way.
Without root, `ip`, `unshare` or sshd, `require_netns` fails loudly naming what is missing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from support.processes import wait_until

SSHD = "/usr/sbin/sshd"
AGENT_PREFIX = Path("/opt/stackworks")
PIP_CONFIG_DIR = Path.home() / ".config" / "pip"
COMMAND_TIMEOUT = 30.0


class NetnsUnavailable(RuntimeError):
    """This machine cannot make namespace hosts; the message names what is missing."""


def require_netns() -> None:
    missing = []
    if os.geteuid() != 0:
        missing.append("root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)")
    for program in ("ip", "unshare", "ssh-keygen", "mount"):
        if shutil.which(program) is None:
            missing.append(f"the program {program!r}")
    if not os.access(SSHD, os.X_OK):
        missing.append(f"{SSHD} (Debian's openssh-server; scripts/bootstrap installs it)")
    if missing:
        raise NetnsUnavailable("namespace test hosts need " + ", ".join(missing))


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {result.returncode}: {result.stderr.strip()}")
    return result


@dataclass
class NetnsHost:
    """One test host: its namespace, address, sshd and directory."""

    index: int
    namespace: str
    veth: str  # the root namespace's end; link down cuts the host off
    address: str
    directory: Path
    sshd: subprocess.Popen[bytes] | None = None
    host_key: Path = field(init=False)

    def __post_init__(self) -> None:
        self.host_key = self.directory / "ssh_host_ed25519_key"

    @property
    def target(self) -> str:
        return f"root@{self.address}"

    def fingerprint(self) -> str:
        out = run("ssh-keygen", "-l", "-E", "sha256", "-f", str(self.host_key)).stdout
        return out.split()[1]

    def link_down(self) -> None:
        run("ip", "link", "set", self.veth, "down")

    def link_up(self) -> None:
        run("ip", "link", "set", self.veth, "up")

    def pids(self) -> list[int]:
        """Every process in the host's network namespace (its sshd, the agent, the app)."""
        out = run("ip", "netns", "pids", self.namespace, check=False).stdout
        return sorted(int(p) for p in out.split() if p.isdigit())


class NetnsHosts:
    """`count` hosts on a private bridge; a context manager that always cleans up."""

    def __init__(self, base: Path, count: int) -> None:
        require_netns()
        self.base = base
        self.run_id = secrets.token_hex(3)
        self.bridge = f"sw{self.run_id}br"
        self.octet = _free_octet()
        self.server_address = f"10.248.{self.octet}.1"
        self.client_key = base / "client_ed25519"
        self.hosts: list[NetnsHost] = [
            NetnsHost(
                index=n,
                namespace=f"sw{self.run_id}-h{n}",
                veth=f"sw{self.run_id}v{n}",
                address=f"10.248.{self.octet}.{10 + n}",
                directory=base / f"host{n}",
            )
            for n in range(1, count + 1)
        ]

    def __enter__(self) -> NetnsHosts:
        try:
            self._set_up()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- set up -----------------------------------------------------------------------------

    def _set_up(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.client_key))
        run("ip", "link", "add", self.bridge, "type", "bridge")
        run("ip", "addr", "add", f"{self.server_address}/24", "dev", self.bridge)
        run("ip", "link", "set", self.bridge, "up")
        AGENT_PREFIX.mkdir(parents=True, exist_ok=True)  # the mount point each host covers
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
        for host in self.hosts:
            self._make_host(host)
        for host in self.hosts:
            wait_until(
                lambda h=host: _answers_ssh(h), 15, interval=0.1, what=f"sshd of {host.namespace}"
            )

    def _make_host(self, host: NetnsHost) -> None:
        (host.directory / "opt").mkdir(parents=True)
        run("ip", "netns", "add", host.namespace)
        peer = f"sw{self.run_id}p{host.index}"
        run("ip", "link", "add", host.veth, "type", "veth", "peer", "name", peer)
        run("ip", "link", "set", host.veth, "master", self.bridge, "up")
        run("ip", "link", "set", peer, "netns", host.namespace)
        inside = ("ip", "netns", "exec", host.namespace)
        run(*inside, "ip", "link", "set", peer, "name", "eth0")
        run(*inside, "ip", "addr", "add", f"{host.address}/24", "dev", "eth0")
        run(*inside, "ip", "link", "set", "eth0", "up")
        run(*inside, "ip", "link", "set", "lo", "up")
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host.host_key))
        self._write_sshd_config(host)
        mounts = [("opt", str(AGENT_PREFIX))]
        if _write_offline_pip_config(host.directory / "pip") and PIP_CONFIG_DIR.is_dir():
            mounts.append(("pip", str(PIP_CONFIG_DIR)))
        self._start_sshd(host, mounts)

    def _write_sshd_config(self, host: NetnsHost) -> None:
        authorized = host.directory / "authorized_keys"
        authorized.write_text(Path(f"{self.client_key}.pub").read_text())
        (host.directory / "sshd_config").write_text(
            "\n".join(
                [
                    f"ListenAddress {host.address}:22",
                    f"HostKey {host.host_key}",
                    f"PidFile {host.directory / 'sshd.pid'}",
                    f"AuthorizedKeysFile {authorized}",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",  # the test's directories belong to whoever made them
                    "Subsystem sftp internal-sftp",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )

    def _start_sshd(self, host: NetnsHost, mounts: list[tuple[str, str]]) -> None:
        """sshd in the host's namespaces; its binds are made in its own mount namespace."""
        binds = " && ".join(
            f'mount --bind "$1/{name}" {shlex.quote(target)}' for name, target in mounts
        )  # constant targets; the directory comes in as $1
        script = f'{binds} && exec {SSHD} -D -e -f "$1/sshd_config"'
        log = open(host.directory / "sshd.log", "ab")  # noqa: SIM115 - lives with the process
        host.sshd = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                host.namespace,
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                script,
                "sshd-host",
                str(host.directory),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def restart_with_new_host_key(self, host: NetnsHost) -> str:
        """The host as reinstalled: a new host key, sshd started again; returns its fingerprint."""
        self._end_processes(host)
        host.host_key.unlink()
        Path(f"{host.host_key}.pub").unlink()
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host.host_key))
        mounts = [("opt", str(AGENT_PREFIX))]
        if (host.directory / "pip").is_dir() and PIP_CONFIG_DIR.is_dir():
            mounts.append(("pip", str(PIP_CONFIG_DIR)))
        self._start_sshd(host, mounts)
        wait_until(lambda: _answers_ssh(host), 15, interval=0.1, what="sshd again")
        return host.fingerprint()

    # --- clean up ---------------------------------------------------------------------------

    def close(self) -> None:
        """End every process in each namespace, then delete namespaces, veths, bridge."""
        for host in self.hosts:
            self._end_processes(host)
        for host in self.hosts:
            run("ip", "netns", "del", host.namespace, check=False)
            run("ip", "link", "del", host.veth, check=False)
        run("ip", "link", "del", self.bridge, check=False)

    def _end_processes(self, host: NetnsHost) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = host.pids()
            if host.sshd is not None and host.sshd.poll() is None:
                pids.append(host.sshd.pid)
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and host.pids():
                time.sleep(0.1)
        if host.sshd is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                host.sshd.wait(timeout=5)
            host.sshd = None


def _answers_ssh(host: NetnsHost) -> bool:
    if host.sshd is not None and host.sshd.poll() is not None:
        log = (host.directory / "sshd.log").read_text(errors="replace")
        raise RuntimeError(f"sshd of {host.namespace} exited: {log[-500:]}")
    import socket

    with socket.socket() as probe:
        probe.settimeout(0.5)
        try:
            probe.connect((host.address, 22))
            return probe.recv(4).startswith(b"SSH-")
        except OSError:
            return False


def _free_octet() -> int:
    """A third octet for 10.248.X.0/24 that no address of this machine is in."""
    used = run("ip", "-o", "-4", "addr", "show").stdout
    for _ in range(100):
        octet = secrets.randbelow(250) + 1
        if f" 10.248.{octet}." not in used:
            return octet
    raise NetnsUnavailable("no free 10.248.X.0/24 subnet")


def _write_offline_pip_config(directory: Path) -> bool:
    """A pip.conf for a host without a route off its bridge: this machine's local (file://)
    indexes and find-links, no remote index. False when this machine has no local index."""
    listed = run(sys.executable, "-m", "pip", "config", "list", check=False).stdout
    values: dict[str, str] = {}
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        values[key.split(".", 1)[-1]] = value.strip().strip("'\"")
    local = [u for u in values.get("extra-index-url", "").split() if u.startswith("file://")]
    if not local:
        return False
    lines = ["[global]", f"index-url = {local[0]}"]
    if local[1:]:
        lines.append(f"extra-index-url = {' '.join(local[1:])}")
    if values.get("find-links"):
        lines.append(f"find-links = {values['find-links']}")
    directory.mkdir(parents=True)
    (directory / "pip.conf").write_text("\n".join(lines) + "\n")
    return True
