"""git[...] checkouts and cookbook sources, against real repositories on the local disk."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge.cookbook_sources import (
    CookbookSourceError,
    builtin_cookbooks,
    fetch_cookbooks,
    resolve_git_ref,
)

GIT_ID = [
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@example.invalid",
    "-c",
    "init.defaultBranch=main",
]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_ID, "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "origin"
    path.mkdir()
    git(path, "init", "-q")
    (path / "app.py").write_text("v1\n")
    git(path, "add", "app.py")
    git(path, "commit", "-qm", "one")
    git(path, "tag", "v1")
    return path


def commit(repo: Path, text: str) -> str:
    (repo / "app.py").write_text(text)
    git(repo, "commit", "-qam", text)
    return git(repo, "rev-parse", "HEAD")


def test_checkout_follows_the_branch_and_second_run_changes_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, repo: Path, tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            g = r.git({str(checkout)!r}, repository={str(repo)!r}, revision=r.node.rev)
            r.log(f"declared={{g.resolved_commit}}")
    """,
    )
    dry = converge(["demo"], attributes={"rev": "main"}, dry_run=True)
    assert dry.statuses() == [(f"git[{checkout}]", "would_change")]
    assert not checkout.exists()
    first = converge(["demo"], attributes={"rev": "main"})
    assert first.report.ok, first.report.error
    assert (checkout / "app.py").read_text() == "v1\n"
    assert converge(["demo"], attributes={"rev": "main"}).statuses()[0][1] == "unchanged"
    new = commit(repo, "v2\n")
    moved = converge(["demo"], attributes={"rev": "main"})
    assert moved.statuses()[0][1] == "changed"
    assert (checkout / "app.py").read_text() == "v2\n"
    assert git(checkout, "rev-parse", "HEAD") == new
    back = converge(["demo"], attributes={"rev": "v1"})
    assert back.statuses()[0][1] == "changed"
    assert (checkout / "app.py").read_text() == "v1\n"


def test_checkout_by_sha_checks_out_that_commit_and_resolves_it(
    cookbooks: Cookbooks, converge: ConvergeFn, repo: Path, tmp_path: Path
) -> None:
    first = git(repo, "rev-parse", "HEAD")
    commit(repo, "v2\n")
    checkout = tmp_path / "checkout"
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            g = r.git({str(checkout)!r}, repository={str(repo)!r}, revision={first!r})
            seen = lambda: r.log(f"resolved={{g.resolved_commit}}") or True  # noqa: E731
            r.execute("show", command=["true"], only_if=seen)
    """,
    )
    run = converge(["demo"])
    assert run.report.ok, run.report.error
    assert git(checkout, "rev-parse", "HEAD") == first
    assert (checkout / "app.py").read_text() == "v1\n"
    assert f"[demo::default] resolved={first}" in run.lines


def test_a_missing_repository_fails_with_gits_message(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.git({str(tmp_path / "co")!r}, repository={str(tmp_path / "nope")!r})
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert "does not appear to be a git repository" in run.report.resources[0].message


def test_resolve_git_ref_names_branches_tags_and_keeps_shas(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert resolve_git_ref(str(repo), "main") == head
    assert resolve_git_ref(str(repo), "v1") == head
    assert resolve_git_ref(str(repo), "a" * 40) == "a" * 40
    with pytest.raises(CookbookSourceError, match="ref 'nosuch' not found"):
        resolve_git_ref(str(repo), "nosuch")


def test_fetch_cookbooks_checks_out_the_pinned_commit_and_ends_with_builtins(
    repo: Path, tmp_path: Path
) -> None:
    pinned = git(repo, "rev-parse", "HEAD")
    commit(repo, "v2\n")
    local = tmp_path / "local"
    local.mkdir()
    sources = [
        {"type": "path", "url": str(local)},
        {"type": "git", "url": str(repo), "ref": "main", "pinned_commit": pinned},
        {"type": "builtin", "url": None},
    ]
    paths = fetch_cookbooks(sources, tmp_path / "cache")
    assert paths[0] == local and paths[-1] == builtin_cookbooks() and len(paths) == 3
    assert (paths[1] / "app.py").read_text() == "v1\n"
    again = fetch_cookbooks(sources, tmp_path / "cache")
    assert again == paths
    with pytest.raises(CookbookSourceError, match="not a directory"):
        fetch_cookbooks([{"type": "path", "url": str(tmp_path / "missing")}], tmp_path / "cache")


@pytest.mark.parametrize(
    ("repository", "revision", "reason"),
    [
        ("ext::sh -c touch% {marker}", "HEAD", "ext:: remote helper"),
        ("--upload-pack=touch {marker}", "HEAD", "starts with '-'"),
        ("{origin}", "--output={marker}", "starts with '-'"),
    ],
)
def test_a_git_resource_refuses_helpers_and_options_before_running_git(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    repo: Path,
    tmp_path: Path,
    repository: str,
    revision: str,
    reason: str,
) -> None:
    marker = tmp_path / "pwned"
    url = repository.format(marker=marker, origin=repo)
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.git({str(tmp_path / "co")!r}, repository={url!r}, revision={revision!r})
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert reason in run.report.resources[0].message
    assert not marker.exists()
    assert not (tmp_path / "co").exists()


def test_cookbook_sources_refuse_a_remote_helper_url(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(CookbookSourceError, match="ext:: remote helper"):
        resolve_git_ref(f"ext::sh -c touch% {marker}", "HEAD")
    with pytest.raises(CookbookSourceError, match="starts with '-'"):
        fetch_cookbooks([{"type": "git", "url": f"--upload-pack=touch {marker}"}], tmp_path)
    assert not marker.exists()
