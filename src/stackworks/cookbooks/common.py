"""Declarations several built-in cookbooks share.

`fetch_archives` is seed 001's `buildout_cache_archives` (an egg or download cache fetched and
expanded before a build) written with the engine's own resources: each item becomes a
`remote_file` (downloaded once per checksum, basic auth from `user`/`password`) and an
`archive` (unpacked once per checksum into `path`, relative to the cookbook's base directory).
"""

from __future__ import annotations

import posixpath
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.converge.archives import ArchiveError, archive_format

if TYPE_CHECKING:
    from stackworks.converge import Recipe
    from stackworks.converge.resources.archive import Archive


class ArchiveItemError(ValueError):
    """A `buildout_cache_archives`-style item that cannot be used; the message names the field."""


def fetch_archives(
    r: Recipe,
    items: Sequence[Mapping[str, Any]],
    base_dir: str | Path,
    *,
    what: str = "buildout_cache_archives",
) -> list[Archive]:
    """Declare a download and an unpack per item `{"url", "path", "checksum", "user"?,
    "password"?}`; `path` is relative to `base_dir`. A bad item fails the recipe naming it
    (`buildout_cache_archives[1].checksum: ...`) before anything is declared."""
    try:
        checked = [_check(item, f"{what}[{n}]", Path(base_dir)) for n, item in enumerate(items)]
    except ArchiveItemError as error:
        r.fail(str(error))
    downloads = Path(r.roots["var"]) / "stackworks" / "archives"
    r.directory(str(downloads), mode=0o700)
    handles = []
    for item, url, destination, filename in checked:
        local = downloads / filename
        r.directory(str(destination), mode=0o755)
        r.remote_file(
            str(local),
            source=url,
            checksum=str(item["checksum"]),
            user=item.get("user"),
            password=item.get("password"),
            mode=0o600,
        )
        unpack = r.archive(str(local), destination=str(destination), checksum=str(item["checksum"]))
        handles.append(unpack)
    return handles


def _check(
    item: Mapping[str, Any], label: str, base_dir: Path
) -> tuple[Mapping[str, Any], str, Path, str]:
    """The item, its URL, its absolute destination and the download's file name; a
    `ValueError` naming the field when the item is not usable."""
    if not isinstance(item, Mapping):
        raise ArchiveItemError(
            f"{label}: expected an object with url, path and checksum, got {item!r}"
        )
    for key in ("url", "path", "checksum"):
        if not item.get(key):
            raise ArchiveItemError(f"{label}.{key}: required")
    url = str(item["url"])
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("file", "http", "https"):
        raise ArchiveItemError(f"{label}.url: must be a file://, http:// or https:// URL")
    filename = posixpath.basename(parts.path)
    try:
        archive_format(filename)
    except ArchiveError:
        raise ArchiveItemError(f"{label}.url: must end in .tar.gz, .tgz, .tar or .zip") from None
    checksum = str(item["checksum"]).lower()
    digest = checksum.removeprefix("sha256:")
    if not checksum.startswith("sha256:") or len(digest) != 64:
        raise ArchiveItemError(f"{label}.checksum: must be 'sha256:' followed by 64 hex digits")
    relative = posixpath.normpath(str(item["path"]))
    if relative.startswith("/") or relative == ".." or relative.startswith("../"):
        raise ArchiveItemError(f"{label}.path: must be relative to {base_dir} and stay inside it")
    return item, url, base_dir / relative, f"{digest[:16]}-{filename}"
