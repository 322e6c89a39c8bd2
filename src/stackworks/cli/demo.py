"""`stackworks demo`: a working stack on this machine in one command, and again without harm.

It makes sure a server answers (starting `stackworks server` detached if none does, logging to
DATA_DIR/server.log), logs in with the admin token the server wrote to DATA_DIR/admin-token,
turns examples/sample_app into a local git repository, applies the `demo` stack (a HAProxy layer
in front of two app instances), starts what is stopped and waits until the load balancer answers.
A second run finds everything in place: apply reports it unchanged, online instances are skipped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer

from stackworks.cli.client import ApiClient, ApiError
from stackworks.cli.errors import CliError, UsageError
from stackworks.cli.instances import START_FAILURES
from stackworks.cli.output import Output
from stackworks.cli.runtime import Runtime, runtime
from stackworks.cli.server import DEFAULT_LISTEN, check_listen, data_dir_default
from stackworks.cli.waiting import poll
from stackworks.domain.status import InstanceStatus, LayerType
from stackworks.wire.schemas import (
    AppCreate,
    AppSourceIn,
    EnvironmentVariableIn,
    InstanceCreate,
    InstanceOut,
    LayerCreate,
    StackDocument,
)

SERVER_PID_FILE = "server.pid"
STACK = "demo"
LB_PORT = 8080
FILTERED = "*****FILTERED*****"  # what the API answers for a secure value, and keeps it by
SAMPLE_APP = Path(__file__).resolve().parents[3] / "examples" / "sample_app"
SERVER_START_TIMEOUT = 60.0


def answers(url: str) -> bool:
    """Whether anything HTTP answers at `url` (any status: a 401 is a live server)."""
    try:
        httpx.get(url + "/api/v1/stacks", timeout=2.0)
    except httpx.HTTPError:
        return False
    return True


def start_server(rt: Runtime, data_dir: Path, listen: str, url: str) -> None:
    """Start `stackworks server` in its own session (it outlives this command); wait for it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    argv = [sys.executable, "-m", "stackworks", "server", "--data-dir", str(data_dir)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*argv, "--listen", listen],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (data_dir / SERVER_PID_FILE).write_text(f"{process.pid}\n")
    rt.output.line(f"Started the server (pid {process.pid}), log in {log_path}.")
    deadline = rt.clock() + SERVER_START_TIMEOUT
    while not answers(url):
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace").splitlines()[-5:]
            raise CliError(f"the server exited ({process.returncode}): " + " | ".join(tail))
        if rt.clock() >= deadline:
            raise CliError(f"the server did not answer at {url} in time; see {log_path}")
        rt.sleep(0.3)


def admin_token(data_dir: Path) -> str:
    path = data_dir / "admin-token"
    try:
        return path.read_text().strip()
    except OSError:
        raise CliError(
            f"no admin token at {path}: is the server at this address using another data dir? "
            "Pass that one with --data-dir"
        ) from None


def committed_copy(source: Path, repo: Path, what: str) -> Path:
    """`repo`: a copy of `source` committed to git, made once (a second call reuses it)."""
    if (repo / ".git").is_dir():
        return repo
    if not source.is_dir():
        raise CliError(f"{what} is missing at {source} (run from a source checkout)")
    shutil.copytree(source, repo, dirs_exist_ok=True)
    git = ["git", "-C", str(repo)]
    identity = ["-c", "user.name=Stackworks demo", "-c", "user.email=demo@stackworks.invalid"]
    for argv in (
        [*git, "init", "-q"],
        [*git, "add", "-A"],
        [*git, *identity, "commit", "-q", "-m", f"{what} for the Stackworks demo"],
    ):
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CliError(f"{' '.join(argv[3:5])} failed in {repo}: {done.stderr.strip()}")
    return repo


def sample_repository(data_dir: Path) -> Path:
    """DATA_DIR/sample-app.git: a copy of examples/sample_app committed to git (made once)."""
    return committed_copy(SAMPLE_APP, data_dir / "sample-app.git", "The sample app")


def demo_document(repo: Path, secret_key: str) -> StackDocument:
    return StackDocument(
        name=STACK,
        layers=[
            LayerCreate(
                shortname="lb", type=LayerType.LB, custom_json={"haproxy": {"port": LB_PORT}}
            ),
            LayerCreate(shortname="app", type=LayerType.PYTHON_APP),
        ],
        apps=[
            AppCreate(
                shortname="sample",
                source=AppSourceIn(url=f"file://{repo}"),
                layers=["app"],
                environment=[
                    EnvironmentVariableIn(key="GREETING", value="hello"),
                    EnvironmentVariableIn(key="SECRET_KEY", value=secret_key, secure=True),
                ],
            )
        ],
        instances=[
            InstanceCreate(layers=["lb"], hostname="lb1"),
            InstanceCreate(layers=["app"], hostname="app1"),
            InstanceCreate(layers=["app"], hostname="app2"),
        ],
    )


def existing_secret(client: ApiClient) -> str | None:
    """FILTERED if the demo app exists (the server then keeps its secret), else None."""
    try:
        client.get_app(STACK, "sample")
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return FILTERED


def wait_until_online(
    rt: Runtime,
    client: ApiClient,
    timeout: float,
    stack: str = STACK,
    hostnames: set[str] | None = None,
) -> list[InstanceOut]:
    """The stack's instances once all of them (or all of `hostnames`) are online; a failed
    start stops the wait with the commands that show why."""
    seen: dict[str, str] = {}

    def chosen(found: list[InstanceOut]) -> list[InstanceOut]:
        return [i for i in found if hostnames is None or i.hostname in hostnames]

    def report(found: list[InstanceOut]) -> None:
        for instance in found:
            if seen.get(instance.hostname) != instance.status.value:
                seen[instance.hostname] = instance.status.value
                rt.output.line(f"  {instance.hostname}: {instance.status.value}")
        failed = [i for i in chosen(found) if i.status in START_FAILURES - {InstanceStatus.STOPPED}]
        if failed:
            names = ", ".join(f"{i.hostname} ({i.status.value})" for i in failed)
            raise CliError(
                f"{names} did not come online; see `stackworks command list {stack}` and "
                f"`stackworks deployment list {stack}`"
            )

    return poll(
        rt,
        lambda: client.list_instances(stack),
        lambda found: all(i.status is InstanceStatus.ONLINE for i in chosen(found)),
        timeout=timeout,
        what=f"the {stack} instances to be online",
        on_change=report,
    )


def wait_for_http(rt: Runtime, url: str, timeout: float) -> None:
    def status() -> int:
        try:
            return httpx.get(url, timeout=2.0).status_code
        except httpx.HTTPError:
            return 0

    poll(rt, status, lambda code: code == 200, timeout=timeout, what=f"{url} to answer 200")


def next_steps(output: Output, server_url: str, lb_url: str, data_dir: Path) -> None:
    output.line(f"\nThe demo app answers at {lb_url}", style="bold green")
    output.line(f"Server: {server_url} (API docs at {server_url}/docs)")
    output.line("Try, after:")
    output.line(f"  export STACKWORKS_URL={server_url}")
    output.line(f"  export STACKWORKS_TOKEN=$(cat {data_dir / 'admin-token'})")
    for command in (
        f"stackworks instance list {STACK}",
        f"stackworks deploy {STACK} --command deploy --app sample --wait",
        f"stackworks instance stop {STACK} app2 --wait",
        f"stackworks command list {STACK}",
        f"curl {lb_url}",
        "stackworks demo --down    # stop the instances and the server",
    ):
        output.line(f"  {command}")


def run_demo(rt: Runtime, data_dir: Path, listen: str, timeout: float = 600.0) -> None:
    server_url = f"http://{check_listen(listen)}"
    if answers(server_url):
        rt.output.line(f"A server already answers at {server_url}.")
    else:
        start_server(rt, data_dir, listen, server_url)
    client = ApiClient(server_url, admin_token(data_dir), transport=rt.transport)
    with client:
        repo = sample_repository(data_dir)
        secret = existing_secret(client) or secrets.token_urlsafe(32)
        result = client.put_document(demo_document(repo, secret))
        rt.output.line(
            f"Applied stack {STACK}: {len(result.created)} created, "
            f"{len(result.updated)} updated, {len(result.unchanged)} unchanged."
        )
        for instance in client.list_instances(STACK):
            if instance.status in (InstanceStatus.STOPPED, InstanceStatus.START_FAILED):
                client.start_instance(STACK, instance.hostname)
                rt.output.line(f"Starting {instance.hostname}.")
            else:
                rt.output.line(f"{instance.hostname} is {instance.status.value}; left as is.")
        rt.output.line("Waiting for the instances to be online:")
        found = wait_until_online(rt, client, timeout)
    lb = next(i for i in found if "lb" in i.layers)
    lb_url = f"http://{lb.private_ip}:{LB_PORT}/"
    wait_for_http(rt, lb_url, timeout)
    next_steps(rt.output, server_url, lb_url, data_dir)


def stop_instances(rt: Runtime, client: ApiClient, stack: str, timeout: float) -> None:
    """Stop every instance of `stack` (none when the stack does not exist) and wait for it."""
    try:
        hostnames = [i.hostname for i in client.list_instances(stack)]
    except ApiError as error:
        if error.status != 404:
            raise
        hostnames = []
    for hostname in hostnames:
        client.stop_instance(stack, hostname)
    deadline = rt.clock() + timeout
    while hostnames and any(
        i.status is not InstanceStatus.STOPPED for i in client.list_instances(stack)
    ):
        if rt.clock() >= deadline:
            raise CliError(f"the {stack} instances did not stop in time")
        rt.sleep(0.5)
    rt.output.line(f"Stopped {', '.join(hostnames) or 'no instances'}.")


def stop_server(rt: Runtime, data_dir: Path) -> None:
    """Stop the server the demo started (its pid file says which), if it still runs."""
    pid_file = data_dir / SERVER_PID_FILE
    if not pid_file.exists():
        rt.output.line("No server started by the demo to stop.")
        return
    pid = int(pid_file.read_text().strip() or 0)
    cmdline = Path(f"/proc/{pid}/cmdline")
    if pid and cmdline.exists() and b"stackworks" in cmdline.read_bytes():
        os.kill(pid, signal.SIGTERM)
        rt.output.line(f"Stopped the server (pid {pid}).")
    pid_file.unlink()


def stop_demo(rt: Runtime, data_dir: Path, listen: str, timeout: float) -> None:
    """Stop every instance of the demo stack, then the server the demo started."""
    server_url = f"http://{check_listen(listen)}"
    if answers(server_url):
        with ApiClient(server_url, admin_token(data_dir), transport=rt.transport) as client:
            stop_instances(rt, client, STACK, timeout)
    stop_server(rt, data_dir)


#: what `stackworks demo WHICH` brings up
DEMOS = ("sample", "plone")


def demo(
    ctx: typer.Context,
    which: Annotated[
        str,
        typer.Argument(
            help="sample: HAProxy and two app instances; plone: seed 001's scalable Plone stack"
        ),
    ] = "sample",
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir", help="server state (default $STACKWORKS_DATA_DIR or ./.stackworks)"
        ),
    ] = None,
    listen: Annotated[str, typer.Option("--listen", help="server HOST:PORT")] = DEFAULT_LISTEN,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds to wait for it all")] = 600.0,
    down: Annotated[
        bool, typer.Option("--down", help="stop the demo's instances and its server instead")
    ] = False,
) -> None:
    """Start a local server (if none answers) and a demo stack: HAProxy in front of two app
    instances of examples/sample_app, or with `plone` the scalable Plone stack of
    examples/plone/scalable.yaml. Running it again reuses what exists."""
    if which not in DEMOS:
        raise UsageError(f"unknown demo {which!r}: choose one of {', '.join(DEMOS)}")
    where = (data_dir or data_dir_default()).resolve()
    if which == "plone":
        # imported here: demo_plone builds on this module's pieces
        from stackworks.cli import demo_plone

        if down:
            demo_plone.stop_plone_demo(runtime(ctx), where, listen, timeout)
        else:
            demo_plone.run_plone_demo(runtime(ctx), where, listen, timeout)
    elif down:
        stop_demo(runtime(ctx), where, listen, timeout)
    else:
        run_demo(runtime(ctx), where, listen, timeout)
