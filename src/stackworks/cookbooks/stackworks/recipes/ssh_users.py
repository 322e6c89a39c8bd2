"""stackworks::ssh_users: the Unix accounts of the stack's SSH users, their keys and sudo.

Reads the configuration's top-level `ssh_users` (cookbooks/stackworks/ssh_accounts.py for the
contract and its checks). For each user: an account, `~/.ssh` (0700) with `authorized_keys`
(0600, their key), and `sudoers.d/stackworks-<name>` (0440, checked with `visudo -cf` when visudo
is installed) if they may sudo. A user who left the list loses all of it. Only accounts this
recipe created are ever removed: they are listed in a managed-users state file
(`<var>/stackworks/ssh_users.json`), written with the new ones before anything is created and
pruned after the removals, so a run cut short still knows what it made.

Where: on a local instance everything stays inside its root: accounts in `<root>/etc/passwd`
(this recipe's own file), homes in `<root>/home/`, `<root>/etc/sudoers.d/`; never the host's
/etc. On a host (`roots.root` is `/`) accounts are real: `useradd`/`userdel` (argv lists), homes
in /home, /etc/sudoers.d; an existing account it did not create is refused, not taken over, and
a removed account's home stays (its `.ssh` goes).
"""

from __future__ import annotations

import pwd
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.stackworks import managed_users
from stackworks.cookbooks.stackworks.ssh_accounts import SshAccount, SshUsersError, parse_accounts

if TYPE_CHECKING:
    from stackworks.converge import Recipe

HOST_SHELL = "/bin/bash"


def recipe(r: Recipe) -> None:
    try:
        accounts = parse_accounts(r.configuration.get("ssh_users"))
    except SshUsersError as exc:
        r.fail(str(exc))
        return
    on_host = r.roots["root"] == "/"
    state_dir = f"{r.roots['var']}/stackworks"
    state_path = f"{state_dir}/ssh_users.json"
    try:
        managed = managed_users.read_state(Path(state_path))
    except ValueError as exc:
        r.fail(str(exc))
        return
    if not accounts and not managed:
        r.log("no ssh users, none managed here")
        return  # a host (or instance) that never had any is left exactly as it is
    wanted = [a.username for a in accounts]
    if on_host:
        _refuse_unmanaged(r, wanted, managed)
    desired = managed_users.with_uids(managed, wanted)
    leaving = sorted(set(managed) - set(desired))
    home_root = "/home" if on_host else f"{r.roots['root'].rstrip('/')}/home"
    sudoers_dir = f"{r.roots['etc']}/sudoers.d"

    r.directory(state_dir, mode=0o755)
    r.file(state_path, content=managed_users.state_text({**managed, **desired}), mode=0o600)
    # a host's /home and /etc/sudoers.d keep the modes their system gave them
    r.directory(home_root, mode=None if on_host else 0o755)
    r.directory(sudoers_dir, mode=None if on_host else 0o750)
    for account in accounts:
        _present(r, account, f"{home_root}/{account.username}", sudoers_dir, on_host)
    for username in leaving:
        _absent(r, username, f"{home_root}/{username}", sudoers_dir, on_host)
    if not on_host:
        r.file(
            f"{r.roots['etc']}/passwd",
            content=managed_users.passwd_text(desired, home_root, HOST_SHELL),
            mode=0o644,
        )
    r.file(state_path, content=managed_users.state_text(desired), mode=0o600)
    r.log(f"{len(accounts)} ssh user(s); {len(leaving)} removed")


def _refuse_unmanaged(r: Recipe, wanted: list[str], managed: dict[str, int]) -> None:
    for index, username in enumerate(wanted):
        if username in managed:
            continue
        try:
            pwd.getpwnam(username)
        except KeyError:
            continue
        r.fail(
            f"ssh_users[{index}].username: {username!r} is an account this host already has and "
            "stackworks did not create; it is not taken over"
        )


def _present(r: Recipe, account: SshAccount, home: str, sudoers_dir: str, on_host: bool) -> None:
    owner = account.username if on_host else None
    if on_host:
        r.user(account.username, home=home, shell=HOST_SHELL)
    r.directory(home, mode=0o750, owner=owner, group=owner)
    r.directory(f"{home}/.ssh", mode=0o700, owner=owner, group=owner)
    r.file(
        f"{home}/.ssh/authorized_keys",
        content=account.public_key + "\n",
        mode=0o600,
        owner=owner,
        group=owner,
    )
    sudoers = f"{sudoers_dir}/stackworks-{account.username}"
    if account.sudo:
        visudo = shutil.which("visudo") or shutil.which("visudo", path="/usr/sbin:/sbin")
        r.file(
            sudoers,
            content=managed_users.sudoers_text(account.username),
            mode=0o440,
            verify=[visudo, "-cf", "{path}"] if visudo else None,
        )
    else:
        r.file(sudoers, action="delete")


def _absent(r: Recipe, username: str, home: str, sudoers_dir: str, on_host: bool) -> None:
    r.file(f"{sudoers_dir}/stackworks-{username}", action="delete")
    if on_host:
        r.directory(f"{home}/.ssh", action="delete")
        r.user(username, action="remove")
    else:
        r.directory(home, action="delete")
