"""python_app deploys an archive source on a real local instance: the sample app, packed into a
tar.gz by the test and served over loopback HTTP, is fetched, unpacked and answers; the same
archive again changes nothing; a new archive is a new release.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from integration.cookbooks.cookbook_instances import (
    COOKBOOKS,
    SAMPLE_APP,
    Instance,
    configuration,
)
from stackworks.converge import RunReport, run_recipes
from stackworks.cookbooks.python_app import releases
from support.http_files import serve
from support.processes import port_accepts, wait_until

pytestmark = pytest.mark.integration

PORTS = (18101, 18102)
ATTRIBUTES: dict[str, Any] = {"python_app": {"instance_count": 2, "base_port": 18100}}


def _pack(source: Path, target: Path, top: str) -> bytes:
    with tarfile.open(target, "w:gz") as tar:
        tar.add(source, arcname=top, filter=_skip_caches)
    return target.read_bytes()


def _skip_caches(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    return None if "__pycache__" in info.name or ".venv" in info.name else info


def _get(host: str, port: int) -> tuple[int, str]:
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def _serves(host: str, port: int, text: str) -> bool:
    if not port_accepts(host, port):
        return False
    try:
        status, body = _get(host, port)
    except OSError:
        return False
    return status == 200 and text in body


def _deploy(
    instance: Instance, url: str, data: bytes, lines: list[str], *, setup: bool = False
) -> RunReport:
    config = configuration(instance, [instance], repo_url="", attributes=ATTRIBUTES)
    app = config["apps"]["shop"]
    app["source"] = {"type": "archive", "url": url, "revision": "v1"}
    app["attributes"] = {"checksum": "sha256:" + hashlib.sha256(data).hexdigest()}
    return run_recipes(
        ["python_app::setup", "python_app::deploy"] if setup else ["python_app::deploy"],
        config,
        cookbook_paths=[COOKBOOKS],
        log=lines.append,
    )


def test_an_archive_source_deploys_answers_and_redeploys_only_when_it_changes(
    make_instance: Callable[[str, str, list[str]], Instance], tmp_path: Path
) -> None:
    web = make_instance("web1", "127.77.201.1", ["web"])
    source = tmp_path / "sample_app"
    shutil.copytree(SAMPLE_APP, source, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    with serve() as served:
        first = _pack(source, tmp_path / "shop-1.tar.gz", "shop-1")
        served.files["/shop.tar.gz"] = first
        url = f"{served.url}/shop.tar.gz"
        lines: list[str] = []
        report = _deploy(web, url, first, lines, setup=True)
        assert report.ok, f"{report.error}\n" + "\n".join(lines[-30:])
        for port in PORTS:
            wait_until(
                lambda p=port: _serves(web.private_ip, p, "web1"), timeout=30, what=f"port {port}"
            )
        current = Path(web.roots["srv"]) / "www" / "shop" / "current"
        assert (current / "wsgi.py").is_file() and (current / "Procfile").is_file()
        assert served.paths() == ["/shop.tar.gz"]

        again = _deploy(web, url, first, [])
        assert again.ok, again.error
        acted = [(r.kind, r.name) for r in again.changed()]
        assert not [k for k, _ in acted if k in ("remote_file", "archive", "execute", "service")], (
            acted
        )
        assert served.paths() == ["/shop.tar.gz"]  # the cached archive has the checksum

        (source / "wsgi.py").write_text(
            (source / "wsgi.py").read_text().replace("<title>", "<title>v2 ", 1)
        )
        second = _pack(source, tmp_path / "shop-2.tar.gz", "shop-2")
        served.files["/shop.tar.gz"] = second
        third = _deploy(web, url, second, [])
        assert third.ok, third.error
        paths = releases.app_paths(web.roots["srv"], "shop")
        assert len(releases.complete_releases(paths)) == 2
        assert releases.current_release(paths) == releases.complete_releases(paths)[-1]
        for port in PORTS:
            wait_until(
                lambda p=port: _serves(web.private_ip, p, "v2"), timeout=30, what=f"v2 on {port}"
            )
