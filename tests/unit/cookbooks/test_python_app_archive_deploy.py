"""python_app::deploy of an archive source: what it declares, and when it builds nothing.

The archive is a real tar.gz in tmp served as a file:// URL; `stackworks.testing` declares the
recipe with the real engine, acting on nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.python_app import releases
from stackworks.testing import RecipeFailed, StackBuilder, run_recipe

PROCFILE = "web: gunicorn wsgi:application\nworker: python jobs.py\n"


def _tarball(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return _tarball(
        tmp_path / "shop-1.0.tar.gz",
        {
            "shop-1.0/wsgi.py": "application = None\n",
            "shop-1.0/requirements.txt": "gunicorn\n",
            "shop-1.0/Procfile": PROCFILE,
        },
    )


def _config(tmp_path: Path, url: str, checksum: str | None = None) -> dict[str, Any]:
    return (
        StackBuilder("demo", root=tmp_path / "i")
        .layer("web", type="python-app")
        .instance("web1", ["web"], private_ip="10.0.0.1")
        .attributes({"python_app": {"instance_count": 2, "base_port": 9000}})
        .app(
            "shop",
            layers=["web"],
            source={"type": "archive", "url": url, "revision": "v1.0"},
            attributes={"checksum": checksum} if checksum else {},
        )
        .command("deploy")
        .build()
    )


def test_an_archive_is_fetched_unpacked_into_the_release_then_built_like_git(
    tmp_path: Path, archive: Path
) -> None:
    declared = run_recipe("python_app::deploy", _config(tmp_path, archive.as_uri(), _sha(archive)))
    kinds = [k for k, _ in declared.kinds()]
    assert kinds.index("remote_file") < kinds.index("archive") < kinds.index("execute")
    fetch = declared.find("remote_file", "shop-1.0.tar.gz")
    assert fetch.properties["checksum"] == _sha(archive)
    unpack = declared.find("archive", "shop-1.0.tar.gz")
    assert unpack.properties["strip_components"] == 1  # everything was under shop-1.0/
    release_dir = Path(unpack.properties["destination"])
    assert release_dir.parent.name == "releases"
    pip = declared.find("execute", f"dependencies of shop {release_dir.name}")
    assert pip.properties["command"][-2:] == ["-r", "requirements.txt"]
    services = [d.name for d in declared.all("service")]
    assert services == ["shop-web-1", "shop-web-2", "shop-worker"]
    marker = json.loads(declared.find("file", releases.MARKER).properties["content"])
    assert marker["commit"] == _sha(archive)
    assert marker["revision"] == "v1.0" and marker["source"] == "archive"
    assert declared.find("link", "/current").properties["to"] == f"releases/{release_dir.name}"


def test_without_a_checksum_the_archive_is_read_to_learn_it(tmp_path: Path, archive: Path) -> None:
    declared = run_recipe("python_app::deploy", _config(tmp_path, archive.as_uri()))
    assert declared.find("remote_file", "tar.gz").properties["checksum"] == _sha(archive)


def test_the_deployed_archive_again_builds_nothing(tmp_path: Path, archive: Path) -> None:
    config = _config(tmp_path, archive.as_uri(), _sha(archive))
    paths = releases.app_paths(tmp_path / "i" / "srv", "shop")
    release = paths.release("20260101T000000Z")
    release.mkdir(parents=True)
    (release / "Procfile").write_text(PROCFILE)
    (release / releases.MARKER).write_text(json.dumps({"commit": _sha(archive)}))
    paths.current.symlink_to("releases/20260101T000000Z")
    first = run_recipe("python_app::deploy", config)
    paths.deploy_json.parent.mkdir(parents=True, exist_ok=True)
    paths.deploy_json.write_text(first.find("file", "shared/deploy.json").properties["content"])
    again = run_recipe("python_app::deploy", config)
    assert [k for k, _ in again.kinds() if k in {"remote_file", "archive", "execute", "link"}] == []
    assert any(
        "same archive sha256:" in line and "nothing to build" in line for line in again.lines
    )
    _tarball(archive, {"wsgi.py": "application = 1\n"})  # a new archive: a new release
    changed = run_recipe("python_app::deploy", _config(tmp_path, archive.as_uri(), _sha(archive)))
    assert changed.find("archive", "tar.gz").properties["strip_components"] == 0


@pytest.mark.parametrize(
    ("url", "checksum", "error"),
    [
        (
            "ftp://127.0.0.1/shop.tgz",
            None,
            "source.url 'ftp://127.0.0.1/shop.tgz' is not a file://",
        ),
        ("file:///x/shop.rar", None, "source.url 'file:///x/shop.rar': must name a .tar.gz"),
        ("ARCHIVE", "sha256:" + "0" * 64, "attributes.checksum mismatch for file://"),
        ("ARCHIVE", "md5:1", "attributes.checksum must be 'sha256:'"),
        ("file:///nowhere/shop.tgz", None, "cannot download file:///nowhere/shop.tgz"),
    ],
)
def test_a_bad_archive_source_fails_naming_the_field_before_declaring(
    tmp_path: Path, archive: Path, url: str, checksum: str | None, error: str
) -> None:
    url = archive.as_uri() if url == "ARCHIVE" else url
    with pytest.raises(RecipeFailed, match="app shop: ") as caught:
        run_recipe("python_app::deploy", _config(tmp_path, url, checksum))
    assert error in str(caught.value)
    assert caught.value.declared.kinds() == []


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("shop-1.0/../../evil.py", "'shop-1.0/../../evil.py' would be written outside"),
        ("/etc/cron.d/evil", "'/etc/cron.d/evil' has an absolute path"),
    ],
)
def test_an_archive_with_members_outside_the_release_fails_naming_them_before_declaring(
    tmp_path: Path, name: str, named: str
) -> None:
    bad = _tarball(
        tmp_path / "shop-1.1.tar.gz",
        {"shop-1.0/wsgi.py": "application = None\n", name: "print('pwned')\n"},
    )
    with pytest.raises(RecipeFailed, match="app shop: ") as caught:
        run_recipe("python_app::deploy", _config(tmp_path, bad.as_uri()))
    assert "would write outside the release" in str(caught.value)
    assert named in str(caught.value)
    assert caught.value.declared.kinds() == []


def test_credentials_in_an_archive_url_never_reach_the_failure(tmp_path: Path) -> None:
    url = "http://me:hunter2@127.0.0.1:9/shop.tgz"
    with pytest.raises(RecipeFailed) as caught:
        run_recipe("python_app::deploy", _config(tmp_path, url))
    assert "hunter2" not in str(caught.value)
