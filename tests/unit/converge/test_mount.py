"""mount[...]: the decision table, real mounts through a fake runner, binds as symlinks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks, configuration

from stackworks.converge import FakeRunner, RunReport, run_recipes
from stackworks.converge.resource import ResourceError
from stackworks.converge.resources.mount import Mount, how, parse_mounts


@pytest.mark.parametrize(
    ("kind", "local", "root", "fallback", "expected"),
    [
        ("bind", True, False, False, "symlink"),
        ("bind", True, True, False, "symlink"),
        ("bind", False, False, False, "symlink"),
        ("bind", False, True, False, "bind"),
        ("nfs", False, True, False, "nfs"),
        ("nfs", False, True, True, "nfs"),
        ("nfs", True, True, True, "symlink"),
        ("nfs", True, False, True, "symlink"),
        ("nfs", True, False, False, "refused: give `fallback`"),
        ("nfs", True, True, False, "refused: give `fallback`"),
        ("nfs", False, False, False, "refused: mounting nfs needs root"),
        ("ext4", False, True, False, "refused: kind must be one of bind, nfs"),
    ],
)
def test_how_a_mount_is_made(
    kind: str, local: bool, root: bool, fallback: bool, expected: str
) -> None:
    if expected.startswith("refused: "):
        with pytest.raises(ResourceError, match=expected.removeprefix("refused: ")):
            how(kind, local=local, root=root, fallback=fallback)
    else:
        assert how(kind, local=local, root=root, fallback=fallback) == expected


def test_proc_mounts_escapes_are_read() -> None:
    text = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "nas:/export /srv/my\\040data nfs4 rw 0 0\n"
        "/dev/sdb1 /srv/my\\040data ext4 rw 0 0\n"
    )
    assert parse_mounts(text) == {"/": ("/dev/sda1", "ext4"), "/srv/my data": ("/dev/sdb1", "ext4")}


def _recipe(cookbooks: Cookbooks, path: Path, device: str, **props: object) -> None:
    extra = "".join(f", {k}={v!r}" for k, v in props.items())
    cookbooks.recipe(
        "demo",
        "default",
        f"def recipe(r):\n    r.mount({str(path)!r}, device={device!r}{extra})\n",
    )


def test_a_bind_on_a_local_instance_is_a_symlink_to_the_shared_directory(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str], tmp_path: Path
) -> None:
    shared = tmp_path / "stack-shared" / "blobstorage"
    shared.mkdir(parents=True)
    point = Path(roots["srv"]) / "plone" / "var" / "blobstorage"
    point.mkdir(parents=True)  # an empty directory is replaced by the link
    _recipe(cookbooks, point, str(shared))
    runner = FakeRunner()
    assert converge(["demo"], dry_run=True, runner=runner).statuses()[0][1] == "would_change"
    assert point.is_dir() and not point.is_symlink()
    assert converge(["demo"], runner=runner).statuses()[0][1] == "changed"
    assert os.readlink(point) == str(shared)
    (point / "blob").write_text("x")
    assert (shared / "blob").read_text() == "x"
    assert converge(["demo"], runner=runner).statuses()[0][1] == "unchanged"
    assert runner.calls == []  # no mount command, ever
    _recipe(cookbooks, point, str(shared), action="umount")
    assert converge(["demo"]).statuses()[0][1] == "changed"
    assert not point.exists() and (shared / "blob").exists()


def test_a_non_empty_mount_point_is_never_replaced(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str], tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    point = Path(roots["srv"]) / "data"
    point.mkdir()
    (point / "precious").write_text("keep")
    _recipe(cookbooks, point, str(shared))
    run = converge(["demo"])
    assert "is a non-empty directory" in (run.report.error or "")
    assert (point / "precious").read_text() == "keep"


def test_nfs_on_a_local_instance_needs_a_fallback(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str], tmp_path: Path
) -> None:
    point = Path(roots["srv"]) / "data"
    _recipe(cookbooks, point, "nas:/export/data", fstype="nfs")
    run = converge(["demo"])
    assert "mount[" in (run.report.error or "") and "give `fallback`" in (run.report.error or "")
    fallback = tmp_path / "nfs-stand-in"
    fallback.mkdir()
    _recipe(cookbooks, point, "nas:/export/data", fstype="nfs", fallback=str(fallback))
    assert converge(["demo"]).report.ok
    assert os.readlink(point) == str(fallback)


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A registered host as root: roots at /, a mounts table in tmp."""
    table = tmp_path / "mounts"
    table.write_text("/dev/sda1 / ext4 rw 0 0\n")
    monkeypatch.setattr(Mount, "mounts_table", str(table))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    return table


def _host_run(
    cookbooks: Cookbooks, tmp_path: Path, runner: FakeRunner, body: str, dry_run: bool = False
) -> RunReport:
    cookbooks.recipe("demo", "default", f"def recipe(r):\n    {body}\n")
    roots = {"root": "/", "srv": str(tmp_path / "srv"), "etc": str(tmp_path / "etc")}
    return run_recipes(
        ["demo"],
        configuration(roots, service_manager="systemd"),
        cookbook_paths=[cookbooks.path],
        dry_run=dry_run,
        log=lambda _: None,
        runner=runner,
    )


def test_on_a_host_as_root_nfs_and_bind_are_real_mounts_read_back_from_proc_mounts(
    cookbooks: Cookbooks, tmp_path: Path, host: Path
) -> None:
    point = tmp_path / "srv" / "data"
    body = f"r.mount({str(point)!r}, device='nas:/export', fstype='nfs', options=['ro', 'hard'])"
    runner = FakeRunner()
    _host_run(cookbooks, tmp_path, runner, body)
    assert runner.calls == [("mount", "-t", "nfs", "-o", "ro,hard", "nas:/export", str(point))]
    assert point.is_dir()
    host.write_text(host.read_text() + f"nas:/export {point} nfs4 ro 0 0\n")
    again = FakeRunner()
    report = _host_run(cookbooks, tmp_path, again, body)
    assert again.calls == []
    assert report.resources[0].message == "mounted (nfs4)"
    source = tmp_path / "src"
    source.mkdir()
    other = tmp_path / "srv" / "bound"
    binding = FakeRunner()
    _host_run(cookbooks, tmp_path, binding, f"r.mount({str(other)!r}, device={str(source)!r})")
    assert binding.calls == [("mount", "--bind", str(source), str(other))]
    unmount = FakeRunner()
    _host_run(cookbooks, tmp_path, unmount, body.replace(")", ", action='umount')"))
    assert unmount.calls == [("umount", str(point))]


def test_a_failing_mount_command_fails_the_resource_with_its_output(
    cookbooks: Cookbooks, tmp_path: Path, host: Path
) -> None:
    runner = FakeRunner()
    runner.answer(["mount"], exit_code=32, output="mount.nfs: access denied by server")
    point = tmp_path / "srv" / "data"
    body = f"r.mount({str(point)!r}, device='nas:/export', fstype='nfs')"
    report = _host_run(cookbooks, tmp_path, runner, body)
    assert "access denied by server" in (report.error or "")
