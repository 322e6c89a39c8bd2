"""How one server copes with thousands of agents: heartbeats, long-polls and a configure fan-out.

Figures printed (nothing asserted), for each N in `--agents` (default 100,1000,5000), each N in
its own stack on a fresh server and database:
- heartbeat latency p50/p99 over a measuring window, with every agent heartbeating at the
  stack's interval and long-polling between (as the real agent does);
- the server process's CPU (percent of one core, averaged over the window) and memory (RSS),
  and PostgreSQL's CPU (all its processes), and the bench's own (`bench%`, its agent processes);
- a configure fan-out: one more instance ("joiner") comes online, which queues a configure on
  every online instance; the time from the joiner's setup result to the moment the last
  simulated agent has reported its configure, and the bytes the server sent for it (every
  answer body but heartbeats' in that time, as sent: compressed if it was).

The agents are simulated in worker processes (below) with one httpx.AsyncClient per agent (as
each real agent keeps its own connections): each one heartbeats with metrics, long-polls `GET
/agent/commands`, and answers each command as `agent/executor.py` does: ack (unless the
delivery was the ack, `acknowledge=on_delivery`), then the result carrying its one log chunk
(`log`), or, if the server refuses that field (one older than it), the chunk and the result
apart. If a command names its stack configuration by version (docs/agent-protocol.md, "Stack
configuration"), the agent takes it from the command's delta from the version it holds (its
poll says which, `have=`) or fetches it, with If-None-Match when it holds an older one, as
`agent/client.py` does (reading the body as sent, not inflating and parsing it, nor applying the
delta: each real agent does that on its own host); a server that inlines the configuration (the
protocol before versions) is answered the same, so the bench measures either server. The
server paces heartbeats to its cap (`--max-heartbeats`, docs/healing-and-scaling.md): the
`told s` column is the interval the agents were told and followed, and the agents hold their
polls as long as it tells (`poll_wait`).

Setup goes through the store, not the API: N instances (provider `registered`, status online,
each with its own credential) are inserted into PostgreSQL directly, because registering 5,000
hosts one by one through `POST /agent/register` measures registration, not steady running.
Everything runs on 127.0.0.1; the server, PostgreSQL and the data dirs are removed at the end.

The agents run in `--agent-processes` worker processes (default 2; multiprocessing's spawn), a
contiguous share of them in each, on its own uvloop event loop: in one process, 5,000 agents
saturated its core (the loop lagging 4-7 s at p99), so the figures measured the bench, not the
server. The parent starts PostgreSQL and the server, seeds the stack and drives the phases
(warm-up, settling on the told interval, the first configure, the window, the fan-out) through
one pipe a worker, and gathers what each measured; every process ends with the run, on Ctrl-C,
SIGTERM or a worker's crash too. `bench%` is the workers' CPU together over the window and `lag
p99` the worst worker's event loop: when either is high, the bench machine, not only the
server, was short of CPU. `--replicas R` starts R servers on the one PostgreSQL
(docs/high-availability.md: one server key, a name each) and deals the agents round-robin over
them, each keeping its replica, as HAProxy would; server CPU, CPU per heartbeat and RSS are
then sums over the replicas, and the seeding and the first configure go through the first
one's API.

    .venv/bin/python bench/agents_bench.py [--agents 100,1000,5000] [--quick]
        [--heartbeat-interval 5] [--window 20] [--fanout-timeout 120]
        [--agent-processes 2] [--replicas 1] [--max-heartbeats N] [--timings]

`--quick` runs N=100 with a short window: a check that the plumbing works, in about a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import math
import multiprocessing
import os
import random
import resource
import signal
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
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
#: seconds the first configure (agents holding no version) may take before the window begins
#: beside its tail; at N=5,000 without the bench's own collection pauses it took 180 s and more
FIRST_CONFIGURE_AT_MOST = 300.0
WINDOW_SLICE = 10.0  # seconds of the window a `--timings` line covers
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
    #: when each of `heartbeat_ms` was sent (perf_counter), for `--timings`' slices of the window
    heartbeat_sent: list[float] = field(default_factory=list)
    loop_lag_ms: list[float] = field(default_factory=list)
    #: the measuring window, as time.perf_counter() readings (not yet set: never measuring)
    window_began: float = math.inf
    window_ends: float = math.inf
    errors: dict[str, int] = field(default_factory=dict)
    #: answer bytes as they came over the wire (compressed if they were), heartbeats apart
    body_bytes: int = 0
    configuration_fetches: int = 0
    deltas_applied: int = 0  # commands whose version came as a delta, so was not fetched
    not_modified: int = 0
    #: set at the joiner's setup result: configures finished after it count as the fan-out's
    fanout_began: float | None = None
    fanout_done: dict[str, float] = field(default_factory=dict)
    #: for `--timings`: each fan-out configure's arrival (perf_counter) and what its agent's
    #: polls since the fan-out began came back as, in order ("shed", "empty", "error")
    fanout_delivered: dict[str, tuple[float, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def measuring(self) -> bool:
        """Whether now is inside the window: a window given by its two ends, not a flag turned
        on and off, is the same window in every process that was told it (the ends are read
        on one clock, see `check_shared_clock`) however late the telling reached each one."""
        return self.window_began <= time.perf_counter() < self.window_ends

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


@dataclass
class SimulatedAgent:
    instance_id: str
    hostname: str
    credential: str
    interval: float
    ramp: float = 2.0  # seconds over which the agents' first polls spread
    held: str | None = None  # the stack configuration version last fetched or made
    answered: bool = False  # whether a heartbeat of it was answered (it follows the told interval)
    result_takes_log: bool = True  # False once a server older than the result's `log` refused it
    poll_wait: float = POLL_WAIT  # or the longer wait a pacing server told (as agent/loop.py)
    beat_began: float | None = None  # when its heartbeat now in flight was sent (perf_counter)
    #: its polls' outcomes since the fan-out began, until its configure came (`--timings`)
    fanout_polls: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credential}"}


async def heartbeat_loop(
    http: httpx.AsyncClient, agent: SimulatedAgent, counters: Counters, stop: asyncio.Event
) -> None:
    await asyncio.sleep(random.uniform(0, agent.interval))  # agents do not start in step
    while not stop.is_set():
        pause = agent.interval  # after a failed beat, or from a server that names no slot
        # a beat counts if it began in the window, however late its answer: one sent before
        # and answered inside would count the load before the window (the first configure's)
        began = agent.beat_began = time.perf_counter()
        counted = counters.measuring
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
                if counted:
                    counters.heartbeat_ms.append(elapsed)
                    counters.heartbeat_sent.append(began)
                reply = response.json()
                agent.interval = reply.get("heartbeat_interval") or agent.interval
                # as agent/loop.py: at the slot the server names, never past the interval
                pause = min(reply.get("next_heartbeat_in") or agent.interval, agent.interval)
                agent.poll_wait = max(POLL_WAIT, reply.get("poll_wait") or 0.0)
                agent.answered = True
        except httpx.HTTPError as exc:
            counters.error(f"heartbeat {type(exc).__name__}")
        agent.beat_began = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), pause)


async def fetch_configuration(
    http: httpx.AsyncClient,
    agent: SimulatedAgent,
    version: str,
    counters: Counters,
    delta: dict[str, Any] | None = None,
) -> None:
    """Get `version` as the real agent does: held already, made from the command's delta, or
    fetched (with If-None-Match when it holds another)."""
    if agent.held == version:
        return
    if delta is not None and agent.held is not None and delta.get("base") == agent.held:
        # the real agent applies the delta to the version it holds and checks the digest, on
        # its own host; here it is taken as applied
        counters.deltas_applied += 1
        agent.held = version
        return
    headers = dict(agent.headers)
    if agent.held is not None:
        headers["If-None-Match"] = f'"{agent.held}"'
    # The body is read as sent (gzip) and not decoded: a real agent inflates and parses it on
    # its own host, and N of them doing it here (400 KB of JSON each at N=1,000) would measure
    # this one process, not the server.
    url = f"{API}/agent/stack-configuration/{version}"
    while True:
        async with http.stream("GET", url, headers=headers) as response:
            async for _chunk in response.aiter_raw():
                pass
        counters.body_bytes += response.num_bytes_downloaded
        shed_for = retry_after(response)
        if shed_for is None:
            break
        counters.error("fetch shed (503)")  # the real agent waits as told and asks again
        await asyncio.sleep(shed_for)
    counters.configuration_fetches += 1
    if response.status_code == 304 and agent.held is not None:
        counters.not_modified += 1
        return
    response.raise_for_status()
    agent.held = version


def retry_after(response: httpx.Response) -> float | None:
    """For a 503 (the server shed the call, api/thread_lanes.py), the seconds it asks the agent
    to wait, at least the real agent's first backoff (agent/client.py); None for any other."""
    if response.status_code != 503:
        return None
    told = response.headers.get("Retry-After", "")
    return max(0.5, float(told) if told.isdigit() else 0.0)


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
    elif command["type"] == "configure" and counters.fanout_began is not None:
        counters.fanout_delivered.setdefault(
            agent.hostname, (time.perf_counter(), tuple(agent.fanout_polls))
        )
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
                    "wait": f"{agent.poll_wait:g}",
                    **POLL_PARAMS,
                    **({"have": agent.held} if agent.held else {}),
                },
                headers=agent.headers,
                timeout=httpx.Timeout(30.0, read=agent.poll_wait + 30.0),
            )
            counters.body_bytes += response.num_bytes_downloaded
            shed_for = retry_after(response)
            if shed_for is not None:
                counters.error("poll shed (503)")
                note_poll(agent, counters, "shed")
                await asyncio.sleep(shed_for)
                continue
            if response.status_code != 200:
                counters.error(f"poll {response.status_code}")
                note_poll(agent, counters, "error")
                await asyncio.sleep(1.0)
                continue
            commands = response.json()["commands"]
            if not commands:
                note_poll(agent, counters, "empty")
            for command in commands:
                await answer(http, agent, command, counters)
        except httpx.HTTPError as exc:
            counters.error(f"poll {type(exc).__name__}")
            note_poll(agent, counters, "error")
            await asyncio.sleep(1.0)


def note_poll(agent: SimulatedAgent, counters: Counters, outcome: str) -> None:
    """Between the fan-out's start and its configure's arrival, what the agent's polls came
    back as: a configure that arrives late after sheds waited on a backed-up lane, one that
    arrives after an empty answer was not woken when it was queued."""
    if counters.fanout_began is not None and agent.hostname not in counters.fanout_delivered:
        agent.fanout_polls.append(outcome)


async def lag_probe(counters: Counters, stop: asyncio.Event) -> None:
    """How late this process's event loop wakes up: if the bench itself is the bottleneck,
    heartbeat latencies include this."""
    while not stop.is_set():
        began = time.perf_counter()
        await asyncio.sleep(0.1)
        if counters.measuring:
            counters.loop_lag_ms.append((time.perf_counter() - began - 0.1) * 1000)


# --- a worker process: its share of the agents -----------------------------------------------
#
# The parent gives a worker one order at a time through a pipe, and gets one answer to each:
#   ("pacing",)              -> Pacing: how many of its agents were answered, each one's interval
#   ("window", began, ends)  -> None: heartbeats and loop lags within [began, ends) count
#   ("counters",)            -> Counters: all it counted so far
#   ("fanout", ordered_at)   -> None: the joiner's worker starts the joiner (`begin_fanout`)
#   ("held",)                -> int: how many of its agents hold a stack configuration version
#   ("configured",)          -> int: how many of its agents finished the fan-out's configure
#   ("stop",)                -> None, and the worker ends
# Timestamps are time.perf_counter() readings, which compare across processes (see
# `check_shared_clock`).

READY = "ready"  # a worker's first message: its clients made and its agents started


@dataclass
class WorkerPlan:
    """What one worker process simulates: each agent with the URL of the replica it keeps."""

    agents: list[tuple[str, SimulatedAgent]]
    joiner: tuple[str, SimulatedAgent] | None = None


@dataclass
class Pacing:
    """Agents (the joiner apart): how many had a heartbeat answered, and the heartbeat
    interval each one follows."""

    answered: int
    intervals: list[float]

    @property
    def everyone_answered(self) -> bool:
        return self.answered == len(self.intervals)


def agent_client(url: str, tls: ssl.SSLContext) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url,
        limits=httpx.Limits(max_connections=3, max_keepalive_connections=3),
        timeout=httpx.Timeout(30.0, read=POLL_WAIT + 30.0),
        verify=tls,
    )


class AgentWorker:
    """One process's share of the simulated agents: their clients, their loops, and the
    answers to the parent's orders."""

    def __init__(self, plan: WorkerPlan) -> None:
        self.plan = plan
        self.counters = Counters()
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        # One client per agent, as each real agent has its own: a single pool shared by
        # thousands of concurrent requests costs the pool O(n) per request and makes the bench,
        # not the server, the bottleneck. One SSL context for all (unused over http://).
        shared_tls = ssl.create_default_context()
        everyone = [*plan.agents, *([plan.joiner] if plan.joiner else [])]
        self.clients = {agent.instance_id: agent_client(url, shared_tls) for url, agent in everyone}

    def start(self) -> None:
        for _url, agent in self.plan.agents:
            self.start_agent(agent)
        self.tasks.append(asyncio.create_task(lag_probe(self.counters, self.stop)))
        collector_off()

    def start_agent(self, agent: SimulatedAgent) -> None:
        http = self.clients[agent.instance_id]
        for loop in (heartbeat_loop, poll_loop):
            self.tasks.append(asyncio.create_task(loop(http, agent, self.counters, self.stop)))

    def obey(self, order: tuple[Any, ...]) -> Any:
        match order:
            case ("pacing",):
                agents = [agent for _url, agent in self.plan.agents]
                return Pacing(sum(a.answered for a in agents), [a.interval for a in agents])
            case ("window", began, ends):
                self.counters.window_began, self.counters.window_ends = began, ends
                return None
            case ("counters",):
                return self.counters_now()
            case ("fanout", ordered_at):
                self.begin_fanout(ordered_at)
                return None
            case ("held",):
                return sum(1 for _url, agent in self.plan.agents if agent.held)
            case ("configured",):
                return len(self.counters.fanout_done)
            case ("stop",):
                return None
        raise ValueError(f"unknown order {order!r}")

    def counters_now(self) -> Counters:
        """What it counted, with each heartbeat of the window still unanswered counted at
        how long it has waited so far (a lower bound): left out, the slowest beats would not
        count at all."""
        now = time.perf_counter()
        window = self.counters
        waiting = [
            agent.beat_began
            for _url, agent in self.plan.agents
            if agent.beat_began is not None
            and window.window_began <= agent.beat_began < window.window_ends
        ]
        return dataclasses.replace(
            window,
            heartbeat_ms=[*window.heartbeat_ms, *((now - sent) * 1000 for sent in waiting)],
            heartbeat_sent=[*window.heartbeat_sent, *waiting],
        )

    def begin_fanout(self, ordered_at: float) -> None:
        """`answer` counts a configure as the fan-out's once `fanout_began` is set, and the
        joiner's setup sets it in the joiner's process only. The other workers count from the
        parent's order, given them before the joiner starts: no configure is queued between it
        and the joiner's setup result (the first configure has ended), so they count the same
        configures. The fan-out's start is the joiner's, as before."""
        if self.plan.joiner is not None:
            self.start_agent(self.plan.joiner[1])
        else:
            self.counters.fanout_began = ordered_at

    async def close(self) -> None:
        self.stop.set()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(c.aclose() for c in self.clients.values()), return_exceptions=True)


def collector_off() -> None:
    """No cyclic garbage collection in a worker once its agents run. A worker plays 2,500
    agents in one process, and a full collection walks every object it holds, thousands of
    held long-polls' included: at N=5,000 such pauses took 0.3-2.3 s every few seconds
    (measured with gc.callbacks), even with the clients frozen out of them, and every answer
    that came meanwhile was counted that much late: the slowest 1 % of a window's heartbeats
    were the bench's pauses, not the server's. A real agent is a process of its own with a
    small heap. Without the collector, what the agents leave in cycles (a streamed response's
    objects, some hundreds a second) stays until the worker ends: tens of megabytes a run."""
    gc.collect()
    gc.freeze()
    gc.disable()


async def serve_orders(orders: Connection, plan: WorkerPlan) -> None:
    worker = AgentWorker(plan)
    try:
        worker.start()
        orders.send(READY)
        while True:
            try:
                order = await asyncio.to_thread(orders.recv)  # the agents run on meanwhile
            except EOFError:
                return  # the parent is gone: end with it
            orders.send(worker.obey(order))
            if order == ("stop",):
                return
    finally:
        await worker.close()


def worker_main(orders: Connection, plan: WorkerPlan) -> None:
    """A worker process's entry point. Ctrl-C reaches every process of the terminal's process
    group: only the parent acts on it, and stops its workers in turn."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    run(serve_orders(orders, plan))


def run(main: Coroutine[Any, Any, None]) -> None:
    """The simulated agents on uvloop, the event loop the server runs on too: asyncio's own
    spends more of a worker's CPU on the loop than on the agents' requests."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


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
    keyring, _ = keyrings.load(server.data_dir, server.env)
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


# --- the worker processes, seen from the parent ----------------------------------------------

#: seconds a worker may take to start (a fresh interpreter, the imports, N/K clients)
READY_WITHIN = 120.0
#: seconds a worker may take to answer an order (its loop may lag seconds behind at a large N)
ANSWER_WITHIN = 60.0
#: seconds a worker may take to end when told to, before it is terminated
STOP_WITHIN = 30.0


class WorkerFailed(RuntimeError):
    """A worker process ended, or did not answer in time: the run cannot be measured."""


def check_shared_clock() -> None:
    """The parent compares timestamps taken in the workers (a window's ends, each configure's
    end, the joiner's start) with each other's and its own: that needs time.perf_counter() to
    read one clock in every process. On Linux it is clock_gettime(CLOCK_MONOTONIC), the
    machine's (time.monotonic() reads it too); elsewhere it might be a per-process counter."""
    clock = time.get_clock_info("perf_counter").implementation
    if "CLOCK_MONOTONIC" not in clock:
        raise SystemExit(f"time.perf_counter() is {clock}: its readings may not compare across")


class AgentProcesses:
    """The worker processes that simulate the agents, and the pipes the parent orders them
    through. Each one ends with the run: told to stop, else terminated, else killed, by its
    own pid; a worker whose parent vanished reads the end of its pipe and ends itself."""

    def __init__(self) -> None:
        self.processes: list[multiprocessing.process.BaseProcess] = []
        self.pipes: list[Connection] = []
        self.watched: list[psutil.Process] = []

    def start(self, plans: list[WorkerPlan]) -> None:
        # "spawn": a fresh interpreter for each, not a fork of this one with its database
        # engine, its server clients and its threads
        context = multiprocessing.get_context("spawn")
        for number, plan in enumerate(plans):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=worker_main, args=(theirs, plan), name=f"agents-{number}", daemon=True
            )
            process.start()
            self.processes.append(process)  # from now on, `stop` ends it
            self.pipes.append(ours)
            theirs.close()  # the worker's alone now: if it dies, its end reads as EOF here
            self.watched.append(psutil.Process(process.pid))
        for number in range(len(self.pipes)):
            if self.receive(number, READY_WITHIN) != READY:
                raise WorkerFailed(f"agent process {number} did not start")

    @property
    def joiners(self) -> int:
        """The number of the worker that holds the joiner (`plan_workers`: the last)."""
        return len(self.processes) - 1

    def tell(self, number: int, order: tuple[Any, ...]) -> None:
        try:
            self.pipes[number].send(order)
        except OSError as error:
            raise WorkerFailed(f"agent process {number} is gone: {error}") from None

    def receive(self, number: int, timeout: float) -> Any:
        pipe, process = self.pipes[number], self.processes[number]
        deadline = time.perf_counter() + timeout
        while not pipe.poll(0.2):  # a worker that died reads as EOF, so as ready here
            if time.perf_counter() > deadline:
                raise WorkerFailed(f"agent process {number} did not answer in {timeout:.0f} s")
        try:
            return pipe.recv()
        except EOFError:
            process.join(1.0)
            raise WorkerFailed(
                f"agent process {number} ended (exit code {process.exitcode})"
            ) from None

    def ask(self, number: int, order: tuple[Any, ...]) -> Any:
        self.tell(number, order)
        return self.receive(number, ANSWER_WITHIN)

    def ask_all(self, order: tuple[Any, ...]) -> list[Any]:
        """Every worker's answer: all are told before any is waited for."""
        for number in range(len(self.pipes)):
            self.tell(number, order)
        return [self.receive(number, ANSWER_WITHIN) for number in range(len(self.pipes))]

    def pacing(self) -> Pacing:
        answers = self.ask_all(("pacing",))
        return Pacing(sum(p.answered for p in answers), [i for p in answers for i in p.intervals])

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.watched)

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(("stop",))
        for process in self.processes:
            process.join(STOP_WITHIN)
            if process.is_alive():
                process.terminate()
                process.join(5.0)
            if process.is_alive():
                process.kill()
                process.join(5.0)
        for pipe in self.pipes:
            pipe.close()


def plan_workers(agents: list[SimulatedAgent], urls: list[str], processes: int) -> list[WorkerPlan]:
    """Each agent keeps one replica, dealt round-robin as HAProxy spreads connections; each
    worker process gets a contiguous share of the agents (so agents of every replica), the
    last one the joiner too."""
    online = agents[:-1]
    ramp = ramp_for(len(online))
    for agent in agents:
        agent.ramp = ramp
    kept = [(urls[n % len(urls)], agent) for n, agent in enumerate(agents)]
    processes = max(1, min(processes, len(online)))
    bounds = [k * len(online) // processes for k in range(processes + 1)]
    plans = [WorkerPlan(kept[bounds[k] : bounds[k + 1]]) for k in range(processes)]
    plans[-1].joiner = kept[-1]
    return plans


# --- one run ---------------------------------------------------------------------------------


@dataclass
class Figures:
    agents: int
    heartbeats: int = 0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    #: the worst worker's event-loop lag p99
    lag_p99_ms: float = float("nan")
    #: the worker processes' CPU together during the window (percent of one core)
    bench_cpu: float = 0.0
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
    #: when the joiner's fan-out began, by the wall clock: `--timings` shows its configures only
    fanout_from: datetime | None = None
    errors: dict[str, int] = field(default_factory=dict)


@dataclass
class Watched:
    """The processes whose CPU a run measures, the bench's own apart."""

    servers: list[psutil.Process]
    pg: postgres.PostgresServer

    def postgres_cpu_seconds(self) -> float:
        """PostgreSQL's CPU so far: the postmaster's, its live backends' and the ended ones'
        (which the postmaster reaped: its children's times). A sum over the processes listed at
        the start lost what a backend ending in between had spent, and fell below zero."""
        assert self.pg.process is not None
        root = psutil.Process(self.pg.process.pid)
        live = cpu_seconds(root.children(recursive=True))  # before the root: none is missed
        times = root.cpu_times()
        return live + times.user + times.system + times.children_user + times.children_system

    def cpu_seconds(self) -> float:
        """The servers' and PostgreSQL's CPU so far."""
        return cpu_seconds(self.servers) + self.postgres_cpu_seconds()


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def gained(before: list[Counters], after: list[Counters], count: Callable[[Counters], int]) -> int:
    """How much a count grew, over all workers, between two readings of their counters."""
    return sum(map(count, after)) - sum(map(count, before))


def worst(values: list[float]) -> float:
    reached = [v for v in values if v == v]  # NaN: a worker with no sample
    return max(reached) if reached else float("nan")


def settle_on_told_interval(workers: AgentProcesses, count: int) -> None:
    """Until every agent has had a heartbeat answered, and then for one interval it was told:
    a server that paces its fleet (`told s`) tells a longer interval than the stack's, and each
    agent follows it only after its first answer; measured before, the window would count the
    flood of first heartbeats, not the steady state. Bounded: SETTLE_AT_MOST seconds."""
    deadline = time.perf_counter() + SETTLE_AT_MOST
    pacing = workers.pacing()
    while time.perf_counter() < deadline and not pacing.everyone_answered:
        time.sleep(0.5)
        pacing = workers.pacing()
    told = max(pacing.intervals)
    print(f"  N={count}: settling {told:.0f} s on the told interval", file=sys.stderr, flush=True)
    time.sleep(min(told, max(0.0, deadline - time.perf_counter())))


def measure_window(
    figures: Figures, workers: AgentProcesses, watched: Watched, args: argparse.Namespace
) -> None:
    """Heartbeat latencies, the server's, PostgreSQL's and the bench's CPU over the window."""
    server_before, pg_before = cpu_seconds(watched.servers), watched.postgres_cpu_seconds()
    bench_before = workers.cpu_seconds()
    began = time.perf_counter()
    workers.ask_all(("window", began, began + args.window))
    print(f"  N={figures.agents}: heartbeats for {args.window:.0f} s", file=sys.stderr, flush=True)
    time.sleep(max(0.0, began + args.window - time.perf_counter()))
    elapsed = time.perf_counter() - began
    server_cpu_s = cpu_seconds(watched.servers) - server_before
    figures.bench_cpu = 100 * (workers.cpu_seconds() - bench_before) / elapsed
    figures.postgres_cpu = 100 * (watched.postgres_cpu_seconds() - pg_before) / elapsed
    figures.server_cpu = 100 * server_cpu_s / elapsed
    figures.server_rss_mb = sum(p.memory_info().rss for p in watched.servers) / 2**20
    counted: list[Counters] = workers.ask_all(("counters",))
    beats = [ms for counters in counted for ms in counters.heartbeat_ms]
    figures.heartbeats = len(beats)
    figures.cpu_ms_per_beat = 1000 * server_cpu_s / max(1, len(beats))
    figures.p50_ms = percentile(beats, 0.50)
    figures.p99_ms = percentile(beats, 0.99)
    figures.lag_p99_ms = worst([percentile(c.loop_lag_ms, 0.99) for c in counted])
    figures.told_interval_s = statistics.median(workers.pacing().intervals)
    if args.window < figures.told_interval_s:
        warn_short_window(figures.agents, args.window, figures.told_interval_s)
    if args.timings:
        sent = [t for counters in counted for t in counters.heartbeat_sent]
        print_window_slices(began, list(zip(sent, beats, strict=True)))


def print_window_slices(began: float, beats: list[tuple[float, float]]) -> None:
    """The window's heartbeats by when they were sent, WINDOW_SLICE seconds a line: a tail
    that is the first configure's aftermath shows in the first slices, a steady one in all."""
    slices: dict[int, list[float]] = {}
    for sent, ms in beats:
        slices.setdefault(int((sent - began) // WINDOW_SLICE), []).append(ms)
    print("      window by slice: from s, beats, p50 / p99 / max ms", file=sys.stderr)
    for number in sorted(slices):
        values = slices[number]
        print(
            f"        {number * WINDOW_SLICE:>4.0f} s {len(values):>6} "
            f"{percentile(values, 0.5):>8.1f} {percentile(values, 0.99):>8.1f} "
            f"{max(values):>8.1f}",
            file=sys.stderr,
        )


def warn_short_window(count: int, window: float, told: float) -> None:
    """The agents' first heartbeats spread over the stack's interval only (`heartbeat_loop`),
    so with a longer told interval the beats come in a band of each told interval; a window
    shorter than it counts as many beats as the band's share it happens to cover."""
    print(
        f"  N={count}: the {window:g} s window is shorter than the told interval ({told:g} s): "
        f"`beats` depends on where it fell (give --window {told:g} or more)",
        file=sys.stderr,
        flush=True,
    )


def measure_fanout(
    figures: Figures, workers: AgentProcesses, watched: Watched, args: argparse.Namespace
) -> None:
    """The joiner comes online: how long until every agent has reported its configure, the
    CPU and the bytes that took."""
    count = figures.agents
    print(f"  N={count}: fan-out (joiner comes online)", file=sys.stderr, flush=True)
    figures.fanout_from = datetime.now(UTC)  # the first configure's commands are older
    before: list[Counters] = workers.ask_all(("counters",))
    cpu_before = watched.cpu_seconds()
    ordered_at = time.perf_counter()
    for number in range(len(workers.processes)):
        if number != workers.joiners:
            workers.ask(number, ("fanout", ordered_at))
    workers.ask(workers.joiners, ("fanout", ordered_at))  # the joiner starts last
    deadline = ordered_at + args.fanout_timeout
    while time.perf_counter() < deadline and sum(workers.ask_all(("configured",))) < count:
        time.sleep(0.05)
    figures.fanout_cpu_s = watched.cpu_seconds() - cpu_before
    after: list[Counters] = workers.ask_all(("counters",))
    began = after[workers.joiners].fanout_began
    finished = [t for counters in after for t in counters.fanout_done.values()]
    figures.fanout_done = len(finished)
    if began is not None and finished:
        if figures.fanout_done >= count:
            figures.fanout_s = max(finished) - began
        figures.fanout_p50_s = statistics.median(t - began for t in finished)
    figures.fanout_mb = gained(before, after, lambda c: c.body_bytes) / 2**20
    figures.fetches = gained(before, after, lambda c: c.configuration_fetches)
    figures.deltas = gained(before, after, lambda c: c.deltas_applied)
    for counters in after:
        for what, times in counters.errors.items():
            figures.errors[what] = figures.errors.get(what, 0) + times
    if args.timings and began is not None:
        delivered = [d for counters in after for d in counters.fanout_delivered.values()]
        print_delivery_slices(began, delivered)


DELIVERY_SLICES = (2.0, 5.0, 10.0, 20.0, 40.0, 80.0, math.inf)  # seconds after the fan-out began


def print_delivery_slices(began: float, delivered: list[tuple[float, tuple[str, ...]]]) -> None:
    """When the fan-out's configures reached their agents, and what each agent's polls came
    back as before: sheds (its lane backed up) or empty answers (not woken when queued)."""
    print(
        f"        configures delivered ({len(delivered)}), by seconds after the fan-out began:",
        file=sys.stderr,
    )
    low = -math.inf
    for high in DELIVERY_SLICES:
        here = [polls for at, polls in delivered if low <= at - began < high]
        low = high
        if not here:
            continue
        per_agent = {
            outcome: sum(polls.count(outcome) for polls in here) / len(here)
            for outcome in ("shed", "empty", "error")
        }
        print(
            f"          < {high:g} s: {len(here):>5}; polls before it, per agent: "
            + ", ".join(f"{what} {mean:.1f}" for what, mean in per_agent.items()),
            file=sys.stderr,
        )


def simulate(
    agents: list[SimulatedAgent],
    replicas: list[ServerProcess],
    stack: str,
    watched: Watched,
    args: argparse.Namespace,
) -> Figures:
    """The agents in their worker processes, through warm-up, first configure (through the
    first replica's API), window and fan-out."""
    count = len(agents) - 1
    figures = Figures(agents=count)
    workers = AgentProcesses()
    try:
        workers.start(plan_workers(agents, [r.url for r in replicas], args.agent_processes))
        warmup = max(args.heartbeat_interval, ramp_for(count)) + 3.0
        print(f"  N={count}: warming up {warmup:.0f} s", file=sys.stderr, flush=True)
        time.sleep(warmup)
        settle_on_told_interval(workers, count)
        first_configure(replicas[0], stack, workers, count, args.timings)
        measure_window(figures, workers, watched, args)
        measure_fanout(figures, workers, watched, args)
    finally:
        workers.stop()
    return figures


def first_configure(
    server: ServerProcess, stack: str, workers: AgentProcesses, count: int, timings: bool
) -> None:
    """A configure on every instance before the measuring starts, so each agent holds a stack
    configuration version as a running one does (it got one at its setup and each configure
    since): the joiner's fan-out then finds them holding the version before it. Bounded by
    FIRST_CONFIGURE_AT_MOST; printed: how long this fan-out of agents holding nothing took,
    and with `timings` its commands' created -> sent -> acked -> completed split."""
    began = time.perf_counter()
    created_from = datetime.now(UTC)
    # a deployment to 5,000 instances is made in its request: more than the client's 30 s
    answer = server.client.post(
        f"/stacks/{stack}/deployments",
        json={"command": {"name": "configure"}},
        timeout=SETTLE_AT_MOST,
    )
    if answer.status_code != 201:
        raise AssertionError(f"the first configure: {answer.status_code} {answer.text}")
    deployment = answer.json()
    deadline = began + FIRST_CONFIGURE_AT_MOST
    status = deployment["status"]
    while time.perf_counter() < deadline and status == "running":
        time.sleep(0.5)
        try:  # a server this busy may take longer than the client's 30 s to answer
            found = server.call(
                "GET", f"/stacks/{stack}/deployments/{deployment['id']}", expect=200
            )
        except httpx.TimeoutException:
            continue
        status = found["status"]
    held = sum(workers.ask_all(("held",)))
    print(
        f"  N={count}: first configure (nothing held): {status} in "
        f"{time.perf_counter() - began:.1f} s, {held} agents hold a version",
        file=sys.stderr,
        flush=True,
    )
    if timings:
        print_command_timings(server, stack, created_from)


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """`--max-heartbeats`: the server's cap on its fleet's heartbeats a second (0: none).

    The joiner is made booting at the seed and its agent starts at the fan-out: at N=5,000
    that is more than the server's 300 s boot time-out later (warm-up, first configure,
    window), and the joiner was failed as never heard from, so no fan-out came. The bench
    measures no boot time-out: the server is given an hour."""
    env = {"STACKWORKS_BOOT_TIMEOUT": "3600"}
    if args.max_heartbeats is not None:
        env["STACKWORKS_MAX_HEARTBEATS_PER_SECOND"] = f"{args.max_heartbeats:g}"
    return env


def replica_processes(
    data_dir: Path, database_url: str, args: argparse.Namespace
) -> list[ServerProcess]:
    """`--replicas` servers on one database, run as docs/high-availability.md runs them: the
    same server key (STACKWORKS_SECRET_KEY) and a name each. As in the replica tests, they share
    one data dir with a log each; its admin token is the first replica's, and every replica
    takes it (tokens live in the database)."""
    env = {
        "PYTHONPATH": str(ROOT / "src"),
        keyrings.ENV_KEY: keyrings.Keyring.generate().keys[0].decode(),
        **server_env(args),
    }
    return [
        ServerProcess(
            data_dir,
            env=env,
            database_url=database_url,
            args=("--replica-name", f"replica-{n}"),
            log_name=f"replica-{n}.log",
        )
        for n in range(1, args.replicas + 1)
    ]


def run_one(
    pg: postgres.PostgresServer, work: Path, count: int, args: argparse.Namespace
) -> Figures:
    database = pg.create_database()
    replicas = replica_processes(work / f"server-{count}", pg.url(database), args)
    try:
        for replica in replicas:
            # inside: a server that never answers is ended too; the first migrates and makes
            # the admin, the others find both done
            replica.start()
        agents, stack = seed(replicas[0], count, args.heartbeat_interval)
        servers = [psutil.Process(r.process.pid) for r in replicas if r.process is not None]
        figures = simulate(agents, replicas, stack, Watched(servers, pg), args)
        if args.timings and figures.fanout_from is not None:
            print_command_timings(replicas[0], stack, figures.fanout_from)
    finally:
        for replica in replicas:
            replica.stop()
            replica.client.close()
        pg.drop_database(database)
    return figures


def print_command_timings(server: ServerProcess, stack: str, since: datetime) -> None:
    """Where a fan-out's time went: each configure's created -> sent -> acked -> completed,
    for the configures created `since`: the first configure's (called when it has ended, before
    the joiner) or the joiner's fan-out."""
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
    f"{'agents':>7} {'beats':>7} {'p50 ms':>8} {'p99 ms':>8} {'lag p99':>8} {'bench%':>7} "
    f"{'srv cpu%':>9} {'ms/beat':>8} {'srv MB':>7} {'pg cpu%':>8} {'fan-out s':>10} "
    f"{'p50 s':>6} {'done':>6} {'cpu s':>6} {'fan-out MB':>11} {'fetches':>8} {'deltas':>7} "
    f"{'told s':>7}"
)


def print_header(args: argparse.Namespace) -> None:
    print(
        f"heartbeat interval {args.heartbeat_interval:g} s, "
        f"poll wait {POLL_WAIT:g} s (longer if told), "
        f"window {args.window:g} s, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start"
    )
    print(
        f"agent processes: {args.agent_processes} (bench%: their CPU together, % of one core; "
        f"lag p99: the worst one's event loop); server replicas on one PostgreSQL: "
        f"{args.replicas}, each agent keeping one (srv cpu%, ms/beat, srv MB: their sum)"
    )
    print(HEADER)
    print("-" * len(HEADER), flush=True)


def print_row(row: Figures) -> None:
    fanout = f"{row.fanout_s:.2f}" if row.fanout_s is not None else "timeout"
    median = f"{row.fanout_p50_s:.2f}" if row.fanout_p50_s is not None else "-"
    print(
        f"{row.agents:>7} {row.heartbeats:>7} {row.p50_ms:>8.1f} {row.p99_ms:>8.1f} "
        f"{row.lag_p99_ms:>8.1f} {row.bench_cpu:>7.0f} {row.server_cpu:>9.0f} "
        f"{row.cpu_ms_per_beat:>8.2f} {row.server_rss_mb:>7.0f} {row.postgres_cpu:>8.1f} "
        f"{fanout:>10} {median:>6} {row.fanout_done:>6} {row.fanout_cpu_s:>6.1f} "
        f"{row.fanout_mb:>11.2f} {row.fetches:>8} {row.deltas:>7} {row.told_interval_s:>7.1f}",
        flush=True,
    )
    if row.errors:
        print(f"        errors at N={row.agents}: {row.errors}", flush=True)


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so every finally cleans up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", default="100,1000,5000", help="comma-separated N")
    parser.add_argument(
        "--agent-processes",
        type=int,
        default=2,
        help="worker processes the simulated agents are split over (default 2)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="server replicas on the one PostgreSQL, the agents dealt round-robin (default 1)",
    )
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
        "--timings",
        action="store_true",
        help="print where each fan-out's time went, the first configure's too (stderr)",
    )
    args = parser.parse_args()
    if args.quick:
        args.agents, args.window, args.fanout_timeout = "100", 8.0, 30.0
    if args.agent_processes < 1 or args.replicas < 1:
        parser.error("--agent-processes and --replicas: give 1 or more")
    sizes = [int(part) for part in args.agents.split(",") if part.strip()]
    check_shared_clock()
    raise_open_files()  # the workers inherit the limit
    signal.signal(signal.SIGTERM, _terminate)
    pg = postgres.start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="stackworks-agents-bench-") as work:
            print_header(args)
            for count in sizes:
                print_row(run_one(pg, Path(work), count, args))
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
