"""The app's repository, read while the deploy recipe declares its resources.

A deploy must know before it declares anything which commit the app's revision names (to decide
whether to build a new release at all), which processes its Procfile defines and how its
dependencies install. So the recipe keeps a bare mirror of the repository under
`<srv>/www/<app>/repo.git`, fetches it, and reads those facts from the commit; the release is
then checked out from the mirror by the `git` resource. The mirror is a cache: fetching it
changes nothing an app or a user sees, which is why even a dry run may do it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from stackworks.domain.git_sources import UnsafeGitSource, check_git_revision, check_git_url

GIT = "git"

#: the ref the remote's HEAD is fetched into
_REMOTE_HEAD = "refs/stackworks/HEAD"


class SourceError(RuntimeError):
    """The repository cannot be fetched or does not have the revision; says why."""


@dataclass(frozen=True)
class SourceFacts:
    """What a deploy needs to know about one commit of the app."""

    commit: str
    procfile: str | None  # the Procfile's text, None when the commit has none
    install: str | None  # "requirements", "project" (pip install .) or None: nothing to install


def fetch(mirror: Path, url: str, revision: str, *, timeout: float = 300) -> SourceFacts:
    """Bring the mirror up to date with `url` and read the facts of `revision` (branch, tag,
    commit or HEAD). Git's own message is in the error when the URL or revision is wrong; a URL
    or revision git would run or read as an option (`ext::`, `-...`) is refused before git."""
    try:
        check_git_url(url)
        if revision:
            check_git_revision(revision)
    except UnsafeGitSource as unsafe:
        raise SourceError(f"source: {_scrub(str(unsafe), [url])}") from None
    if not (mirror / "HEAD").exists():
        mirror.mkdir(parents=True, exist_ok=True)
        _git(["init", "--quiet", "--bare", str(mirror)], timeout=timeout)
    _git(
        [
            "-C",
            str(mirror),
            "fetch",
            "--quiet",
            "--prune",
            "--force",
            "--tags",
            "--",
            url,
            "+refs/heads/*:refs/heads/*",
            f"+HEAD:{_REMOTE_HEAD}",
        ],
        timeout=timeout,
        what=f"cannot fetch {redact(url)}",
    )
    ref = _REMOTE_HEAD if revision in ("", "HEAD") else revision
    commit = _git(
        [
            "-C",
            str(mirror),
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{ref}^{{commit}}",
        ],
        timeout=timeout,
        what=f"{redact(url)} has no revision {revision!r}",
    ).strip()
    names = set(
        _git(["-C", str(mirror), "ls-tree", "--name-only", commit], timeout=timeout).split("\n")
    )
    procfile = None
    if "Procfile" in names:
        procfile = _git(["-C", str(mirror), "show", f"{commit}:Procfile"], timeout=timeout)
    install = None
    if "requirements.txt" in names:
        install = "requirements"
    elif "pyproject.toml" in names or "setup.py" in names:
        install = "project"
    return SourceFacts(commit=commit, procfile=procfile, install=install)


def redact(url: str) -> str:
    """The URL without any credentials in it (`https://user:token@host/x` -> `https://host/x`)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"


def _git(args: list[str], *, timeout: float, what: str = "git failed") -> str:
    try:
        done = subprocess.run(
            [GIT, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"},
        )
    except subprocess.TimeoutExpired:
        raise SourceError(f"{what}: git {args[2] if len(args) > 2 else ''} timed out") from None
    except OSError as error:
        raise SourceError(f"{what}: {error}") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip() or f"git exited with {done.returncode}"
        raise SourceError(f"{what}: {_scrub(message, args)}")
    return done.stdout


def _scrub(message: str, args: list[str]) -> str:
    """Git may echo the URL it was given; never let credentials in it reach a log."""
    for arg in args:
        if "://" in arg and redact(arg) != arg:
            message = message.replace(arg, redact(arg))
    return message
