"""remote_file[path]: a file downloaded from a URL, trusted only once its checksum matches.

The URL (`source`) is `file://`, `http://` or `https://`; anything else is refused before any
network traffic. The `checksum` (`sha256:<hex>`) is required: a file that already has it is left
alone, so a second run downloads nothing, and a download with any other content fails with
both digests and leaves the old file in place (the write is atomic). `user`/`password` are sent
as HTTP basic auth; the password is a secret and never appears in a log, diff or report, nor
does any user:password written inside the URL.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from stackworks.atomic import atomic_write
from stackworks.converge import checksums, files
from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

SCHEMES = ("file", "http", "https")


def redact(url: str) -> str:
    """`url` without credentials: `https://me:pw@host/x` -> `https://host/x`."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def check_url(url: str, what: str, field_name: str = "source") -> str:
    """The URL's scheme when it is one remote_file fetches; otherwise fail naming the field."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if not url or scheme not in SCHEMES:
        raise ResourceError(
            f"{what}: {field_name} {redact(url)!r} is not a file://, http:// or https:// URL"
        )
    return scheme


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only, and never carries the credentials to another host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        target = urllib.parse.urlsplit(newurl)
        if target.scheme not in ("http", "https"):
            raise ResourceError(f"redirected to {redact(newurl)!r}: only http(s) is followed")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and target.netloc != urllib.parse.urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


_OPENER = urllib.request.build_opener(_Redirects)


def stream(
    url: str, *, user: str | None, password: str | None, timeout: float, what: str
) -> Iterator[bytes]:
    """The bytes at `url`, in chunks (a buildout egg cache can be large); errors say what
    went wrong without any credential in them."""
    parts = urllib.parse.urlsplit(url)
    user = user if user is not None else parts.username
    password = password if password is not None else parts.password
    clean = redact(url)
    request = urllib.request.Request(clean)
    if user is not None and parts.scheme in ("http", "https"):
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            while chunk := response.read(checksums.CHUNK):
                yield chunk
    except ResourceError as error:
        raise ResourceError(f"{what}: {clean}: {error}") from None
    except urllib.error.HTTPError as error:
        raise ResourceError(f"{what}: {clean} answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ResourceError(f"{what}: cannot download {clean}: {reason}") from None


def fetch_to(
    path: Path,
    url: str,
    wanted: str | None,
    *,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 300.0,
    mode: int = 0o644,
    uid: int = -1,
    gid: int = -1,
    what: str,
    field_name: str = "checksum",
) -> str:
    """Download `url` to `path` atomically and return its sha256 hex digest. With `wanted`
    (a hex digest), other content fails naming `field_name` and `path` keeps its old content."""
    digest = hashlib.sha256()
    size = 0

    def hashed() -> Iterator[bytes]:
        nonlocal size
        for chunk in stream(url, user=user, password=password, timeout=timeout, what=what):
            digest.update(chunk)
            size += len(chunk)
            yield chunk
        got = digest.hexdigest()
        if wanted is not None and got != wanted:
            raise ResourceError(
                f"{what}: {field_name} mismatch for {redact(url)}: expected sha256:{wanted}, "
                f"got sha256:{got} ({size} bytes); the file was left unchanged"
            )

    atomic_write(path, hashed(), mode=mode, uid=uid, gid=gid)
    return digest.hexdigest()


@dataclass(eq=False, kw_only=True)
class RemoteFile(Resource):
    kind: ClassVar[str] = "remote_file"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "delete")

    path: str
    source: str = ""
    checksum: str = ""
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    mode: int | None = 0o644
    owner: str | None = None
    group: str | None = None
    timeout: float = 300.0

    def check(self, ctx: Context) -> Plan:
        path = Path(self.path)
        if "delete" in self.action:
            if path.exists() or path.is_symlink():
                return Plan(True, "delete")
            return Plan.noop("already absent")
        check_url(self.source, str(self))
        wanted = checksums.parse_sha256(self.checksum, str(self))
        if path.is_dir() and not path.is_symlink():
            raise ResourceError(f"{self}: {path} is a directory")
        uid, gid = files.owner_ids(self.owner, self.group, str(self))
        current = checksums.file_sha256(path)
        if current == wanted:
            changes = files.attribute_changes(path, self.mode, uid, gid)
            if not changes:
                return Plan.noop(f"already has sha256 {wanted[:12]}")
            return Plan(True, ", ".join(changes), data=False)
        verb = "download" if current is None else f"replace (sha256 {current[:12]}) with"
        return Plan(True, f"{verb} {redact(self.source)} (sha256 {wanted[:12]})", data=True)

    def apply(self, ctx: Context, plan: Plan) -> None:
        path = Path(self.path)
        if "delete" in self.action:
            path.unlink()
            return
        uid, gid = files.owner_ids(self.owner, self.group, str(self))
        if not plan.data:
            files.set_attributes(path, self.mode, uid, gid)
            return
        if not path.parent.is_dir():
            raise ResourceError(f"{self}: directory {path.parent} does not exist")
        fetch_to(
            path,
            self.source,
            checksums.parse_sha256(self.checksum, str(self)),
            user=self.user,
            password=self.password,
            timeout=self.timeout,
            mode=self.mode if self.mode is not None else 0o644,
            uid=uid,
            gid=gid,
            what=str(self),
        )
