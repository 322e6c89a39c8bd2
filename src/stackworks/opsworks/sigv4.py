"""AWS Signature Version 4, as the OpsWorks endpoint checks it (service `opsworks`, any region).

Pure functions over the request as received: no I/O, no clock of their own. The wire parses the
`Authorization` header (`parse_authorization`), finds the access key by its id, then calls
`verify` with the key's secret and the time now. Signatures are compared in constant time.

What is required beyond the algorithm itself: `host`, `x-amz-date` and `x-amz-target` among the
signed headers (the target decides the operation, so it may not be changed in transit), the
credential scope's date equal to `x-amz-date`'s, its service `opsworks`, the payload signed (its
SHA-256 is part of the signature), and `x-amz-date` within `MAX_SKEW` of the server's clock.
Within that window a captured request can be replayed, as with AWS itself; use HTTPS.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from stackworks.opsworks.errors import IncompleteSignatureException, InvalidSignatureException

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "opsworks"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=5)
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
REQUIRED_SIGNED_HEADERS = ("host", "x-amz-date", "x-amz-target")
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)

_FIELD = re.compile(r"\s*(Credential|SignedHeaders|Signature)\s*=\s*([^,\s]*)\s*")


@dataclass(frozen=True)
class Request:
    """An HTTP request as the signature covers it; `headers` as received (any case, repeats)."""

    method: str
    path: str  # the raw path, percent-encoding and all
    query: str  # the raw query string, without "?"
    headers: Sequence[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name]


@dataclass(frozen=True)
class Authorization:
    """A SigV4 `Authorization` header's parts."""

    access_key_id: str
    date: str  # YYYYMMDD
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminator}"


def parse_authorization(header: str) -> Authorization:
    """The parts of `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(
            f"Unsupported AWS 'algorithm': {algorithm[:40]!r}; the endpoint takes {ALGORITHM}"
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        match = _FIELD.fullmatch(part)
        if match is None:
            raise IncompleteSignatureException(
                f"Authorization header part {part[:60]!r} is invalid"
            )
        fields[match.group(1)] = match.group(2)
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if name not in fields]
    if missing:
        raise IncompleteSignatureException(
            f"Authorization header requires {', '.join(repr(m) for m in missing)} parameter(s)"
        )
    credential = fields["Credential"].split("/")
    if len(credential) != 5 or not all(credential):
        raise IncompleteSignatureException(
            "Credential should be KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request"
        )
    key_id, date, region, service, terminator = credential
    return Authorization(
        access_key_id=key_id,
        date=date,
        region=region,
        service=service,
        terminator=terminator,
        signed_headers=tuple(fields["SignedHeaders"].split(";")),
        signature=fields["Signature"],
    )


# --- the algorithm --------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def canonical_headers(request: Request, names: Sequence[str]) -> str:
    return "".join(
        f"{name}:{','.join(' '.join(v.split()) for v in request.header(name))}\n" for name in names
    )


def payload_hash(request: Request) -> str:
    declared = request.header("x-amz-content-sha256")
    return declared[0] if declared else _sha256(request.body)


def canonical_request(request: Request, signed_headers: Sequence[str]) -> str:
    return "\n".join(
        (
            request.method.upper(),
            quote(request.path or "/", safe="/~"),
            canonical_query(request.query),
            canonical_headers(request, signed_headers),
            ";".join(signed_headers),
            payload_hash(request),
        )
    )


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return "\n".join((ALGORITHM, amz_date, scope, _sha256(canonical.encode())))


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, TERMINATOR)


def signature(secret: str, request: Request, authorization: Authorization, amz_date: str) -> str:
    """The signature `secret` gives the request, under the header's scope and signed headers."""
    canonical = canonical_request(request, authorization.signed_headers)
    key = signing_key(secret, authorization.date, authorization.region, authorization.service)
    text = string_to_sign(amz_date, authorization.scope, canonical)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


# --- the checks -----------------------------------------------------------------------------


def request_date(request: Request) -> tuple[str, datetime]:
    """`x-amz-date` as given and as a time; refused when missing or malformed."""
    values = request.header("x-amz-date")
    if not values:
        raise IncompleteSignatureException("Authorization requires an X-Amz-Date header")
    try:
        return values[0], datetime.strptime(values[0], DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise IncompleteSignatureException(
            f"X-Amz-Date {values[0][:40]!r} is not of the form YYYYMMDDTHHMMSSZ"
        ) from None


def check_form(request: Request, authorization: Authorization) -> None:
    """What makes a header a whole SigV4 one for this service, before any secret is used."""
    signed = authorization.signed_headers
    if list(signed) != sorted(signed) or any(name != name.lower() for name in signed):
        raise IncompleteSignatureException(
            "SignedHeaders must be lower case, sorted, ';'-separated"
        )
    for name in REQUIRED_SIGNED_HEADERS:
        if name not in signed:
            raise InvalidSignatureException(f"'{name}' must be a signed header")
    if authorization.service != SERVICE:
        raise InvalidSignatureException(
            f"Credential should be scoped to correct service: '{SERVICE}'."
        )
    if authorization.terminator != TERMINATOR:
        raise InvalidSignatureException(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{authorization.terminator[:40]}'."
        )
    amz_date, _ = request_date(request)
    if amz_date[:8] != authorization.date:
        raise InvalidSignatureException(
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{authorization.date[:8]}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    if payload_hash(request) == UNSIGNED_PAYLOAD:
        raise InvalidSignatureException("The endpoint takes signed payloads only")


def check_time(request: Request, now: datetime) -> None:
    """Refuse a request signed more than MAX_SKEW before (or after) `now`."""
    amz_date, at = request_date(request)
    stamp = now.astimezone(UTC).strftime(DATE_FORMAT)
    if at < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(DATE_FORMAT)
        raise InvalidSignatureException(
            f"Signature expired: {amz_date} is now earlier than {earliest} ({stamp} - 5 min.)"
        )
    if at > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(DATE_FORMAT)
        raise InvalidSignatureException(
            f"Signature not yet current: {amz_date} is still later than {latest} ({stamp} + 5 min.)"
        )


def verify(request: Request, authorization: Authorization, secret: str, now: datetime) -> None:
    """Refuse (InvalidSignatureException) unless the request was signed with `secret` within
    the allowed skew of `now`; the body's SHA-256 must match what was signed."""
    check_form(request, authorization)
    check_time(request, now)
    declared = request.header("x-amz-content-sha256")
    if declared and not hmac.compare_digest(declared[0], _sha256(request.body)):
        raise InvalidSignatureException("The provided 'x-amz-content-sha256' header does not match")
    amz_date, _ = request_date(request)
    expected = signature(secret, request, authorization, amz_date)
    if not hmac.compare_digest(expected.encode(), authorization.signature.encode()):
        raise InvalidSignatureException(MISMATCH)
