"""remote_file[...]: download once per checksum, atomically, never showing the password."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks

from support.http_files import Served, serve

BODY = b"eggs and more eggs\n"
SUM = "sha256:" + hashlib.sha256(BODY).hexdigest()


@pytest.fixture
def served() -> Iterator[Served]:
    with serve() as found:
        found.files["/eggs.txt"] = BODY
        yield found


def _recipe(cookbooks: Cookbooks, target: Path, **props: object) -> None:
    args = ", ".join(f"{k}={v!r}" for k, v in props.items())
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.remote_file({str(target)!r}, {args})
        """,
    )


def test_downloads_once_then_leaves_a_file_with_that_checksum_alone(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    target = tmp_path / "eggs.txt"
    _recipe(cookbooks, target, source=f"{served.url}/eggs.txt", checksum=SUM, mode=0o640)
    dry = converge(["demo"], dry_run=True)
    assert dry.statuses() == [(f"remote_file[{target}]", "would_change")]
    assert not target.exists() and served.requests == []
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert target.read_bytes() == BODY
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    again = converge(["demo"])
    assert again.statuses()[0][1] == "unchanged"
    assert "already has sha256" in again.report.resources[0].message
    assert served.paths() == ["/eggs.txt"]


def test_a_download_with_another_checksum_fails_and_keeps_the_old_file(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    target = tmp_path / "eggs.txt"
    target.write_bytes(b"old\n")
    wrong = "sha256:" + "0" * 64
    _recipe(cookbooks, target, source=f"{served.url}/eggs.txt", checksum=wrong)
    run = converge(["demo"])
    assert not run.report.ok
    assert "checksum mismatch" in (run.report.error or "")
    assert hashlib.sha256(BODY).hexdigest() in (run.report.error or "")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".eggs")] == []


def test_basic_auth_is_sent_and_the_password_never_shows(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    served.auth = ("me", "hunter2")
    target = tmp_path / "eggs.txt"
    url = f"{served.url}/eggs.txt"
    _recipe(cookbooks, target, source=url, checksum=SUM, user="me", password="hunter2")
    run = converge(["demo"])
    assert run.report.ok, run.report.error
    assert target.read_bytes() == BODY
    _recipe(cookbooks, tmp_path / "x.txt", source=url, checksum=SUM, user="me", password="nope")
    refused = converge(["demo"])
    assert "HTTP 401" in (refused.report.error or "")
    shown = refused.output + str(refused.report.to_dict()) + run.output + str(run.report.to_dict())
    assert "hunter2" not in shown and "nope" not in shown


def test_credentials_inside_the_url_are_used_but_never_shown(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    served.auth = ("me", "s3cret")
    target = tmp_path / "eggs.txt"
    url = served.url.replace("http://", "http://me:s3cret@") + "/eggs.txt"
    _recipe(cookbooks, target, source=url, checksum=SUM)
    run = converge(["demo"])
    assert run.report.ok, run.report.error
    assert "s3cret" not in run.output + str(run.report.to_dict())


def test_file_urls_are_fetched_too(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    source = tmp_path / "src.bin"
    source.write_bytes(BODY)
    target = tmp_path / "copy.bin"
    _recipe(cookbooks, target, source=source.as_uri(), checksum=SUM)
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert target.read_bytes() == BODY


@pytest.mark.parametrize(
    ("source", "checksum", "error"),
    [
        (
            "ftp://127.0.0.1/x",
            SUM,
            "source 'ftp://127.0.0.1/x' is not a file://, http:// or https://",
        ),
        ("/tmp/x", SUM, "source '/tmp/x' is not a file://"),
        ("ftp://me:pw@127.0.0.1/x", SUM, "source 'ftp://127.0.0.1/x' is not"),
        ("http://127.0.0.1/x", "md5:abc", "checksum must be 'sha256:' followed by 64 hex digits"),
        ("http://127.0.0.1/x", "", "checksum must be 'sha256:'"),
    ],
)
def test_bad_properties_fail_naming_the_field_before_any_traffic(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    tmp_path: Path,
    source: str,
    checksum: str,
    error: str,
) -> None:
    _recipe(cookbooks, tmp_path / "f", source=source, checksum=checksum)
    run = converge(["demo"])
    assert not run.report.ok
    assert error in (run.report.error or "")
    assert "me:pw" not in (run.report.error or "")  # only the redacted URL
    assert not (tmp_path / "f").exists()


def test_a_missing_url_fails_with_the_http_status(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    _recipe(cookbooks, tmp_path / "f", source=f"{served.url}/nope", checksum=SUM)
    run = converge(["demo"])
    assert "answered HTTP 404" in (run.report.error or "")


def test_redirects_are_followed_without_taking_the_credentials_to_another_host(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    with serve() as mirror:
        mirror.files["/eggs.txt"] = BODY
        served.redirects["/eggs.txt"] = f"{mirror.url}/eggs.txt"
        target = tmp_path / "eggs.txt"
        url = f"{served.url}/eggs.txt"
        _recipe(cookbooks, target, source=url, checksum=SUM, user="me", password="hunter2")
        run = converge(["demo"])
        assert run.report.ok, run.report.error
        assert served.requests[0][1].startswith("Basic ")
        assert mirror.requests == [("/eggs.txt", "")]


def test_a_redirect_to_another_scheme_is_refused(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, served: Served
) -> None:
    served.redirects["/eggs.txt"] = "ftp://127.0.0.1/eggs.txt"
    _recipe(cookbooks, tmp_path / "f", source=f"{served.url}/eggs.txt", checksum=SUM)
    run = converge(["demo"])
    assert "redirected to 'ftp://127.0.0.1/eggs.txt': only http(s) is followed" in (
        run.report.error or ""
    )
    assert not (tmp_path / "f").exists()
