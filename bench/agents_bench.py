"""How one server copes with thousands of agents: heartbeats, long-polls and a configure fan-out.

Figures printed (nothing asserted), for each N in `--agents` (default 100,1000,5000), each N in
its own stack on a fresh server and database:
- heartbeat latency p50/p99 over a measuring window, with every agent heartbeating at the
  stack's interval and long-polling between (as the real agent does);
- the server process's CPU (percent of one core, averaged over the window) and memory (RSS),
  and PostgreSQL's CPU (all its processes);
- a configure fan-out: one more instance ("joiner") comes online, which queues a configure on
  every online instance; the time from the joiner's setup result to the moment the last
  simulated agent has reported its configure, and the bytes the server sent for it (every
  answer body but heartbeats' in that time, as sent: compressed if it was).

The agents are simulated in this process with asyncio and one httpx.AsyncClient per agent (as
each real agent keeps its own connections): each one heartbeats with metrics, long-polls `GET
/agent/commands`, and answers each command as `agent/executor.py` does: ack, then the result
carrying its one log chunk (`log`), or, if the server refuses that field (one older than it),
the chunk and the result apart. If a command names its stack configuration by version
(docs/agent-protocol.md, "Stack configuration"), the agent fetches it once per version, with If-
None-Match when it holds an older one, as `agent/client.py` does (reading the body as sent, not
inflating and parsing it: each real agent does that on its own host); a server that inlines the
configuration (the protocol before versions) is answered the same, so the bench measures either
server. The server paces heartbeats to its cap (`--max-heartbeats`, docs/healing-and-
scaling.md): the `told s` column is the interval the agents were told and followed.

Setup goes through the store, not the API: N instances (provider `registered`, status online,
each with its own credential) are inserted into PostgreSQL directly, because registering 5,000
hosts one by one through `POST /agent/register` measures registration, not steady running.
Everything runs on 127.0.0.1; the server, PostgreSQL and the data dirs are removed at the end.

    .venv/bin/python bench/agents_bench.py [--agents 100,1000,5000] [--quick]
        [--heartbeat-interval 5] [--window 20] [--fanout-timeout 120]

`--quick` runs N=100 with a short window: a check that the plumbing works, in about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import resource
import signal
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from stackworks.domain.status import InstanceStatus  # noqa: E402
from stackworks.store import keyring as keyrings  # noqa: E402
from stackworks.store import tokens  # noqa: E402
from stackworks.store.db import Database  # noqa: E402
from stackworks.store.ids import new_id  # noqa: E402
from stackworks.store.tables import InstanceRow, utcnow  # noqa: E402
from support import postgres  # noqa: E402
from support.cluster import ServerProcess  # noqa: E402

API = "/api/v1"
POLL_WAIT = 20.0
OPEN_FILES = 65536
SETTLE_AT_MOST = 180.0  # seconds the warm-up waits for every agent to follow the told interval
METRICS = {"load1": 0.4, "load5": 0.3, "load15": 0.2, "cpu": 12.0, "memory": 40.0, "disk": 55.0}
#: what the real agent's poll asks for (agent/client.py): versions, and its delivery as its ack
POLL_PARAMS = {"stack_configuration": "by_version", "acknowledge": "on_delivery"}


def ramp_for(count: int) -> float:
    """Seconds over which N agents make their first poll: a fleet does not connect in one
    instant, and 5,000 connects at once overflow the listen backlog, which measures the
    kernel, not the server."""
    return max(2.0, count / 500)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(v for v in values if v == v)  # NaN (a step not reached) left out
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class Counters:
    """What every simulated agent adds to while the bench watches."""

    heartbeat_ms: list[float] = field(default_factory=list)
    loop_lag_ms: list[float] = field(default_factory=list)
    measuring: bool = False
    errors: dict[str, int] = field(default_factory=dict)
    #: answer bytes as they came over the wire (compressed if they were), heartbeats apart
    body_bytes: int = 0
    configuration_fetches: int = 0
    deltas_applied: int = 0  # commands whose version came as a delta, so was not fetched
    not_modified: int = 0
    #: set at the joiner's setup result: configures finished after it count as the fan-out's
    fanout_began: float | None = None
    fanout_done: dict[str, float] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


@dataclass
class SimulatedAgent:
    instance_id: str
    hostname: str
    credential: str
    interval: float
    ramp: float = 2.0  # seconds over which the agents' first polls spread
    cache: tuple[str, Any] | None = None  # (version, stack configuration) last fetched
    answered: bool = False  # whether a heartbeat of it was answered (it follows the told interval)
    result_takes_log: bool = True  # False once a server older than the result's `log` refused it

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}


async def heartbeat_loop(
    http: httpx.AsyncClient, agent: SimulatedAgent, counters: Counters, stop: asyncio.Event
) -> None:
    await asyncio.sleep(random.uniform(0, agent.interval))  # agents do not start in step
    while not stop.is_set():
        began = time.perf_counter()
        try:
            response = await http.post(
                f"{API}/agent/heartbeat",
                json={"metrics": METRICS, "agent_version": "bench"},
                headers=agent.headers,
            )
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                counters.error(f"heartbeat {response.status_code}")
            else:
                if counters.measuring:
                    counters.heartbeat_ms.append(elapsed)
                agent.interval = response.json().get("heartbeat_interval") or agent.interval
                agent.answered = True
        except httpx.HTTPError as exc:
            counters.error(f"heartbeat {type(exc).__name__}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), agent.interval)


async def fetch_configuration(
    http: httpx.AsyncClient,
    agent: SimulatedAgent,
    version: str,
    counters: Counters,
    delta: dict[str, Any] | None = None,
) -> Any:
    if agent.cache is not None and agent.cache[0] == version:
        return agent.cache[1]
    if delta is not None and agent.cache is not None and delta.get("base") == agent.cache[0]:
        # the real agent applies the delta to the version it holds and checks the digest, on
        # its own host; here it is taken as applied
        counters.deltas_applied += 1
        agent.cache = (version, None)
        return agent.cache[1]
    headers = dict(agent.headers)
    if agent.cache is not None:
        headers["If-None-Match"] = f'"{agent.cache[0]}"'
    # The body is read as sent (gzip) and not decoded: a real agent inflates and parses it on
    # its own host, and N of them doing it here (400 KB of JSON each at N=1,000) would measure
    # this one process, not the server.
    url = f"{API}/agent/stack-configuration/{version}"
    async with http.stream("GET", url, headers=headers) as response:
        async for _chunk in response.aiter_raw():
            pass
    counters.body_bytes += response.num_bytes_downloaded
    counters.configuration_fetches += 1
    if response.status_code == 304 and agent.cache is not None:
        counters.not_modified += 1
        return agent.cache[1]
    response.raise_for_status()
    agent.cache = (version, None)
    return agent.cache[1]


def refuses_field(response: httpx.Response, field: str) -> bool:
    """Whether the server refused the request for a field it does not know (422 naming it)."""
    if response.status_code != 422:
        return False
    detail = response.json().get("detail")
    return isinstance(detail, dict) and detail.get("field") == field


async def answer(
    http: httpx.AsyncClient, agent: SimulatedAgent, command: dict[str, Any], counters: Counters
) -> None:
    """What agent/executor.py does with a command, without running recipes."""
    base = f"{API}/agent/commands/{command['id']}"
    if command.get("stack_configuration"):
        await fetch_configuration(
            http,
            agent,
            command["stack_configuration"],
            counters,
            command.get("stack_configuration_delta"),
        )
    if not command.get("acknowledged"):  # a server older than acknowledge=on_delivery
        response = await http.post(base + "/ack", headers=agent.headers)
        counters.body_bytes += response.num_bytes_downloaded
        if response.status_code >= 400:
            counters.error(f"ack {response.status_code}")
            return
    if agent.hostname == "joiner" and command["type"] == "setup":
        counters.fanout_began = time.perf_counter()
    # a short run's whole log fits in the chunk that travels with the result
    chunk = {"seq": 0, "lines": [f"{command['type']} on {agent.hostname}: nothing to do"]}
    result: dict[str, Any] = {"status": "successful", "exit_code": 0, "report": {"resources": []}}
    if agent.result_takes_log:
        response = await http.post(
            base + "/result", json={**result, "log": chunk}, headers=agent.headers
        )
        agent.result_takes_log = not refuses_field(response, "log")
    if not agent.result_takes_log:  # a server older than the result's `log`
        await http.post(base + "/log", json=chunk, headers=agent.headers)
        response = await http.post(base + "/result", json=result, headers=agent.headers)
    if response.status_code >= 400:
        counters.error(f"result {response.status_code}")
    elif command["type"] == "configure" and counters.fanout_began is not None:
        counters.fanout_done[agent.hostname] = time.perf_counter()


async def poll_loop(
    http: httpx.AsyncClient, agent: SimulatedAgent, counters: Counters, stop: asyncio.Event
) -> None:
    await asyncio.sleep(random.uniform(0, agent.ramp))
    while not stop.is_set():
        try:
            response = await http.get(
                f"{API}/agent/commands",
                params={
                    "wait": f"{POLL_WAIT:g}",
                    **POLL_PARAMS,
                    **({"have": agent.cache[0]} if agent.cache else {}),
                },
                headers=agent.headers,
            )
            counters.body_bytes += response.num_bytes_downloaded
            if response.status_code != 200:
                counters.error(f"poll {response.status_code}")
                await asyncio.sleep(1.0)
                continue
            for command in response.json()["commands"]:
                await answer(http, agent, command, counters)
        except httpx.HTTPError as exc:
            counters.error(f"poll {type(exc).__name__}")
            await asyncio.sleep(1.0)


async def lag_probe(counters: Counters, stop: asyncio.Event) -> None:
    """How late this process's event loop wakes up: if the bench itself is the bottleneck,
    heartbeat latencies include this."""
    while not stop.is_set():
        began = time.perf_counter()
        await asyncio.sleep(0.1)
        if counters.measuring:
            counters.loop_lag_ms.append((time.perf_counter() - began - 0.1) * 1000)


# --- the server under test -------------------------------------------------------------------


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES if hard == resource.RLIM_INFINITY else min(OPEN_FILES, hard)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def seed(server: ServerProcess, count: int, interval: float) -> tuple[list[SimulatedAgent], str]:
    """A stack of `count` online instances and one booting joiner; their credentials."""
    name = f"scale{count}"
    stack = server.call("POST", "/stacks", {"name": name}, expect=201)
    # A generous time-out: an instance lost under load would come back with a fan-out of its own.
    timeout = max(120.0, 10 * interval)
    server.call(
        "PATCH",
        f"/stacks/{name}",
        {"heartbeat_interval": interval, "heartbeat_timeout": timeout},
        expect=200,
    )
    server.call(
        "POST", f"/stacks/{name}/layers", {"shortname": "app", "type": "custom"}, expect=201
    )
    assert server.database_url is not None
    keyring, _ = keyrings.load(server.data_dir, os.environ)
    db = Database(server.database_url, keyring)
    agents: list[SimulatedAgent] = []
    now = utcnow()
    with db.transaction() as session:
        for n in range(count + 1):
            hostname = "joiner" if n == count else f"app{n + 1}"
            credential = tokens.new_secret("swi")
            row = InstanceRow(
                id=new_id(),
                stack_id=stack["id"],
                hostname=hostname,
                layers=["app"],
                status=(InstanceStatus.BOOTING if n == count else InstanceStatus.ONLINE).value,
                provider="registered",
                private_ip=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 + 1}",
                credential_hash=tokens.hash_token(credential),
                status_changed_at=now,
                last_heartbeat_at=now,
            )
            session.add(row)
            agents.append(SimulatedAgent(row.id, hostname, credential, interval))
    db.dispose()
    return agents, name


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Figures:
    agents: int
    heartbeats: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    lag_p99_ms: float = float("nan")
    server_cpu: float = 0.0
    #: the heartbeat interval the agents follow at the window's end (the server's answer)
    told_interval_s: float = float("nan")
    server_rss_mb: float = 0.0
    postgres_cpu: float = 0.0
    fanout_s: float | None = None
    fanout_p50_s: float | None = None
    #: server and PostgreSQL CPU seconds from the joiner's start to the end of the fan-out
    fanout_cpu_s: float = 0.0
    #: the server's CPU during the window per heartbeat (idle long-polls included)
    cpu_ms_per_beat: float = float("nan")
    fanout_done: int = 0
    fanout_mb: float = 0.0
    fetches: int = 0
    deltas: int = 0
    errors: dict[str, int] = field(default_factory=dict)


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def postgres_processes(pg: postgres.PostgresServer) -> list[psutil.Process]:
    assert pg.process is not None
    root = psutil.Process(pg.process.pid)
    return [root, *root.children(recursive=True)]


async def settle_on_told_interval(online: list[SimulatedAgent], count: int) -> None:
    """Until every agent has had a heartbeat answered, and then for one interval it was told:
    a server that paces its fleet (`told s`) tells a longer interval than the stack's, and each
    agent follows it only after its first answer; measured before, the window would count the
    flood of first heartbeats, not the steady state. Bounded: SETTLE_AT_MOST seconds."""
    deadline = time.perf_counter() + SETTLE_AT_MOST
    while time.perf_counter() < deadline and not all(a.answered for a in online):
        await asyncio.sleep(0.5)
    told = max(a.interval for a in online)
    print(f"  N={count}: settling {told:.0f} s on the told interval", file=sys.stderr, flush=True)
    await asyncio.sleep(min(told, max(0.0, deadline - time.perf_counter())))


async def first_configure(
    server: ServerProcess, stack: str, online: list[SimulatedAgent], count: int
) -> None:
    """A configure on every instance before the measuring starts, so each agent holds a stack
    configuration version as a running one does (it got one at its setup and each configure
    since): the joiner's fan-out then finds them holding the version before it. Bounded by
    SETTLE_AT_MOST; printed: how long this fan-out of agents holding nothing took."""
    began = time.perf_counter()
    deployment = await asyncio.to_thread(
        server.call,
        "POST",
        f"/stacks/{stack}/deployments",
        {"command": {"name": "configure"}},
        expect=201,
    )
    deadline = began + SETTLE_AT_MOST
    status = deployment["status"]
    while time.perf_counter() < deadline and status == "running":
        await asyncio.sleep(0.5)
        found = await asyncio.to_thread(
            server.call, "GET", f"/stacks/{stack}/deployments/{deployment['id']}", expect=200
        )
        status = found["status"]
    held = sum(1 for a in online if a.cache)
    print(
        f"  N={count}: first configure (nothing held): {status} in "
        f"{time.perf_counter() - began:.1f} s, {held} agents hold a version",
        file=sys.stderr,
        flush=True,
    )


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """`--max-heartbeats`: the server's cap on its fleet's heartbeats a second (0: none)."""
    if args.max_heartbeats is None:
        return {}
    return {"STACKWORKS_MAX_HEARTBEATS_PER_SECOND": f"{args.max_heartbeats:g}"}


async def run_one(
    pg: postgres.PostgresServer, work: Path, count: int, args: argparse.Namespace
) -> Figures:
    figures = Figures(agents=count)
    database = pg.create_database()
    server = ServerProcess(
        work / f"server-{count}",
        env={"PYTHONPATH": str(ROOT / "src"), **server_env(args)},
        database_url=pg.url(database),
    )
    try:
        server.start()  # inside: a server that never answers is ended too
        agents, _stack = seed(server, count, args.heartbeat_interval)
        online, joiner = agents[:-1], agents[-1]
        counters = Counters()
        stop = asyncio.Event()
        # One client per agent, as each real agent has its own: a single pool shared by
        # thousands of concurrent requests costs the pool O(n) per request and makes the bench,
        # not the server, the bottleneck. One SSL context for all (unused over http://).
        shared_tls = ssl.create_default_context()
        clients = [
            httpx.AsyncClient(
                base_url=server.url,
                limits=httpx.Limits(max_connections=3, max_keepalive_connections=3),
                timeout=httpx.Timeout(30.0, read=POLL_WAIT + 30.0),
                verify=shared_tls,
            )
            for _agent in agents
        ]
        try:
            tasks = [
                asyncio.create_task(loop(http, agent, counters, stop))
                for agent, http in zip(online, clients, strict=False)
                for loop in (heartbeat_loop, poll_loop)
            ]
            tasks.append(asyncio.create_task(lag_probe(counters, stop)))
            ramp = ramp_for(count)
            for agent in agents:
                agent.ramp = ramp
            warmup = max(args.heartbeat_interval, ramp) + 3.0
            print(f"  N={count}: warming up {warmup:.0f} s", file=sys.stderr, flush=True)
            await asyncio.sleep(warmup)
            await settle_on_told_interval(online, count)
            await first_configure(server, _stack, online, count)
            server_process = psutil.Process(server.process.pid if server.process else 0)
            pg_processes = postgres_processes(pg)
            cpu_before, pg_before = cpu_seconds([server_process]), cpu_seconds(pg_processes)
            counters.measuring = True
            began = time.perf_counter()
            print(f"  N={count}: heartbeats for {args.window:.0f} s", file=sys.stderr, flush=True)
            await asyncio.sleep(args.window)
            counters.measuring = False
            elapsed = time.perf_counter() - began
            server_cpu_s = cpu_seconds([server_process]) - cpu_before
            figures.server_cpu = 100 * server_cpu_s / elapsed
            figures.cpu_ms_per_beat = 1000 * server_cpu_s / max(1, len(counters.heartbeat_ms))
            figures.postgres_cpu = 100 * (cpu_seconds(pg_processes) - pg_before) / elapsed
            figures.server_rss_mb = server_process.memory_info().rss / 2**20
            figures.heartbeats = len(counters.heartbeat_ms)
            figures.p50_ms = percentile(counters.heartbeat_ms, 0.50)
            figures.p99_ms = percentile(counters.heartbeat_ms, 0.99)
            figures.lag_p99_ms = percentile(counters.loop_lag_ms, 0.99)
            figures.told_interval_s = statistics.median(a.interval for a in online)

            print(f"  N={count}: fan-out (joiner comes online)", file=sys.stderr, flush=True)
            fanout_from = datetime.now(UTC)  # the first configure's commands are older
            bytes_before = counters.body_bytes
            fetches_before = counters.configuration_fetches
            deltas_before = counters.deltas_applied
            pg_processes = postgres_processes(pg)  # backends opened since count too
            fanout_cpu_before = cpu_seconds([server_process, *pg_processes])
            tasks += [
                asyncio.create_task(loop(clients[-1], joiner, counters, stop))
                for loop in (heartbeat_loop, poll_loop)
            ]
            deadline = time.perf_counter() + args.fanout_timeout
            while time.perf_counter() < deadline and len(counters.fanout_done) < count:
                await asyncio.sleep(0.05)
            figures.fanout_done = len(counters.fanout_done)
            if counters.fanout_began is not None and counters.fanout_done:
                last = max(counters.fanout_done.values())
                if figures.fanout_done >= count:
                    figures.fanout_s = last - counters.fanout_began
                done = [t - counters.fanout_began for t in counters.fanout_done.values()]
                figures.fanout_p50_s = statistics.median(done)
            figures.fanout_cpu_s = cpu_seconds([server_process, *pg_processes]) - fanout_cpu_before
            figures.fanout_mb = (counters.body_bytes - bytes_before) / 2**20
            figures.fetches = counters.configuration_fetches - fetches_before
            figures.deltas = counters.deltas_applied - deltas_before
            figures.errors = dict(counters.errors)
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if args.timings:
                print_command_timings(server, _stack, fanout_from)
        finally:
            await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)
    finally:
        server.stop()
        server.client.close()
        pg.drop_database(database)
    return figures


def print_command_timings(server: ServerProcess, stack: str, since: datetime) -> None:
    """Where a fan-out's time went: each configure's created -> sent -> acked -> completed,
    for the configures created `since` (the joiner's fan-out, not the first configure)."""
    try:
        commands = server.call("GET", f"/stacks/{stack}/commands?type=configure", expect=200)
    except (httpx.HTTPError, AssertionError) as exc:
        print(f"        no timings: {type(exc).__name__}: {exc}", file=sys.stderr)
        return

    def at(value: str | None) -> float:
        return datetime.fromisoformat(value).timestamp() if value else float("nan")

    steps = {"sent": [], "acked": [], "completed": []}
    for command in commands:
        created = at(command["created_at"])
        if created < since.timestamp():
            continue
        for step, key in (
            ("sent", "sent_at"),
            ("acked", "acknowledged_at"),
            ("completed", "completed_at"),
        ):
            steps[step].append(at(command[key]) - created)
    for step, values in steps.items():
        reached = [v for v in values if v == v]  # NaN: the step was never reached
        print(
            f"        {step:>9} after created: p50 {percentile(values, 0.5):.2f} s, "
            f"max {percentile(values, 1.0):.2f} s ({len(reached)} of {len(values)} configures)",
            file=sys.stderr,
        )


HEADER = (
    f"{'agents':>7} {'beats':>7} {'p50 ms':>8} {'p99 ms':>8} {'lag p99':>8} {'srv cpu%':>9} "
    f"{'ms/beat':>8} {'srv MB':>7} {'pg cpu%':>8} {'fan-out s':>10} {'p50 s':>6} {'done':>6} "
    f"{'cpu s':>6} {'fan-out MB':>11} {'fetches':>8} {'deltas':>7} {'told s':>7}"
)


def print_header(args: argparse.Namespace) -> None:
    print(
        f"heartbeat interval {args.heartbeat_interval:g} s, poll wait {POLL_WAIT:g} s, "
        f"window {args.window:g} s, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    print(HEADER)
    print("-" * len(HEADER), flush=True)


def print_row(row: Figures) -> None:
    fanout = f"{row.fanout_s:.2f}" if row.fanout_s is not None else "timeout"
    median = f"{row.fanout_p50_s:.2f}" if row.fanout_p50_s is not None else "-"
    print(
        f"{row.agents:>7} {row.heartbeats:>7} {row.p50_ms:>8.1f} {row.p99_ms:>8.1f} "
        f"{row.lag_p99_ms:>8.1f} {row.server_cpu:>9.0f} {row.cpu_ms_per_beat:>8.2f} "
        f"{row.server_rss_mb:>7.0f} {row.postgres_cpu:>8.1f} {fanout:>10} {median:>6} "
        f"{row.fanout_done:>6} {row.fanout_cpu_s:>6.1f} {row.fanout_mb:>11.2f} {row.fetches:>8} "
        f"{row.deltas:>7} "
        f"{row.told_interval_s:>7.1f}",
        flush=True,
    )
    if row.errors:
        print(f"        errors at N={row.agents}: {row.errors}", flush=True)


def run(main: Coroutine[Any, Any, Figures]) -> Figures:
    """The simulated agents on uvloop, the event loop the server runs on too: asyncio's own
    spends more of this one process's CPU on the loop than on the agents' requests."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so every finally cleans up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="100,1000,5000", help="comma-separated N")
    parser.add_argument(
        "--max-heartbeats",
        type=float,
        default=None,
        help="the server's STACKWORKS_MAX_HEARTBEATS_PER_SECOND (default: its own, 100; 0: none)",
    )
    parser.add_argument("--quick", action="store_true", help="N=100, short window")
    parser.add_argument("--heartbeat-interval", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=20.0, help="seconds of heartbeats")
    parser.add_argument("--fanout-timeout", type=float, default=120.0)
    parser.add_argument(
        "--timings", action="store_true", help="print where each fan-out's time went (stderr)"
    )
    args = parser.parse_args()
    if args.quick:
        args.agents, args.window, args.fanout_timeout = "100", 8.0, 30.0
    sizes = [int(part) for part in args.agents.split(",") if part.strip()]
    raise_open_files()
    signal.signal(signal.SIGTERM, _terminate)
    pg = postgres.start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="stackworks-agents-bench-") as work:
            print_header(args)
            for count in sizes:
                print_row(run(run_one(pg, Path(work), count, args)))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
