"""The SigV4 check against signatures botocore's own signer makes: what botocore signs
verifies, and any change to what it covers (secret, body, target, date, host) does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from stackworks.opsworks import sigv4
from stackworks.opsworks.errors import IncompleteSignatureException, InvalidSignatureException

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
NOW = datetime(2026, 12, 1, 21, 30, 0, tzinfo=UTC)
BODY = b'{"StackIds": ["6f2c4f4e-0000-4000-8000-000000000000"]}'


def signed(
    body: bytes = BODY,
    *,
    secret: str = SECRET,
    at: datetime = NOW,
    region: str = "eu-west-1",
    service: str = "opsworks",
    url: str = "http://127.0.0.1:8700/opsworks",
) -> sigv4.Request:
    """A request as botocore signs it for the OpsWorks client, as the server receives it."""
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={
            "X-Amz-Target": "OpsWorks_20130218.DescribeStacks",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with mock.patch("botocore.auth.get_current_datetime", lambda: at.replace(tzinfo=None)):
        SigV4Auth(Credentials(KEY_ID, secret), service, region).add_auth(request)
    host = url.split("/")[2]
    headers = [("host", host), *((k, v) for k, v in request.headers.items())]
    return sigv4.Request("POST", "/" + url.split("/", 3)[3], "", headers, body)


def verify(request: sigv4.Request, secret: str = SECRET, now: datetime = NOW) -> None:
    authorization = sigv4.parse_authorization(request.header("authorization")[0])
    sigv4.verify(request, authorization, secret, now)


def with_header(request: sigv4.Request, name: str, value: str) -> sigv4.Request:
    headers = [(k, v) for k, v in request.headers if k.lower() != name] + [(name, value)]
    return sigv4.Request(request.method, request.path, request.query, headers, request.body)


def test_a_request_botocore_signed_verifies_in_any_region() -> None:
    for region in ("us-east-1", "eu-west-1", "stackworks"):
        verify(signed(region=region))


def test_the_parsed_header_names_the_key_scope_and_signed_headers() -> None:
    header = signed().header("authorization")[0]
    parsed = sigv4.parse_authorization(header)
    assert parsed.access_key_id == KEY_ID
    assert parsed.scope == "20261201/eu-west-1/opsworks/aws4_request"
    assert {"host", "x-amz-date", "x-amz-target"} <= set(parsed.signed_headers)


def test_the_signature_is_the_one_botocore_computed() -> None:
    request = signed()
    parsed = sigv4.parse_authorization(request.header("authorization")[0])
    ours = sigv4.signature(SECRET, request, parsed, request.header("x-amz-date")[0])
    assert ours == parsed.signature


def test_a_wrong_secret_is_refused_with_aws_words() -> None:
    with pytest.raises(InvalidSignatureException, match="does not match the signature"):
        verify(signed(secret="not-the-secret"))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: sigv4.Request(r.method, r.path, r.query, r.headers, r.body + b" "),
        lambda r: with_header(r, "x-amz-target", "OpsWorks_20130218.DeleteStack"),
        lambda r: with_header(r, "host", "127.0.0.2:8700"),
        lambda r: sigv4.Request(r.method, "/other", r.query, r.headers, r.body),
        lambda r: sigv4.Request(r.method, r.path, "a=1", r.headers, r.body),
    ],
    ids=["body", "target", "host", "path", "query"],
)
def test_a_change_to_anything_signed_breaks_the_signature(tamper: object) -> None:
    with pytest.raises(InvalidSignatureException):
        verify(tamper(signed()))  # type: ignore[operator]


def test_a_signature_older_than_five_minutes_has_expired() -> None:
    request = signed(at=NOW - timedelta(minutes=5, seconds=1))
    with pytest.raises(InvalidSignatureException, match=r"^Signature expired: 20261201T212459Z"):
        verify(request)
    verify(signed(at=NOW - timedelta(minutes=4, seconds=59)))


def test_a_signature_from_more_than_five_minutes_ahead_is_not_yet_current() -> None:
    with pytest.raises(InvalidSignatureException, match="not yet current"):
        verify(signed(at=NOW + timedelta(minutes=6)))


def test_a_signature_for_another_service_is_refused() -> None:
    with pytest.raises(InvalidSignatureException, match="scoped to correct service: 'opsworks'"):
        verify(signed(service="ec2"))


def test_an_unsigned_target_is_refused_before_any_secret_is_used() -> None:
    request = signed()
    header = request.header("authorization")[0].replace("x-amz-target", "x-amz-targex")
    parsed = sigv4.parse_authorization(header)
    with pytest.raises(InvalidSignatureException, match="'x-amz-target' must be a signed header"):
        sigv4.check_form(request, parsed)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer swk_abc",
        "AWS4-HMAC-SHA256 Credential=AKIA/20261201/us-east-1/opsworks/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKIA, SignedHeaders=host, Signature=00",
    ],
    ids=["other scheme", "missing parts", "short credential"],
)
def test_a_header_that_is_not_a_whole_sigv4_one_is_incomplete(header: str) -> None:
    with pytest.raises(IncompleteSignatureException):
        sigv4.parse_authorization(header)
