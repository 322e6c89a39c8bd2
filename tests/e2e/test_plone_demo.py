"""The must-show: `stackworks demo plone` brings up a real Plone 6 site from nothing, through
nginx -> Varnish -> HAProxy -> two ZEO clients on each of two instances -> one ZEO server, all
by a real server's run lists; then everything a Plone team does to it goes through the CLI.

One stack for the whole module (the build is the slow part), and one test per behaviour, in
the order they run on it: the site answers at the front end; a page created through
plone.restapi there is read back from every client; an anonymous page is a Varnish hit the
second time and a miss after `varnish::purge`; a new revision of the project deploys client by
client under steady load without a failed request and every client then serves it; a repozo
backup restored into a wiped, freshly started ZEO server brings the page back (and drops what
came after the backup); stopping one Plone instance under load fails no request;
`demo plone --down` ends it all. Each test needs the ones before it.

The stack's pip builds install from a wheelhouse of the project (support.plone_builds), built
once and kept across runs, so the five builds here do not ask the package index again.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.plone_builds import offline_pip_environment, wheelhouse
from support.plone_cli import Cli, basic_auth, client_urls, create_published_page, request
from support.plone_project import VIEW, commit_revision
from support.processes import free_port, is_alive, wait_until
from support.web import Load, get

# the first build of a fresh machine fills the wheelhouse; the module's stack outlives the
# suite's per-test default in its first test (bring-up) and in the deploy
pytestmark = [pytest.mark.integration, pytest.mark.plone, pytest.mark.timeout(900)]

STACK = "plone"
LAYER = "plone_instances"
CLIENT_PORTS = (8081, 8082)  # examples/plone/scalable.yaml: base_port 8080, two clients
PAGE = "demo-proof"
TITLE = "Written at the front end"
LATER_PAGE = "after-the-backup"
#: a request slower than this fails. HAProxy and nginx wait 60 s for a client; on 2 cores a
#: page answers in seconds, not 0.3 s, while two pip builds of the deploy share them
LOAD_TIMEOUT = 30.0


@dataclass
class Demo:
    cli: Cli
    site: str
    admin: tuple[str, str]
    bring_up_seconds: float

    def clients(self) -> list[str]:
        return client_urls(self.cli.instances(STACK), LAYER, CLIENT_PORTS)

    def admin_load(self, url: str) -> Load:
        """Steady authenticated GETs: they pass Varnish, so every one reaches a ZEO client.
        One fails when it is not a 200 within LOAD_TIMEOUT."""
        headers = basic_auth(*self.admin)
        return Load(url, pause=0.05, seconds=600, headers=headers, timeout=LOAD_TIMEOUT)


@pytest.fixture(scope="module")
def plone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    wheels = wheelhouse()
    data_dir = tmp_path_factory.mktemp("plone-demo") / "d"
    cli = Cli(data_dir, f"127.0.0.1:{free_port()}", offline_pip_environment(wheels))
    try:
        started = time.monotonic()
        up = cli.demo_plone()
        elapsed = time.monotonic() - started
        found = re.search(r"The Plone site answers at (\S+)", up)
        assert found, up
        print(f"demo plone up in {elapsed:.0f}s at {found.group(1)}")
        password = (data_dir / "plone-admin-password").read_text().strip()
        yield Demo(cli, found.group(1), ("admin", password), elapsed)
    finally:
        cli.stop_everything()


def test_demo_plone_serves_the_site_at_nginx(plone: Demo) -> None:
    status, _, home = request(plone.site)
    assert status == 200 and "Plone" in home


def test_a_page_created_at_the_front_end_is_read_back_through_every_client(plone: Demo) -> None:
    create_published_page(plone.site, plone.admin, PAGE, TITLE)
    clients = plone.clients()
    assert len(clients) == 4
    for client in clients:
        status, _, document = request(f"{client}/Plone/{PAGE}", auth=plone.admin, json_api=True)
        assert status == 200, (client, document[:500])
        assert json.loads(document)["title"] == TITLE, client


def test_an_anonymous_page_is_a_varnish_hit_until_varnish_purge(plone: Demo) -> None:
    page = plone.site + PAGE
    first, second = request(page), request(page)
    assert first[0] == 200 and second[0] == 200
    assert second[1].get("x-cache") == "HIT", second[1]
    plone.cli.ok(
        "deploy",
        STACK,
        "--command",
        "execute_recipes",
        "--layers",
        "lb",
        "--args",
        json.dumps({"recipes": ["varnish::purge"]}),
        "--custom-json",
        json.dumps({"varnish": {"purge_urls": [f"/{PAGE}$"]}}),
        "--wait",
        timeout=120,
    )
    after = request(page)
    assert after[0] == 200 and after[1].get("x-cache") == "MISS", after[1]


def test_a_new_revision_deploys_client_by_client_without_a_failed_request(plone: Demo) -> None:
    clients = plone.clients()
    for client in clients:  # the running release has no revision view yet
        assert request(f"{client}/Plone/{VIEW}", auth=plone.admin)[0] == 404, client
    commit_revision(plone.cli.data_dir / "plone-project.git", "revision two")
    with plone.admin_load(plone.site + PAGE) as load:
        time.sleep(2)
        started = time.monotonic()
        plone.cli.deploy_app(STACK, "plone_instances")
        took = time.monotonic() - started
        time.sleep(3)
    print(
        f"deploy of a new revision: {took:.0f}s, {len(load.results)} requests through the "
        f"front end, {len(load.failures())} failed, slowest {max(load.durations):.1f}s"
    )
    assert len(load.results) > 50
    assert load.failures() == []
    for client in clients:
        status, _, label = request(f"{client}/Plone/{VIEW}", auth=plone.admin)
        assert (status, label.strip()) == (200, "revision two"), client
    status, _, label = request(plone.site + VIEW)
    assert (status, label.strip()) == (200, "revision two")


def data_fs(plone: Demo) -> Path:
    found = sorted(
        plone.cli.data_dir.glob("instances/*/zeoserver1/srv/zeoserver/var/filestorage/Data.fs")
    )
    assert len(found) == 1, found
    return found[0].resolve()


def test_a_backup_restored_into_a_fresh_zeo_storage_brings_the_page_back(plone: Demo) -> None:
    plone.cli.execute_recipes(STACK, ["zeoserver::backup"], "--instances", "zeoserver1", full=True)
    create_published_page(plone.site, plone.admin, LATER_PAGE, "Written after the backup")

    # the ZEO server loses its storage: stopped, Data.fs and its companions gone, started
    # again on a new empty one (the backups, as if copied back from elsewhere, stay)
    storage = data_fs(plone)
    plone.cli.execute_recipes(STACK, ["zeoserver::stop"], "--instances", "zeoserver1")
    for path in storage.parent.glob("Data.fs*"):
        path.unlink()
    plone.cli.execute_recipes(STACK, ["zeoserver::configure"], "--instances", "zeoserver1")
    wait_until(storage.exists, timeout=30, what="the fresh ZEO server's empty Data.fs")
    empty = storage.stat().st_size

    # docs/plone.md, "Restoring": the restore, then the clients without their newer caches
    plone.cli.execute_recipes(STACK, ["zeoserver::restore"], "--instances", "zeoserver1")
    assert storage.stat().st_size > empty
    plone.cli.execute_recipes(
        STACK, ["plone_instances::restart"], "--layers", LAYER, drop_cache=True
    )

    for client in plone.clients():
        status, _, document = request(f"{client}/Plone/{PAGE}", auth=plone.admin, json_api=True)
        assert status == 200, (client, document[:500])
        assert json.loads(document)["title"] == TITLE, client
        assert request(f"{client}/Plone/{LATER_PAGE}", auth=plone.admin)[0] == 404, client
    status, _, page = request(plone.site + PAGE, auth=plone.admin)
    assert status == 200 and TITLE in page


def test_stopping_one_plone_instance_under_load_fails_no_request(plone: Demo) -> None:
    with plone.admin_load(plone.site + PAGE) as load:
        time.sleep(2)
        plone.cli.ok("instance", "stop", STACK, "plone-instances2", "--wait", timeout=180)
        time.sleep(3)
    print(f"{len(load.results)} requests through the front end while plone-instances2 stopped")
    assert len(load.results) > 20
    assert load.failures() == []


def test_demo_plone_down_stops_the_instances_and_the_server(plone: Demo) -> None:
    pid = int((plone.cli.data_dir / "server.pid").read_text())
    plone.cli.demo_plone("--down")
    assert get(plone.site, timeout=2)[0] == 0
    wait_until(lambda: not is_alive(pid), timeout=10, what="the server to exit")
