"""The VCL and varnishd's arguments: rendered from the attributes, checked, and Varnish's own
verdict (`varnishd -C`); the admin commands varnish::purge and configure run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.varnish import admin, vcl
from stackworks.cookbooks.varnish.attributes import DEFAULTS

VARNISHD = shutil.which("varnishd", path="/usr/sbin:/usr/bin:/usr/local/sbin")
ROOTS = {"etc": "/i/etc", "var": "/i/var", "run": "/i/run"}


def _settings(**overrides: Any) -> dict[str, Any]:
    return {**DEFAULTS["varnish"], **overrides}


def _render(**overrides: Any) -> str:
    return vcl.render_vcl(
        _settings(**overrides),
        backend_host="10.0.0.5",
        backend_port=8080,
        purgers=["10.0.0.5", "10.9.9.9", "10.0.0.5"],
    )


def test_the_vcl_sends_to_the_local_haproxy_and_marks_hits() -> None:
    text = _render()
    assert '.host = "10.0.0.5";\n    .port = "8080";' in text
    assert "acl purgers {\n" + '    "10.0.0.5";\n    "10.9.9.9";\n}' in text
    assert 'set resp.http.X-Cache = "HIT";' in text and 'set resp.http.X-Cache = "MISS";' in text
    assert "return (purge);" in text
    assert ".first_byte_timeout = 300s;" in text


def test_requests_with_authorization_or_a_plone_cookie_pass_and_other_cookies_are_dropped() -> None:
    text = _render()
    assert 'req.http.Authorization || req.http.Cookie ~ "(^|;\\s*)(__ac|_ZopeId|__cp)="' in text
    assert "unset req.http.Cookie;" in text
    bare = _render(pass_cookies=[])
    assert "if (req.http.Authorization) {" in bare and "__ac" not in bare


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"pass_cookies": ["__ac", "a|b"]}, r"varnish\.pass_cookies"),
        ({"pass_cookies": "__ac"}, r"varnish\.pass_cookies"),
        ({"first_byte_timeout": "60s"}, r"varnish\.first_byte_timeout"),
        ({"connect_timeout": 0}, r"varnish\.connect_timeout"),
    ],
)
def test_a_value_that_cannot_go_into_the_vcl_is_refused_naming_it(
    overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(vcl.VclError, match=fragment):
        _render(**overrides)


def test_varnishd_runs_in_the_foreground_with_every_file_under_the_instance() -> None:
    paths = vcl.layout(ROOTS)
    arguments = vcl.daemon_arguments(
        _settings(), listen=["10.0.0.5"], admin="127.0.0.1:6082", paths=paths, jail="none"
    )
    assert arguments[:3] == ["-F", "-a", "10.0.0.5:6081"]
    pairs = dict(zip(arguments[3::2], arguments[4::2], strict=True))
    assert pairs == {
        "-T": "127.0.0.1:6082",
        "-S": "/i/etc/varnish/secret",
        "-n": "/i/var/varnish",
        "-P": "/i/run/varnishd.pid",
        "-f": "/i/etc/varnish/default.vcl",
        "-s": "malloc,256m",
        "-t": "120",
        "-j": "none",
    }


@pytest.mark.parametrize(
    ("overrides", "jail", "fragment"),
    [
        ({"storage_size": "lots"}, None, r"varnish\.storage_size"),
        ({"port": 0}, None, r"varnish\.port"),
        ({"default_ttl": True}, None, r"varnish\.default_ttl"),
        ({}, "solaris", r"varnish\.jail"),
    ],
)
def test_bad_daemon_settings_are_refused_naming_the_attribute(
    overrides: dict[str, Any], jail: str | None, fragment: str
) -> None:
    with pytest.raises(vcl.VclError, match=fragment):
        vcl.daemon_arguments(
            _settings(**overrides),
            listen=["10.0.0.5"],
            admin="127.0.0.1:6082",
            paths=vcl.layout(ROOTS),
            jail=jail,
        )


def test_the_admin_cli_listens_on_loopback_only() -> None:
    assert vcl.admin_address("127.77.0.3", _settings()) == "127.77.0.3:6082"
    assert vcl.admin_address("10.0.0.5", _settings(admin_port=7000)) == "127.0.0.1:7000"


def test_purge_bans_each_regexp_with_an_argv_quoted_for_varnishs_cli() -> None:
    argv = admin.ban_argv("/usr/bin/varnishadm", "127.0.0.1:6082", "/s", r'\.png$|"x"')
    assert argv == [
        "/usr/bin/varnishadm",
        "-T",
        "127.0.0.1:6082",
        "-S",
        "/s",
        "ban",
        "req.url",
        "~",
        '"\\\\.png$|\\"x\\""',
    ]
    assert admin.purge_urls((".*", "/news$")) == [".*", "/news$"]


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("/news", r"varnish\.purge_urls: expected a non-empty list"),
        ([], r"varnish\.purge_urls: expected a non-empty list"),
        (["/ok", "("], r"varnish\.purge_urls\[1\]: '\(' is not a regular expression"),
        (["/a\nban obj.status ~ ."], r"varnish\.purge_urls\[0\]: control characters"),
        ([""], r"varnish\.purge_urls\[0\]"),
    ],
)
def test_bad_purge_regexps_are_refused_before_any_ban(value: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        admin.purge_urls(value)


@pytest.mark.skipif(VARNISHD is None, reason="varnish is not installed")
@pytest.mark.parametrize("pass_cookies", [["__ac", "_ZopeId"], []])
def test_varnish_compiles_the_rendered_vcl(tmp_path: Path, pass_cookies: list[str]) -> None:
    path = tmp_path / "default.vcl"
    path.write_text(_render(pass_cookies=pass_cookies))
    assert VARNISHD is not None
    done = subprocess.run(
        [VARNISHD, "-C", "-j", "none", "-n", str(tmp_path / "work"), "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
