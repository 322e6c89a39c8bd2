"""The zeoserver and plone_instances cookbooks on real local instances: ZEO under supervisord,
two pip-built Plone clients sharing its storage, a rolling restart that always leaves one
serving, and a repozo backup restored into a fresh storage (the clients, whose caches saw
later transactions, start again without their caches).

One test, because a Plone build is the expensive part (about a minute with pip's cache
warm): the deploy installs the example project (examples/plone/project) once into its
release venv, and every check after it reuses that install. ZEO and the release install from
the project's wheelhouse (fixture `offline_pip`), with no index.
"""

from __future__ import annotations

import http.client
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from integration.cookbooks import plone_stack
from integration.cookbooks.cookbook_instances import Instance, commit, git
from integration.cookbooks.plone_stack import run
from support.processes import port_accepts, wait_until

# a cold pip cache makes the Plone build about a minute longer than the suite's per-test limit
pytestmark = [pytest.mark.integration, pytest.mark.plone, pytest.mark.timeout(480)]

PROJECT = Path(__file__).resolve().parents[3] / "examples" / "plone" / "project"
ZEO_PORT = 18400
BASE_PORT = 18410
PASSWORD = "plone-test-secret"
ATTRIBUTES: dict[str, Any] = {
    "zeoserver": {"port": ZEO_PORT},
    "plone_instances": {"instance_count": 2, "base_port": BASE_PORT},
}


def configuration(me: Instance, instances: list[Instance], repo: Path) -> dict[str, Any]:
    """A stack configuration (the shape stack_config builds) for `me` in a Plone stack."""
    return plone_stack.configuration(
        me,
        instances,
        layer_types={"zeoserver": "zeoserver", "plone_instances": "plone-instances"},
        attributes=ATTRIBUTES,
        app={
            "source": plone_stack.source(repo),
            "environment": {"PLONE_ADMIN_PASSWORD": PASSWORD},
            # on the ZEO layer too: ZEO is installed under the app's constraints.txt
            "layers": ["plone_instances", "zeoserver"],
        },
    )


def request(
    host: str, port: int, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    return plone_stack.request(host, port, method, path, PASSWORD, body)


def page_title(host: str, port: int) -> str | None:
    return plone_stack.title(host, port, "/Plone/zeo-proof", PASSWORD)


def serving(host: str, port: int) -> bool:
    """Whether a client answers its health check (HEAD /) right now."""
    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        connection.request("HEAD", "/")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def watch(host: str, ports: list[int], stop: threading.Event, seen: list[list[bool]]) -> None:
    """Sample which clients serve, every 0.2 s, until `stop` (at most 5 minutes)."""
    deadline = time.monotonic() + 300
    while not stop.is_set() and time.monotonic() < deadline:
        seen.append([serving(host, port) for port in ports])
        time.sleep(0.2)


def test_plone_clients_share_the_zeo_storage_and_a_restored_backup_brings_a_page_back(
    make_instance: Callable[[str, str, list[str]], Instance], tmp_path: Path, offline_pip: Path
) -> None:
    zeo = make_instance("zeo1", "127.77.210.1", ["zeoserver"])
    plone = make_instance("plone1", "127.77.210.2", ["plone_instances"])
    stack = [zeo, plone]
    repo = tmp_path / "plone-project"
    shutil.copytree(PROJECT, repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit(repo, "a Plone 6 project")
    lines: list[str] = []

    run(["zeoserver::setup"], configuration(zeo, stack, repo), lines)
    assert any("ZEO pinned by app plone_instances" in line for line in lines)
    assert port_accepts(zeo.private_ip, ZEO_PORT)
    assert not port_accepts("127.0.0.1", ZEO_PORT)  # bound to the private address only

    run(
        ["plone_instances::setup", "plone_instances::deploy"],
        configuration(plone, stack, repo),
        lines,
    )
    assert PASSWORD not in "\n".join(lines)
    one, two = BASE_PORT + 1, BASE_PORT + 2
    assert (
        any("created Plone" in line for line in lines)
        or (
            Path(plone.roots["srv"]) / "www/plone_instances/shared/clients/site-Plone.created"
        ).exists()
    )

    status, created = request(
        plone.private_ip,
        one,
        "POST",
        "/Plone",
        {"@type": "Document", "id": "zeo-proof", "title": "Written through client 1"},
    )
    assert status == 201, created
    # client 2 is another process with its own caches: it reads the page from ZEO
    wait_until(
        lambda: page_title(plone.private_ip, two) == "Written through client 1",
        timeout=30,
        what="the page through client 2",
    )

    again = run(["plone_instances::deploy"], configuration(plone, stack, repo), lines)
    assert [r.name for r in again.resources if r.status == "changed"] == []
    zeo_again = run(["zeoserver::deploy"], configuration(zeo, stack, repo), lines)
    assert [r.name for r in zeo_again.resources if r.status == "changed"] == []

    # a restart replaces the clients one at a time: some client serves at every moment
    samples: list[list[bool]] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(plone.private_ip, [one, two], stop, samples))
    watcher.start()
    try:
        run(["plone_instances::restart"], configuration(plone, stack, repo), lines)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert samples and all(any(sample) for sample in samples), samples
    assert any(not sample[0] for sample in samples) and any(not sample[1] for sample in samples)

    run(["zeoserver::pack"], configuration(zeo, stack, repo), lines)
    run(["zeoserver::backup"], configuration(zeo, stack, repo), lines)
    var = Path(zeo.roots["srv"]) / "zeoserver/var"
    assert list((var / "backups").glob("*.fsz"))

    status, _ = request(
        plone.private_ip, one, "POST", "/Plone", {"@type": "Document", "id": "later", "title": "L"}
    )
    assert status == 201

    # the storage is lost: the server stops and its Data.fs goes
    zeo.supervisorctl("stop", "zeoserver")
    for path in (var / "filestorage").glob("Data.fs*"):
        path.unlink()
    run(["zeoserver::restore"], configuration(zeo, stack, repo), lines)
    assert (var / "filestorage/Data.fs").stat().st_size > 0
    wait_until(lambda: port_accepts(zeo.private_ip, ZEO_PORT), timeout=30, what="ZEO back")
    # the backup is older than what the clients' caches saw: they start again without them
    drop = configuration(plone, stack, repo)
    drop["command"] = {"id": "c-2", "type": "execute_recipes", "args": {"drop_cache": True}}
    run(["plone_instances::restart"], drop, lines)
    later, _ = request(plone.private_ip, two, "GET", "/Plone/later")
    assert later == 404  # written after the backup: not in the restored storage
    for port in (one, two):
        wait_until(
            lambda p=port: page_title(plone.private_ip, p) == "Written through client 1",
            timeout=60,
            what=f"the restored page through port {port}",
        )
