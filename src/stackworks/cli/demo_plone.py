"""`stackworks demo plone`: seed 001's scalable Plone stack on this machine, in one command.

The server part is the sample demo's (stackworks.cli.demo). Then examples/plone/project becomes
a local git repository under the data dir, examples/plone/scalable.yaml is applied with that
repository as the app's source and a generated admin password (kept in
DATA_DIR/plone-admin-password, readable by this user only, and sent as the app's secure
PLONE_ADMIN_PASSWORD), the ZEO server starts first, then the clients' instances and the front
end, and the command waits until the site answers through nginx.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from stackworks.cli import demo
from stackworks.cli.client import ApiClient
from stackworks.cli.documents import load_document
from stackworks.cli.errors import CliError
from stackworks.cli.output import Output
from stackworks.cli.runtime import Runtime
from stackworks.cli.server import check_listen
from stackworks.domain.status import InstanceStatus, LayerType
from stackworks.wire.schemas import InstanceOut, StackDocument

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "plone"
PROJECT = EXAMPLES / "project"
DOCUMENT = EXAMPLES / "scalable.yaml"
APP_URL = "APP_URL"  # the placeholder in the document's app source
PASSWORD_ENV = "PLONE_ADMIN_PASSWORD"
PASSWORD_FILE = "plone-admin-password"


def project_repository(data_dir: Path) -> Path:
    """DATA_DIR/plone-project.git: examples/plone/project committed to git (made once)."""
    return demo.committed_copy(PROJECT, data_dir / "plone-project.git", "The Plone project")


def admin_password(data_dir: Path) -> str:
    """The admin password of the demo's site: made once, then read back from its file."""
    path = data_dir / PASSWORD_FILE
    if path.exists():
        password = path.read_text().strip()
        if password:
            return password
    password = secrets.token_urlsafe(18)
    data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(password + "\n")
    return password


def plone_document(repo: Path, password: str, source: Path = DOCUMENT) -> StackDocument:
    """The scalable document with the project repository as the app's source and `password`
    as every app's secure PLONE_ADMIN_PASSWORD."""
    document = load_document(source)
    if not any(app.source.url == APP_URL for app in document.apps):
        raise CliError(f"{source}: no app has the source url {APP_URL} to fill in")
    for app in document.apps:
        if app.source.url == APP_URL:
            app.source.url = f"file://{repo}"
        for variable in app.environment:
            if variable.key == PASSWORD_ENV:
                variable.value = password
                variable.secure = True
    return document


def frontend_layers(document: StackDocument) -> list[str]:
    return [layer.shortname for layer in document.layers if layer.type is LayerType.PLONE_FRONTEND]


def zeo_layers(document: StackDocument) -> list[str]:
    return [layer.shortname for layer in document.layers if layer.type is LayerType.ZEOSERVER]


def site_url(document: StackDocument, instances: list[InstanceOut]) -> str:
    """nginx's URL on the first front-end instance: the site's address."""
    layers = set(frontend_layers(document))
    front = sorted(
        (i for i in instances if layers & set(i.layers) and i.private_ip),
        key=lambda i: i.hostname,
    )
    if not front:
        raise CliError(f"stack {document.name} has no front-end instance with an address")
    nginx = document.custom_json.get("nginx", {})
    port = nginx.get("port", 80) if isinstance(nginx, dict) else 80
    return f"http://{front[0].private_ip}:{port}/"


def start_stopped(rt: Runtime, client: ApiClient, stack: str, hostnames: list[str]) -> None:
    """Start each of `hostnames` that is stopped (or failed to start); leave the others."""
    for instance in client.list_instances(stack):
        if instance.hostname not in hostnames:
            continue
        if instance.status in (InstanceStatus.STOPPED, InstanceStatus.START_FAILED):
            client.start_instance(stack, instance.hostname)
            rt.output.line(f"Starting {instance.hostname}.")
        else:
            rt.output.line(f"{instance.hostname} is {instance.status.value}; left as is.")


def next_steps(
    output: Output, server_url: str, url: str, data_dir: Path, document: StackDocument
) -> None:
    stack = document.name
    front = frontend_layers(document)[0]
    output.line(f"The Plone site answers at {url}", style="bold green")
    output.line(f"Admin: admin, password in {data_dir / PASSWORD_FILE}")
    output.line(f"Server: {server_url} (API docs at {server_url}/docs)")
    output.line("Try, after:")
    output.line(f"  export STACKWORKS_URL={server_url}")
    output.line(f"  export STACKWORKS_TOKEN=$(cat {data_dir / 'admin-token'})")
    for command in (
        f"stackworks instance list {stack}",
        f"curl -sI {url} | grep X-Cache          # the second one is a HIT",
        f"stackworks deploy {stack} --command execute_recipes --layers {front} "
        '--args \'{"recipes": ["varnish::purge"]}\' --wait',
        f"stackworks instance stop {stack} plone-instances2 --wait   # the site still answers",
        f"stackworks deploy {stack} --command execute_recipes --instances zeoserver1 "
        '--args \'{"recipes": ["zeoserver::backup"]}\' --wait',
        "stackworks demo plone --down    # stop the instances and the server",
    ):
        output.line(f"  {command}")


def run_plone_demo(rt: Runtime, data_dir: Path, listen: str, timeout: float) -> None:
    """Bring the scalable Plone stack up (or find it up) and print the site's URL first."""
    server_url = f"http://{check_listen(listen)}"
    if demo.answers(server_url):
        rt.output.line(f"A server already answers at {server_url}.")
    else:
        demo.start_server(rt, data_dir, listen, server_url)
    document = plone_document(project_repository(data_dir), admin_password(data_dir))
    stack = document.name
    with ApiClient(server_url, demo.admin_token(data_dir), transport=rt.transport) as client:
        result = client.put_document(document)
        rt.output.line(
            f"Applied stack {stack}: {len(result.created)} created, "
            f"{len(result.updated)} updated, {len(result.unchanged)} unchanged."
        )
        zeo = set(zeo_layers(document))
        instances = client.list_instances(stack)
        first = [i.hostname for i in instances if zeo & set(i.layers)]
        rest = [i.hostname for i in instances if i.hostname not in first]
        start_stopped(rt, client, stack, first)
        rt.output.line("Waiting for the ZEO server to be online:")
        demo.wait_until_online(rt, client, timeout, stack, set(first))
        start_stopped(rt, client, stack, rest)
        rt.output.line("Waiting for the instances to be online:")
        found = demo.wait_until_online(rt, client, timeout, stack)
    url = site_url(document, found)
    demo.wait_for_http(rt, url, timeout)
    next_steps(rt.output, server_url, url, data_dir, document)


def stop_plone_demo(rt: Runtime, data_dir: Path, listen: str, timeout: float) -> None:
    """Stop the Plone stack's instances, then the server the demo started."""
    server_url = f"http://{check_listen(listen)}"
    if demo.answers(server_url):
        stack = load_document(DOCUMENT).name
        with ApiClient(server_url, demo.admin_token(data_dir), transport=rt.transport) as client:
            demo.stop_instances(rt, client, stack, timeout)
    demo.stop_server(rt, data_dir)
