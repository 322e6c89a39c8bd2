"""Which repository URLs and revisions may reach git: plain transports only, no options."""

from __future__ import annotations

import pytest

from stackworks.domain.git_sources import UnsafeGitSource, check_git_revision, check_git_url


@pytest.mark.parametrize(
    "url",
    [
        "https://git.example.invalid/shop.git",
        "http://127.0.0.1:8080/shop.git",
        "ssh://git@git.example.invalid/shop.git",
        "git://git.example.invalid/shop.git",
        "file:///srv/git/shop.git",
        "git@git.example.invalid:team/shop.git",
        "/srv/git/shop.git",
        "/srv/git/my shop.git",
        "shop.git",
    ],
)
def test_plain_transports_and_local_paths_are_allowed(url: str) -> None:
    assert check_git_url(url) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ext::sh -c touch% /tmp/pwned", "ext:: remote helper"),
        ("fd::3", "fd:: remote helper"),
        ("--upload-pack=touch /tmp/pwned", "starts with '-'"),
        ("-oProxyCommand=x", "starts with '-'"),
        ("gopher://example.invalid/x", "gopher:// is not allowed"),
        ("file://otherhost/srv/x", "local absolute path"),
        ("https://example.invalid/x\n--upload-pack=y", "control character"),
        ("", "required"),
    ],
)
def test_helpers_options_and_other_schemes_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeGitSource, match=reason):
        check_git_url(url)


@pytest.mark.parametrize("revision", ["HEAD", "main", "v1.2.3", "release/2024-01", "a" * 40])
def test_branches_tags_and_shas_are_allowed(revision: str) -> None:
    assert check_git_revision(revision) == revision


@pytest.mark.parametrize(
    ("revision", "reason"),
    [
        ("--output=/tmp/x", "starts with '-'"),
        ("main other", "white space"),
        ("main..evil", "single branch"),
        ("", "required"),
    ],
)
def test_option_like_or_compound_revisions_are_refused(revision: str, reason: str) -> None:
    with pytest.raises(UnsafeGitSource, match=reason):
        check_git_revision(revision)
