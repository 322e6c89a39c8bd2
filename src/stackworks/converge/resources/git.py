"""git[path]: a checkout of `repository` at `revision` (branch, tag or commit sha).

Changed when the checked-out commit changes. The wanted commit is resolved with
`git ls-remote` (a sha is taken as is), so a no-op run fetches nothing; `resolved_commit` holds
it after the resource ran. A repository that does not exist fails with git's own message.
A repository URL or revision git would read as a command or an option (`ext::`, `-...`) is
refused before git runs (domain/git_sources.py), and positional arguments follow `--`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge.resource import Plan, Resource, ResourceError
from stackworks.domain.git_sources import UnsafeGitSource, check_git_revision, check_git_url

if TYPE_CHECKING:
    from stackworks.converge.context import Context

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
GIT = "git"
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0"}


def ls_remote(ctx: Context, repository: str, revision: str) -> str | None:
    """The commit `revision` names in `repository` (peeled tags preferred), or None."""
    result = ctx.run([GIT, "ls-remote", "--", repository, revision], env=GIT_ENV, timeout=120)
    if not result.ok:
        raise ResourceError(f"git ls-remote {repository} failed: {result.tail()}")
    refs: dict[str, str] = {}
    for line in result.output.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and FULL_SHA.match(parts[0]):
            refs[parts[1]] = parts[0]
    for ref in (
        f"refs/tags/{revision}^{{}}",
        f"refs/heads/{revision}",
        f"refs/tags/{revision}",
        revision,
    ):
        if ref in refs:
            return refs[ref]
    return next(iter(refs.values()), None)


@dataclass(eq=False, kw_only=True)
class Git(Resource):
    kind: ClassVar[str] = "git"
    allowed_actions: ClassVar[tuple[str, ...]] = ("sync", "checkout")

    path: str
    repository: str = ""
    revision: str = "HEAD"
    depth: int | None = None
    resolved_commit: str | None = None

    def _git(self, ctx: Context, *args: str) -> str:
        result = ctx.run([GIT, "-C", self.path, *args], env=GIT_ENV, timeout=600)
        if not result.ok:
            raise ResourceError(f"{self}: git {args[0]} failed: {result.tail()}")
        return result.output.strip()

    def head(self, ctx: Context) -> str | None:
        if not (Path(self.path) / ".git").exists():
            return None
        result = ctx.run([GIT, "-C", self.path, "rev-parse", "--verify", "-q", "HEAD"])
        return result.output.strip() if result.ok else None

    def wanted_commit(self, ctx: Context) -> str:
        if FULL_SHA.match(self.revision):
            return self.revision
        found = ls_remote(ctx, self.repository, self.revision)
        if found is None:
            raise ResourceError(
                f"{self}: revision {self.revision!r} not found in {self.repository}"
            )
        return found

    def check(self, ctx: Context) -> Plan:
        if not self.repository:
            raise ResourceError(f"{self}: `repository` is required")
        try:
            check_git_url(self.repository)
            check_git_revision(self.revision)
        except UnsafeGitSource as unsafe:
            raise ResourceError(f"{self}: {unsafe}") from None
        path = Path(self.path)
        if path.exists() and not (path / ".git").exists() and any(path.iterdir()):
            raise ResourceError(f"{self}: {path} exists, is not empty and is not a git checkout")
        wanted = self.wanted_commit(ctx)
        current = self.head(ctx)
        self.resolved_commit = wanted
        if current == wanted:
            return Plan.noop(f"at {wanted[:12]}")
        if current is None:
            return Plan(True, f"clone {self.revision} ({wanted[:12]})", data=wanted)
        return Plan(True, f"{current[:12]} -> {wanted[:12]}", data=wanted)

    def apply(self, ctx: Context, plan: Plan) -> None:
        wanted: str = plan.data
        path = Path(self.path)
        if not (path / ".git").exists():
            path.mkdir(parents=True, exist_ok=True)
            self._git(ctx, "init", "-q")
            self._git(ctx, "remote", "add", "--", "origin", self.repository)
        else:
            self._git(ctx, "remote", "set-url", "--", "origin", self.repository)
        depth = [f"--depth={self.depth}"] if self.depth else []
        direct = ctx.run(
            [GIT, "-C", self.path, "fetch", "-q", *depth, "origin", wanted],
            env=GIT_ENV,
            timeout=600,
        )
        if not direct.ok:
            refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
            self._git(ctx, "fetch", "-q", *depth, "origin", *refspecs)
        self._git(ctx, "-c", "advice.detachedHead=false", "checkout", "-q", "--force", wanted)
        self.resolved_commit = self._git(ctx, "rev-parse", "HEAD")
