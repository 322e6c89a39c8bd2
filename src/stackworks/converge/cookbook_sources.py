"""Where a stack's cookbooks come from: the built-in ones, a directory, or a git repository.

The server pins a git source to a commit (`resolve_git_ref`) when the stack is configured, so
every instance converges the same cookbooks; the agent fetches that commit into its cache
(`fetch_cookbooks`) before each run. The built-in cookbooks always come last on the search
path, so a stack's own cookbook of the same name replaces the built-in one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import stackworks.cookbooks
from stackworks.converge.resource import ConvergeError
from stackworks.converge.runner import LocalRunner, Runner
from stackworks.domain.git_sources import UnsafeGitSource, check_git_revision, check_git_url

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0"}
TIMEOUT = 300.0


class CookbookSourceError(ConvergeError):
    """A cookbook source that cannot be resolved or fetched; the message has git's words."""


def builtin_cookbooks() -> Path:
    return Path(stackworks.cookbooks.__file__).parent


def resolve_git_ref(url: str, ref: str, *, runner: Runner | None = None) -> str:
    """The commit `ref` (branch, tag, HEAD or full sha) names in the repository at `url`."""
    _check_safe(url, ref)
    if FULL_SHA.match(ref):
        return ref
    result = (runner or LocalRunner()).run(
        ["git", "ls-remote", "--", url, ref], env=GIT_ENV, timeout=TIMEOUT
    )
    if not result.ok:
        raise CookbookSourceError(f"cookbook source {url}: git ls-remote failed: {result.tail()}")
    refs = {}
    for line in result.output.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and FULL_SHA.match(parts[0]):
            refs[parts[1]] = parts[0]
    for name in (f"refs/tags/{ref}^{{}}", f"refs/heads/{ref}", f"refs/tags/{ref}", ref):
        if name in refs:
            return refs[name]
    raise CookbookSourceError(
        f"cookbook source {url}: ref {ref!r} not found (use a branch, a tag or a full sha)"
    )


def _check_safe(url: str, ref: str) -> None:
    """Refuse what git would run or read as an option (`ext::...`, `-...`), before git runs."""
    try:
        check_git_url(url)
        check_git_revision(ref)
    except UnsafeGitSource as unsafe:
        raise CookbookSourceError(f"cookbook source: {unsafe}") from None


def cache_path(cache_dir: Path, url: str) -> Path:
    """One checkout per repository URL, named so a person can tell which is which."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", url.rstrip("/").rsplit("/", 1)[-1])[:40] or "repo"
    return cache_dir / f"{stem}-{digest}"


def _git(runner: Runner, checkout: Path, url: str, *args: str) -> str:
    result = runner.run(["git", "-C", str(checkout), *args], env=GIT_ENV, timeout=TIMEOUT)
    if not result.ok:
        raise CookbookSourceError(f"cookbook source {url}: git {args[0]} failed: {result.tail()}")
    return result.output.strip()


def fetch_git(url: str, commit: str, cache_dir: Path, *, runner: Runner | None = None) -> Path:
    """A checkout of `url` at `commit` in the cache (fetched only when it is not there yet)."""
    _check_safe(url, commit)
    run = runner or LocalRunner()
    checkout = cache_path(cache_dir, url)
    if not (checkout / ".git").exists():
        checkout.mkdir(parents=True, exist_ok=True)
        _git(run, checkout, url, "init", "-q")
        _git(run, checkout, url, "remote", "add", "--", "origin", url)
    head = run.run(["git", "-C", str(checkout), "rev-parse", "--verify", "-q", "HEAD"])
    if head.ok and head.output.strip() == commit:
        return checkout
    have = run.run(["git", "-C", str(checkout), "cat-file", "-e", f"{commit}^{{commit}}"])
    if not have.ok:
        refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"]
        _git(run, checkout, url, "fetch", "-q", "origin", *refspecs)
    _git(run, checkout, url, "-c", "advice.detachedHead=false", "checkout", "-q", "--force", commit)
    return checkout


def fetch_cookbooks(
    sources: Sequence[Mapping[str, Any]], cache_dir: Path, *, runner: Runner | None = None
) -> list[Path]:
    """The cookbook search path for `sources` (configuration["stackworks"]["cookbook_sources"]),
    in order, ending with the built-in cookbooks."""
    paths: list[Path] = []
    builtin = builtin_cookbooks()
    for index, source in enumerate(sources):
        kind = source.get("type", "git")
        url = str(source.get("url") or "")
        if kind == "builtin":
            path = builtin
        elif kind == "path":
            path = Path(url)
            if not path.is_dir():
                raise CookbookSourceError(f"cookbook_sources[{index}]: {url!r} is not a directory")
        elif kind == "git":
            if not url:
                raise CookbookSourceError(f"cookbook_sources[{index}]: a git source needs a url")
            ref = str(source.get("pinned_commit") or source.get("ref") or "HEAD")
            commit = resolve_git_ref(url, ref, runner=runner)
            path = fetch_git(url, commit, Path(cache_dir), runner=runner)
        else:
            raise CookbookSourceError(
                f"cookbook_sources[{index}]: type {kind!r} is not one of builtin, path, git"
            )
        if path not in paths:
            paths.append(path)
    if builtin in paths:
        paths.remove(builtin)
    paths.append(builtin)
    return paths
