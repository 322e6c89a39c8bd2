"""Wait until a restarted client answers its health check: the step between two client
restarts, run as `python -m stackworks.cookbooks.plone_instances.health HOST PORT ...`.

Success is a 2xx or 3xx answer to `--method` on `--path`; connection refusals and errors are
retried every half second until `--timeout`. Then, when given, one GET of `--warm` (any
answer: a client just started renders its first page slowly, better here than for a visitor)
and a pause of `--settle` seconds (what the front end's health checks need to see the client
up before the next one goes down). Only loopback or the instance's own private address is
ever asked (the recipe passes the client's bind address).
"""

from __future__ import annotations

import argparse
import http.client
import sys
import time

MODULE = "stackworks.cookbooks.plone_instances.health"


def answers(host: str, port: int, method: str, path: str, timeout: float = 5) -> int | None:
    """The status of one request, or None when the client cannot be reached."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def wait(host: str, port: int, method: str, path: str, timeout: float) -> tuple[bool, str]:
    """Poll until a 2xx/3xx answer or `timeout` seconds; says what was seen last."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while True:
        status = answers(host, port, method, path)
        if status is not None and 200 <= status < 400:
            return True, f"{method} {path} on {host}:{port} answered {status}"
        last = "no answer" if status is None else f"status {status}"
        if time.monotonic() >= deadline:
            return False, f"{method} {path} on {host}:{port}: {last} after {timeout:.0f}s"
        time.sleep(0.5)


def warm_up(host: str, port: int, path: str, timeout: float) -> str:
    """One GET of `path`, whatever it answers; says how it went."""
    started = time.monotonic()
    status = answers(host, port, "GET", path, timeout=timeout)
    seen = "no answer" if status is None else f"status {status}"
    return f"warm-up GET {path}: {seen} in {time.monotonic() - started:.1f}s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=MODULE)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--method", default="HEAD")
    parser.add_argument("--path", default="/")
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--warm", help="a path to GET once the client answers")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to wait after")
    args = parser.parse_args(argv)
    ok, message = wait(args.host, args.port, args.method, args.path, args.timeout)
    print(message, file=sys.stdout if ok else sys.stderr)
    if not ok:
        return 1
    if args.warm:
        print(warm_up(args.host, args.port, args.warm, args.timeout))
    if args.settle > 0:
        time.sleep(args.settle)
        print(f"waited {args.settle:g}s for the front end's checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
