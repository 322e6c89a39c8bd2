"""archive[...]: unpack once per checksum; refuse, whole, an archive that would escape."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge.archives import Member, unsafe
from support.http_files import serve

Entry = tuple[str, str, str]  # (name, type, content or link target)


def make_tar(path: Path, entries: list[Entry]) -> Path:
    mode = "w:gz" if path.name.endswith(("gz", "tgz")) else "w"
    with tarfile.open(path, mode) as tar:
        for name, kind, value in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                data = value.encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {
                "dir": tarfile.DIRTYPE,
                "symlink": tarfile.SYMTYPE,
                "hardlink": tarfile.LNKTYPE,
                "device": tarfile.CHRTYPE,
            }[kind]
            info.linkname = value
            if kind == "dir":
                info.mode = 0o755
            tar.addfile(info)
    return path


def make_zip(path: Path, entries: list[Entry]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, kind, value in entries:
            if kind == "symlink":
                info = zipfile.ZipInfo(name)
                info.external_attr = (0o120777 << 16) | 0
                archive.writestr(info, value)
            else:
                archive.writestr(name, value)
    return path


def sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _recipe(cookbooks: Cookbooks, archive: Path, destination: Path, **props: object) -> None:
    extra = "".join(f", {k}={v!r}" for k, v in props.items())
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.archive({str(archive)!r}, destination={str(destination)!r}{extra})
        """,
    )


SAFE: list[Entry] = [
    ("pkg/", "dir", ""),
    ("pkg/a.txt", "file", "alpha\n"),
    ("pkg/sub/b.txt", "file", "beta\n"),
    ("pkg/link", "symlink", "sub/b.txt"),
]


@pytest.mark.parametrize(
    "maker",
    [
        lambda d: make_tar(d / "eggs.tar.gz", SAFE),
        lambda d: make_tar(d / "eggs.tgz", SAFE),
        lambda d: make_tar(d / "eggs.tar", SAFE),
        lambda d: make_zip(d / "eggs.zip", SAFE),
    ],
    ids=["tar.gz", "tgz", "tar", "zip"],
)
def test_each_format_unpacks_once_per_checksum(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    tmp_path: Path,
    maker: Callable[[Path], Path],
) -> None:
    archive = maker(tmp_path)
    target = tmp_path / "cache"
    _recipe(cookbooks, archive, target, checksum=sha(archive))
    assert converge(["demo"], dry_run=True).statuses()[0][1] == "would_change"
    assert not target.exists()
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert (target / "pkg/a.txt").read_text() == "alpha\n"
    assert (target / "pkg/link").read_text() == "beta\n"
    (target / "pkg/a.txt").write_text("edited by the app\n")
    assert converge(["demo"]).statuses()[0][1] == "unchanged"
    assert (target / "pkg/a.txt").read_text() == "edited by the app\n"


def test_a_new_archive_at_the_same_path_is_unpacked_over_the_old(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    archive = make_tar(tmp_path / "eggs.tgz", SAFE)
    target = tmp_path / "cache"
    _recipe(cookbooks, archive, target)
    converge(["demo"])
    make_tar(archive, [("pkg/a.txt", "file", "alpha 2\n"), ("pkg/c.txt", "file", "new\n")])
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert (target / "pkg/a.txt").read_text() == "alpha 2\n"
    assert (target / "pkg/c.txt").read_text() == "new\n"
    assert (target / "pkg/sub/b.txt").exists()  # merged, not wiped
    marker = json.loads((target / ".stackworks-archives.json").read_text())
    assert len(marker) == 2


def test_strip_components_drops_the_top_directory(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    archive = make_tar(tmp_path / "app-1.0.tar.gz", SAFE)
    _recipe(cookbooks, archive, tmp_path / "release", strip_components=1)
    assert converge(["demo"]).report.ok
    assert (tmp_path / "release/sub/b.txt").read_text() == "beta\n"


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        (
            [("ok.txt", "file", "x"), ("../evil.txt", "file", "x")],
            "'../evil.txt' would be written outside",
        ),
        ([("a/../../evil", "file", "x")], "'a/../../evil' would be written outside"),
        ([("/etc/evil", "file", "x")], "'/etc/evil' has an absolute path"),
        ([("l", "symlink", "../../outside")], "'l' links outside the target"),
        ([("d/l", "symlink", "../x/../..")], "'d/l' links outside the target"),
        ([("l", "symlink", "/etc/passwd")], "'l' links to the absolute path '/etc/passwd'"),
        ([("h", "hardlink", "../secret")], "'h' is a hard link to '../secret' outside"),
        ([("dev", "device", "")], "'dev' is a device file or fifo"),
    ],
)
def test_unsafe_tar_entries_refuse_the_whole_archive(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    tmp_path: Path,
    entries: list[Entry],
    named: str,
) -> None:
    archive = make_tar(tmp_path / "bad.tar", entries)
    target = tmp_path / "work" / "cache"
    _recipe(cookbooks, archive, target)
    for dry_run in (True, False):
        run = converge(["demo"], dry_run=dry_run)
        assert not run.report.ok
        assert named in (run.report.error or "")
        assert "nothing was unpacked" in (run.report.error or "")
    assert not target.exists()
    assert not (tmp_path / "evil.txt").exists()
    assert not (tmp_path / "work").exists() or list((tmp_path / "work").iterdir()) == []


@pytest.mark.parametrize(
    ("entries", "named"),
    [
        ([("../evil.txt", "file", "x")], "'../evil.txt' would be written outside"),
        ([("l", "symlink", "../../etc")], "'l' links outside the target"),
    ],
)
def test_unsafe_zip_entries_refuse_the_whole_archive(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    tmp_path: Path,
    entries: list[Entry],
    named: str,
) -> None:
    archive = make_zip(tmp_path / "bad.zip", entries)
    _recipe(cookbooks, archive, tmp_path / "cache")
    run = converge(["demo"])
    assert named in (run.report.error or "")
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize(
    ("member", "strip", "refused"),
    [
        (Member("a/b", "file"), 0, False),
        (Member("./a/./b", "file"), 0, False),
        (Member("top/../x", "file"), 0, False),
        (Member("top/../../x", "file"), 0, True),
        (Member("top/../x", "file"), 1, True),  # stripped, "../x" is left
        (Member("top/l", "symlink", "../x"), 1, True),
        (Member("top/l", "symlink", "x"), 1, False),
        (Member("a/l", "symlink", "../b"), 0, False),
        (Member("h", "hardlink", "a/b"), 0, False),
        (Member("C:/x", "file"), 0, True),
    ],
)
def test_what_counts_as_outside(member: Member, strip: int, refused: bool) -> None:
    assert bool(unsafe([member], strip)) is refused


def test_a_chain_of_links_each_inside_but_leaving_together_is_refused() -> None:
    # a/b/up -> ".." is a/, inside; a/b/out -> "up/../.." is lexically a/b, but through the
    # real a/b/up it is the target's parent: each link alone looks safe
    chain = [Member("a/b/up", "symlink", ".."), Member("a/b/out", "symlink", "up/../..")]
    assert unsafe(chain) == ["'a/b/out' links through the link 'a/b/up'"]


def test_an_entry_written_through_a_link_of_the_archive_is_refused() -> None:
    found = [Member("conf", "symlink", "sub"), Member("sub", "dir"), Member("conf/x", "file")]
    assert unsafe(found) == ["'conf/x' would be written through the link 'conf'"]
    hard = [Member("l", "symlink", "sub"), Member("h", "hardlink", "l/x")]
    assert unsafe(hard) == ["'h' is a hard link through the link 'l'"]


def test_a_wrong_checksum_or_format_fails_naming_it(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    archive = make_tar(tmp_path / "eggs.tgz", SAFE)
    _recipe(cookbooks, archive, tmp_path / "cache", checksum="sha256:" + "1" * 64)
    assert "checksum mismatch" in (converge(["demo"]).report.error or "")
    odd = tmp_path / "eggs.rar"
    odd.write_bytes(b"x")
    _recipe(cookbooks, odd, tmp_path / "cache")
    assert "path: " in (converge(["demo"]).report.error or "")
    assert not (tmp_path / "cache").exists()


def test_fetch_archives_downloads_and_expands_buildout_cache_archives(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, roots: dict[str, str]
) -> None:
    archive = make_tar(tmp_path / "plone-eggs.tgz", SAFE)
    base = Path(roots["srv"]) / "www" / "plone"
    with serve() as served:
        served.files["/plone-eggs.tgz"] = archive.read_bytes()
        served.auth = ("me", "secret")
        items = [
            {
                "url": f"{served.url}/plone-eggs.tgz",
                "path": "shared/eggs",
                "user": "me",
                "password": "secret",
                "checksum": sha(archive),
            }
        ]
        cookbooks.recipe(
            "demo",
            "default",
            f"""
            from stackworks.cookbooks.common import fetch_archives

            def recipe(r):
                fetch_archives(r, {items!r}, {str(base)!r})
            """,
        )
        first = converge(["demo"])
        assert first.report.ok, first.report.error
        assert (base / "shared/eggs/pkg/sub/b.txt").read_text() == "beta\n"
        second = converge(["demo"])
        assert [s for _, s in second.statuses()] == ["unchanged"] * 4
        assert served.paths() == ["/plone-eggs.tgz"]
        assert "secret" not in first.output + json.dumps(first.report.to_dict())


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ({"url": "http://127.0.0.1/e.tgz", "path": "eggs"}, "[0].checksum: required"),
        ({"url": "ftp://h/e.tgz", "path": "e", "checksum": "sha256:" + "a" * 64}, "[0].url: must"),
        (
            {"url": "http://h/e.rar", "path": "e", "checksum": "sha256:" + "a" * 64},
            "[0].url: must end",
        ),
        (
            {"url": "http://h/e.tgz", "path": "../x", "checksum": "sha256:" + "a" * 64},
            "[0].path: must",
        ),
        ({"url": "http://h/e.tgz", "path": "x", "checksum": "md5:1"}, "[0].checksum: must"),
    ],
)
def test_fetch_archives_refuses_a_bad_item_naming_the_field(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path, item: dict[str, str], error: str
) -> None:
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        from stackworks.cookbooks.common import fetch_archives

        def recipe(r):
            fetch_archives(r, {[item]!r}, {str(tmp_path / "base")!r})
        """,
    )
    run = converge(["demo"])
    assert f"buildout_cache_archives{error}" in (run.report.error or "")
    assert run.report.resources == []
    assert not os.path.exists(tmp_path / "base")


def test_a_dry_run_before_the_download_says_it_would_unpack(
    cookbooks: Cookbooks, converge: ConvergeFn, tmp_path: Path
) -> None:
    _recipe(cookbooks, tmp_path / "later.tgz", tmp_path / "cache")
    dry = converge(["demo"], dry_run=True)
    assert dry.statuses() == [(f"archive[{tmp_path / 'later.tgz'}]", "would_change")]
    assert "does not exist" in (converge(["demo"]).report.error or "")
