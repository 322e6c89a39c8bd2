"""The recipe context `r` every `recipe(r)` function receives: what it can read, and the
resource constructors it declares desired state with.

Declaring does not act: each constructor records a resource (with the recipe file:line it was
declared at) and returns its handle, for `notifies`/`subscribes`. The engine runs them after the
recipe returns, in declaration order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

from stackworks.converge.resource import (
    Guard,
    RecipeError,
    Resource,
    as_actions,
    declared_at,
    refuse_shell_string,
)
from stackworks.converge.resources.account import Group, User
from stackworks.converge.resources.archive import Archive
from stackworks.converge.resources.cron import Cron
from stackworks.converge.resources.directory import Directory
from stackworks.converge.resources.execute import Execute
from stackworks.converge.resources.file import File
from stackworks.converge.resources.git import Git
from stackworks.converge.resources.link import Link
from stackworks.converge.resources.mount import Mount
from stackworks.converge.resources.package import Package
from stackworks.converge.resources.remote_file import RemoteFile
from stackworks.converge.resources.service import Service
from stackworks.converge.resources.template import Template
from stackworks.converge.views import Node, StackView

R = TypeVar("R", bound=Resource)


class Declarer(Protocol):
    """The engine side of a recipe: where declared resources and includes go."""

    def add(self, resource: Resource) -> None: ...

    def include(self, name: str) -> None: ...


class Recipe:
    """What a recipe sees. Read: `node`, `stack`, `roots`, `service_manager`, `configuration`,
    `cookbook_dir`. Do: `log`, `fail`, `include_recipe`, and the resource constructors."""

    def __init__(
        self,
        name: str,
        *,
        cookbook_dir: Path,
        node: Node,
        stack: StackView,
        configuration: Mapping[str, Any],
        log: Callable[[str], None],
        declarer: Declarer,
    ) -> None:
        self.name = name
        self.cookbook_dir = cookbook_dir
        self.node = node
        self.stack = stack
        self.configuration = Node(configuration, "configuration")
        self.roots: Mapping[str, str] = dict((configuration.get("self") or {}).get("roots") or {})
        self.service_manager = str(
            (configuration.get("stackworks") or {}).get("service_manager", "supervisor")
        )
        self._log = log
        self._declarer = declarer

    # -- reading and control ------------------------------------------------------------

    def log(self, message: str) -> None:
        """A line in the run's output, prefixed with the recipe name."""
        self._log(f"[{self.name}] {message}")

    def fail(self, message: str) -> NoReturn:
        """Stop the run: the report names this recipe, the calling line and `message`."""
        where = declared_at(self.name)
        raise RecipeError(f"{self.name} ({where}): {message}")

    def include_recipe(self, name: str) -> None:
        """Declare another recipe's resources here (`cookbook::recipe`); once per run."""
        self._declarer.include(name)

    # -- resources -------------------------------------------------------------------------

    def _add(self, resource: R) -> R:
        self._declarer.add(resource)
        return resource

    def directory(
        self,
        path: str,
        mode: int | None = 0o755,
        owner: str | None = None,
        group: str | None = None,
        recursive: bool = True,
        action: str = "create",
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Directory:
        """A directory (parents too when `recursive`); action "delete" removes the tree."""
        return self._add(
            Directory(
                name=str(path),
                path=str(path),
                mode=mode,
                owner=owner,
                group=group,
                recursive=recursive,
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def file(
        self,
        path: str,
        content: str | bytes | None = None,
        source: str | None = None,
        mode: int | None = 0o644,
        owner: str | None = None,
        group: str | None = None,
        action: str = "create",
        verify: Sequence[str] | None = None,
        *,
        sensitive: bool = False,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> File:
        """A file with `content`, or the bytes of `source` in the cookbook's files/.

        `verify` is an argv list run on a temp file holding the new content ("{path}" stands
        for it) before the file is replaced; `sensitive` keeps the content out of diffs."""
        refuse_shell_string(f"file[{path}]", "verify", verify)
        return self._add(
            File(
                name=str(path),
                path=str(path),
                content=content,
                source=source,
                files_dir=self.cookbook_dir / "files",
                mode=mode,
                owner=owner,
                group=group,
                verify=list(verify) if verify else None,
                action=as_actions(action),
                declared=declared_at(self.name),
                sensitive=sensitive,
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def template(
        self,
        path: str,
        source: str,
        variables: Mapping[str, Any] | None = None,
        mode: int | None = 0o644,
        owner: str | None = None,
        group: str | None = None,
        verify: Sequence[str] | None = None,
        action: str = "create",
        *,
        sensitive: bool = False,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Template:
        """A file rendered from templates/`source` (Jinja2, StrictUndefined) with `variables`,
        `node` and `stack`; `verify` as for `file`."""
        refuse_shell_string(f"template[{path}]", "verify", verify)
        return self._add(
            Template(
                name=str(path),
                path=str(path),
                source=source,
                templates_dir=self.cookbook_dir / "templates",
                variables=dict(variables or {}),
                mode=mode,
                owner=owner,
                group=group,
                verify=list(verify) if verify else None,
                action=as_actions(action),
                declared=declared_at(self.name),
                sensitive=sensitive,
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def link(
        self,
        path: str,
        to: str = "",
        action: str = "create",
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Link:
        """A symbolic link `path` -> `to`; re-pointing it is atomic."""
        return self._add(
            Link(
                name=str(path),
                path=str(path),
                to=str(to),
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def execute(
        self,
        name: str,
        command: Sequence[str],
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        user: str | None = None,
        creates: str | None = None,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        timeout: float | None = None,
        returns: Sequence[int] = (0,),
        action: str = "run",
        *,
        sensitive: bool = False,
        ignore_failure: bool = False,
    ) -> Execute:
        """Run `command` (argv). Runs every time unless `creates` exists or a guard says no;
        action "nothing" runs it only when notified."""
        refuse_shell_string(f"execute[{name}]", "command", command)
        return self._add(
            Execute(
                name=name,
                command=[str(a) for a in command],
                cwd=cwd,
                env=env,
                user=user,
                creates=creates,
                timeout=timeout,
                returns=tuple(returns),
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                sensitive=sensitive,
                ignore_failure=ignore_failure,
            )
        )

    def package(
        self,
        names: str | Sequence[str],
        provider: str = "apt",
        venv: str | None = None,
        version: str | None = None,
        action: str = "install",
        *,
        options: Sequence[str] = (),
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Package:
        """Packages with apt, or with pip into `venv` (created if missing); `options` are extra
        pip install arguments (e.g. an index URL)."""
        listed = [names] if isinstance(names, str) else [str(n) for n in names]
        return self._add(
            Package(
                name=" ".join(listed),
                names=listed,
                provider=provider,
                venv=venv,
                version=version,
                options=list(options),
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def service(
        self,
        name: str,
        command: Sequence[str] | None = None,
        directory: str | None = None,
        environment: Mapping[str, str] | None = None,
        user: str | None = None,
        action: str | Sequence[str] = ("enable", "start"),
        stop_signal: str = "TERM",
        reload_signal: str = "HUP",
        stop_timeout: int = 10,
        autorestart: bool = True,
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Service:
        """A long-running process under the instance's service manager and what to do with
        it (start, stop, restart, reload, enable, disable). A changed definition restarts a
        running service. Without `command`, acts on an existing definition only."""
        return self._add(
            Service(
                name=name,
                command=[str(a) for a in command] if command is not None else None,
                directory=directory,
                environment=dict(environment or {}),
                user=user,
                stop_signal=stop_signal,
                reload_signal=reload_signal,
                stop_timeout=stop_timeout,
                autorestart=autorestart,
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def git(
        self,
        path: str,
        repository: str,
        revision: str = "HEAD",
        depth: int | None = None,
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Git:
        """A checkout of `repository` at `revision`; `.resolved_commit` after it ran."""
        return self._add(
            Git(
                name=str(path),
                path=str(path),
                repository=repository,
                revision=revision,
                depth=depth,
                action=("sync",),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def user(
        self,
        name: str,
        home: str | None = None,
        shell: str | None = None,
        system: bool = False,
        action: str = "create",
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> User:
        """A system user (useradd/usermod/userdel)."""
        return self._add(
            User(
                name=name,
                home=home,
                shell=shell,
                system=system,
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def group(
        self,
        name: str,
        members: Sequence[str] = (),
        system: bool = False,
        action: str = "create",
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Group:
        """A group with at least `members` (groupadd, usermod --append)."""
        return self._add(
            Group(
                name=name,
                members=list(members),
                system=system,
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def remote_file(
        self,
        path: str,
        source: str,
        checksum: str,
        user: str | None = None,
        password: str | None = None,
        mode: int | None = 0o644,
        owner: str | None = None,
        group: str | None = None,
        action: str = "create",
        *,
        timeout: float = 300.0,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> RemoteFile:
        """The file at URL `source` (file://, http://, https://), kept only if its sha256 is
        `checksum` ("sha256:<hex>"); not downloaded again while the file has it. `user` and
        `password` are HTTP basic auth; the password never reaches a log or report."""
        return self._add(
            RemoteFile(
                name=str(path),
                path=str(path),
                source=str(source),
                checksum=str(checksum),
                user=user,
                password=password,
                mode=mode,
                owner=owner,
                group=group,
                timeout=timeout,
                action=as_actions(action),
                declared=declared_at(self.name),
                sensitive=password is not None,
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def archive(
        self,
        path: str,
        destination: str,
        checksum: str | None = None,
        strip_components: int = 0,
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Archive:
        """Unpack the archive at `path` (.tar.gz, .tgz, .tar, .zip) into `destination`, once
        per archive checksum; an entry that would land outside refuses the whole archive."""
        return self._add(
            Archive(
                name=str(path),
                path=str(path),
                destination=str(destination),
                checksum=checksum,
                strip_components=strip_components,
                action=("extract",),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def mount(
        self,
        path: str,
        device: str,
        fstype: str = "bind",
        options: Sequence[str] = (),
        fallback: str | None = None,
        action: str = "mount",
        *,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Mount:
        """Make `device` appear at `path`: `bind` (a directory) or `nfs` (host:/export). On a
        local instance a bind is a symlink, and nfs needs a local `fallback` directory."""
        return self._add(
            Mount(
                name=str(path),
                path=str(path),
                device=str(device),
                fstype=fstype,
                options=tuple(options),
                fallback=fallback,
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )

    def cron(
        self,
        name: str,
        command: Sequence[str] = (),
        schedule: str = "",
        user: str | None = None,
        environment: Mapping[str, str] | None = None,
        action: str = "create",
        *,
        cwd: str | None = None,
        timeout: float = 3600.0,
        only_if: Guard | None = None,
        not_if: Guard | None = None,
        ignore_failure: bool = False,
    ) -> Cron:
        """Run `command` (argv) at `schedule` (`m h dom mon dow`), never overlapping itself and
        ended after `timeout` seconds: the instance's cron runner, a systemd timer or cron.d.
        Both are required unless action is "delete"."""
        refuse_shell_string(f"cron[{name}]", "command", command)
        return self._add(
            Cron(
                name=name,
                command=[str(a) for a in command],
                schedule=str(schedule),
                user=user,
                environment=dict(environment or {}),
                cwd=cwd,
                timeout=timeout,
                action=as_actions(action),
                declared=declared_at(self.name),
                only_if=only_if,
                not_if=not_if,
                ignore_failure=ignore_failure,
            )
        )


__all__ = ["Recipe", "RecipeError"]
