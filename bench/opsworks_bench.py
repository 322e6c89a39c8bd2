"""What the OpsWorks endpoint costs a call, next to the REST API doing the same read.

Figures printed (nothing asserted):
- the time of one SigV4 check alone (`sigv4.verify` on a request botocore signed: canonical
  request, four HMACs for the signing key, one for the signature);
- median and 95th-percentile latency, from the client, of `describe_stacks` through the real
  boto3 client and of `GET /api/v1/stacks/{stack}` through httpx, against one real server on
  loopback with one stack of three layers, so the difference is the OpsWorks layer (signature,
  model check, translation) plus botocore's own client work.

    PYTHONPATH=src .venv/bin/python bench/opsworks_bench.py [--calls 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from stackworks.opsworks import sigv4
from support.cluster import ServerProcess
from support.opsworks import REGION, make_access_key, opsworks_client


def timed(call: Callable[[], Any], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def show(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    median = statistics.median(times) * 1000
    print(f"  {label:<48} median {median:7.3f} ms   p95 {p95 * 1000:7.3f} ms")


def signature_check(count: int) -> list[float]:
    body = b'{"StackIds": ["6f2c4f4e-0000-4000-8000-000000000000"]}'
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:8700/opsworks",
        data=body,
        headers={"X-Amz-Target": "OpsWorks_20130218.DescribeStacks"},
    )
    SigV4Auth(Credentials("AKIAAAAAAAAAAAAAAAAA", "s" * 40), "opsworks", REGION).add_auth(request)
    headers = [("host", "127.0.0.1:8700"), *request.headers.items()]
    received = sigv4.Request("POST", "/opsworks", "", headers, body)
    parsed = sigv4.parse_authorization(received.header("authorization")[0])
    now = datetime.now(UTC)
    return timed(lambda: sigv4.verify(received, parsed, "s" * 40, now), count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    print("OpsWorks endpoint vs REST API (one server on loopback, SQLite)")
    show("SigV4 check alone", signature_check(args.calls * 10))
    with tempfile.TemporaryDirectory(prefix="sw-owb-") as tmp:
        server = ServerProcess(Path(tmp) / "d")
        server.start()
        try:
            client = opsworks_client(server, make_access_key(server))
            stack_id = client.create_stack(
                Name="bench", Region=REGION, ServiceRoleArn="r", DefaultInstanceProfileArn="p"
            )["StackId"]
            for shortname in ("a", "b", "c"):
                client.create_layer(
                    StackId=stack_id, Type="custom", Name=shortname, Shortname=shortname
                )
            client.describe_stacks(StackIds=[stack_id])  # warm: handlers imported, pool open
            show(
                "boto3 describe_stacks(StackIds=[...])",
                timed(lambda: client.describe_stacks(StackIds=[stack_id]), args.calls),
            )
            show(
                "boto3 describe_layers(StackId=...)",
                timed(lambda: client.describe_layers(StackId=stack_id), args.calls),
            )
            show(
                "httpx GET /api/v1/stacks/bench",
                timed(lambda: server.client.get("/stacks/bench").raise_for_status(), args.calls),
            )
        finally:
            server.close()


if __name__ == "__main__":
    main()
