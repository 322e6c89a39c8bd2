"""Secrets benchmark: what encryption at rest costs the server.

Why: every command queued splits and seals its configuration's secrets, every agent fetch and
log chunk opens them again, and a key rotation re-encrypts every stored secret in one
transaction, during which the server is stopped. The figures say whether any of that matters.

What: (1) seal and open of one secret with the server key; (2) a command configuration with an
app of N secure values and a database, split+sealed and opened+joined as the store does it;
(3) `stackworks server rotate-key`'s work on a SQLite data dir holding S stacks, each with an
app of 10 secure values, a database and C commands. It prints a table; it asserts nothing.

Run: .venv/bin/python bench/secrets_bench.py [--stacks 20] [--commands 50]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from stackworks.domain import configuration_secrets
from stackworks.domain.entities import App, AppSource, Command, EnvironmentVariable, Stack
from stackworks.domain.resources import DatabaseEngine, RegisteredDatabase
from stackworks.domain.status import CommandName, SourceType
from stackworks.store import apps, commands, databases, keyring, stacks
from stackworks.store.db import Database, sqlite_url
from stackworks.store.key_rotation import rotate_server_key
from stackworks.store.keyring import Keyring


def per_call(action: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def configuration(secure: int) -> dict[str, object]:
    env = {f"K{n}": f"value-{n}-" + "x" * 24 for n in range(secure)}
    return {
        "attributes": {"plain": {"a": 1}},
        "apps": {
            "web": {
                "environment": {**env, "PLAIN": "p"},
                "secure_keys": list(env),
                "data_sources": [{"password": "pw", "url": "postgresql://u:pw@h/db"}],
            }
        },
    }


def fill(data_dir: Path, stack_count: int, command_count: int) -> str:
    url = sqlite_url(data_dir / "stackworks.db")
    ring, _ = keyring.load(data_dir, {})
    db = Database(url, ring)
    db.upgrade()
    with db.transaction() as session:
        for s in range(stack_count):
            sid = f"s{s}"
            stacks.create(session, Stack(id=sid, name=f"stack{s}"))
            env = tuple(EnvironmentVariable(f"K{n}", f"v{n}", secure=True) for n in range(10))
            apps.create(
                session,
                App(f"a{s}", sid, "web", "web", AppSource(SourceType.GIT, "file:///x"), env),
            )
            databases.create(
                session,
                RegisteredDatabase(
                    f"d{s}", sid, "main", DatabaseEngine.MYSQL, "h", 3306, "d", "u", "p"
                ),
            )
            for c in range(command_count):
                commands.add(
                    session,
                    Command(
                        f"c{s}-{c}",
                        sid,
                        "i",
                        CommandName.CONFIGURE,
                        configuration=configuration(10),
                    ),
                    60,
                )
    db.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", type=int, default=20)
    parser.add_argument("--commands", type=int, default=50)
    args = parser.parse_args()

    ring = Keyring.generate()
    token = ring.seal("a secret of some thirty characters")
    rows = [
        (
            "seal one secret",
            per_call(lambda: ring.seal("a secret of some thirty characters"), 5000),
        ),
        ("open one secret", per_call(lambda: ring.open(token), 5000)),
    ]
    for secure in (1, 10, 100):
        config = configuration(secure)
        _masked, secrets = configuration_secrets.split(config)
        sealed = ring.seal(json.dumps(secrets))
        rows.append(
            (
                f"split+seal a configuration, {secure} secure values",
                per_call(
                    lambda c=config: ring.seal(json.dumps(configuration_secrets.split(c)[1])), 500
                ),
            )
        )
        rows.append(
            (
                f"open+join it again ({secure})",
                per_call(
                    lambda m=_masked, t=sealed: configuration_secrets.join(
                        m, json.loads(ring.open(t))
                    ),
                    500,
                ),
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        url = fill(Path(tmp), args.stacks, args.commands)
        start = time.perf_counter()
        report = rotate_server_key(Path(tmp), url, {})
        rotation = time.perf_counter() - start
    print(f"{'what':55} {'time':>12}")
    for what, seconds in rows:
        print(f"{what:55} {seconds * 1e6:9.1f} µs")
    print(
        f"{'rotate-key: ' + str(report.secrets) + ' secrets (' + str(args.stacks) + ' stacks)':55}"
        f" {rotation * 1e3:9.1f} ms"
    )


if __name__ == "__main__":
    main()
