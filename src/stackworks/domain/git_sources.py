"""Which git repository URLs and revisions Stackworks will hand to git at all.

A repository URL and a revision come from users (app sources, cookbook sources) and end up as
git's own arguments on the server and on every instance. Git reads more into them than a
location: `ext::sh -c ...` runs a command, `fd::` talks to a file descriptor, and a value that
starts with `-` is taken as an option (`--upload-pack=...` runs a program). So only the plain
transports are allowed (https, http, ssh, git, file for local paths, scp-like
`user@host:path`, and plain local paths, as the tests and demos use), and nothing that starts
with `-`. The API checks
this when a source is given (a 422 naming the field) and the converge git resource checks it
again before it runs git, so a source stored before the rule existed cannot slip through.
"""

from __future__ import annotations

import re

SAFE_SCHEMES = ("https", "http", "ssh", "git", "file")

#: `<transport>::<address>`: git's remote-helper syntax (`ext::`, `fd::`, ...)
_HELPER = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BLANK_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class UnsafeGitSource(ValueError):
    """A repository URL or revision git must not be given; the message says why."""


_USE_INSTEAD = "use one of " + ", ".join(scheme + "://" for scheme in SAFE_SCHEMES)


def _refuse_empty_or_option(value: str, what: str) -> None:
    if not value:
        raise UnsafeGitSource(f"a {what} is required")
    if value.startswith("-"):
        raise UnsafeGitSource(f"{value!r} starts with '-': git would read it as an option")


def check_git_url(url: str) -> str:
    """`url` unchanged when git may be given it; UnsafeGitSource saying why otherwise."""
    _refuse_empty_or_option(url, "git repository URL")
    if _HELPER.match(url):
        transport = url.split("::", 1)[0]
        raise UnsafeGitSource(f"{url!r} uses git's {transport}:: remote helper; {_USE_INSTEAD}")
    if _CONTROL.search(url):
        raise UnsafeGitSource(f"{url!r} contains a control character")
    scheme = _SCHEME.match(url)
    name = scheme.group(1).lower() if scheme else None
    if name is not None and name not in SAFE_SCHEMES:
        raise UnsafeGitSource(f"{url!r}: the scheme {name}:// is not allowed; {_USE_INSTEAD}")
    if name == "file" and not url[len("file://") :].startswith("/"):
        raise UnsafeGitSource(f"{url!r}: a file:// URL must name a local absolute path")
    return url  # a safe scheme, a local path, or ssh in scp syntax (user@host:path)


def check_git_revision(revision: str) -> str:
    """`revision` unchanged when it is a plain branch, tag, sha or HEAD; UnsafeGitSource if not."""
    _refuse_empty_or_option(revision, "revision (a branch, a tag, a sha or HEAD)")
    if _BLANK_OR_CONTROL.search(revision):
        raise UnsafeGitSource(f"{revision!r} contains white space or a control character")
    if ".." in revision or "::" in revision:
        raise UnsafeGitSource(f"{revision!r} is not a single branch, tag or commit")
    return revision
