"""An app whose code is an archive (`source.type: archive`), read while the deploy declares.

As with git sources (see `source`), a deploy must know before it declares anything whether
there is anything new (the archive's sha256 against the deployed release's) and what the new
release runs (its Procfile) and installs. So the archive is fetched into a per-app cache,
`<srv>/www/<app>/archives/`, named by its checksum, and read there; the release is then made
by a `remote_file` (which finds the cached file already has the checksum) and an `archive`
resource. Fetching the cache changes nothing an app or a user sees, so even a dry run may do
it. An archive whose every entry sits under one top directory (`app-1.0/...`, as GitHub and
`git archive --prefix` make them) is unpacked without that directory. An archive with any entry
that would land outside the release (`../`, an absolute path, a link leading out) fails the
deploy here, naming the entries, before anything is declared.
"""

from __future__ import annotations

import posixpath
import tarfile
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path

from stackworks.converge import archives, checksums
from stackworks.converge.resource import ResourceError
from stackworks.converge.resources.remote_file import check_url, fetch_to, redact
from stackworks.cookbooks.python_app.source import SourceError

#: archives kept in the cache besides the one just fetched
KEEP_CACHED = 1
#: unsafe entries named in a refusal at most
SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class ArchiveFacts:
    """What a deploy needs to know about one archive of the app."""

    checksum: str  # "sha256:<hex>", the release's identity
    path: Path  # the cached archive
    procfile: str | None
    install: str | None  # "requirements", "project" or None
    strip_components: int


def fetch(cache: Path, url: str, checksum: str | None, *, timeout: float = 300) -> ArchiveFacts:
    """Bring the archive at `url` into `cache` (unless a file with `checksum` is there) and
    read its facts. `SourceError` names the field at fault (`source.url`,
    `attributes.checksum`) and never shows credentials written in the URL."""
    try:
        check_url(url, "archive source", "source.url")
    except ResourceError as error:
        raise SourceError(str(error)) from None
    filename = posixpath.basename(urllib.parse.urlsplit(url).path)
    try:
        archives.archive_format(filename)
    except archives.ArchiveError:
        raise SourceError(
            f"source.url {redact(url)!r}: must name a .tar.gz, .tgz, .tar or .zip file"
        ) from None
    wanted = None
    if checksum:
        try:
            wanted = checksums.parse_sha256(checksum, "archive source", "attributes.checksum")
        except ResourceError as error:
            raise SourceError(str(error)) from None
        cached = cache / f"{wanted[:16]}-{filename}"
        if checksums.file_sha256(cached) == wanted:
            return _facts(cached, wanted)
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f".download-{filename}"
    try:
        digest = fetch_to(
            partial,
            url,
            wanted,
            timeout=timeout,
            mode=0o600,
            what="archive source",
            field_name="attributes.checksum",
        )
    except ResourceError as error:
        raise SourceError(str(error)) from None
    cached = cache / f"{digest[:16]}-{filename}"
    partial.replace(cached)
    _prune(cache, keep=cached)
    return _facts(cached, digest)


def _prune(cache: Path, keep: Path) -> None:
    others = sorted(
        (p for p in cache.iterdir() if p.is_file() and p != keep),
        key=lambda p: p.stat().st_mtime,
    )
    for old in others[: max(0, len(others) - KEEP_CACHED)]:
        old.unlink(missing_ok=True)


def _facts(path: Path, digest: str) -> ArchiveFacts:
    try:
        found = archives.members(path)
    except archives.ArchiveError as error:
        raise SourceError(str(error)) from None
    strip = _common_top(found)
    problems = archives.unsafe(found, strip)
    if problems:
        shown = "; ".join(problems[:SHOWN_PROBLEMS])
        more = (
            f" (and {len(problems) - SHOWN_PROBLEMS} more)"
            if len(problems) > SHOWN_PROBLEMS
            else ""
        )
        raise SourceError(f"source.url: the archive would write outside the release: {shown}{more}")
    names = {archives.stripped(m.name, strip) for m in found}
    install = None
    if "requirements.txt" in names:
        install = "requirements"
    elif "pyproject.toml" in names or "setup.py" in names:
        install = "project"
    procfile = _read(path, found, strip, "Procfile") if "Procfile" in names else None
    return ArchiveFacts(f"sha256:{digest}", path, procfile, install, strip)


def _common_top(found: list[archives.Member]) -> int:
    """1 when every entry is under one top directory, else 0."""
    tops = set()
    for member in found:
        name = archives.stripped(member.name, 0) or ""
        top, slash, _ = name.partition("/")
        if not slash and member.type != "dir":
            return 0  # a file at the top level
        tops.add(top)
    return 1 if len(tops) == 1 else 0


def _read(path: Path, found: list[archives.Member], strip: int, wanted: str) -> str | None:
    """The text of the entry `wanted` (after stripping), or None."""
    stored = next((m for m in found if archives.stripped(m.name, strip) == wanted), None)
    if stored is None or stored.type != "file":
        return None
    if archives.archive_format(path.name) == "zip":
        with zipfile.ZipFile(path) as archive:
            return archive.read(stored.name).decode(errors="replace")
    with tarfile.open(path, "r:*") as tar:
        handle = tar.extractfile(stored.name)
        return handle.read().decode(errors="replace") if handle else None
