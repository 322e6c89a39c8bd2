"""A steady HTTP load from its own process: GET one loopback URL until told to stop.

    python bench/http_load.py URL STOPFILE [--pause 0.01] [--max-seconds 600]

Runs until STOPFILE exists (or the time bound), then prints one JSON line: requests, failures
(non-200 or connection errors) and the first few failure reasons.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import httpx


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("stopfile")
    parser.add_argument("--pause", type=float, default=0.01)
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    if not args.url.startswith("http://127."):
        print("http_load: only loopback URLs (http://127.x.y.z)", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.max_seconds
    requests, failures, reasons = 0, 0, []
    with httpx.Client(timeout=5.0) as client:
        while not Path(args.stopfile).exists() and time.monotonic() < deadline:
            requests += 1
            try:
                status = client.get(args.url, headers={"Connection": "close"}).status_code
                reason = None if status == 200 else f"HTTP {status}"
            except httpx.HTTPError as error:
                reason = type(error).__name__
            if reason:
                failures += 1
                if len(reasons) < 5:
                    reasons.append(reason)
            time.sleep(args.pause)
    print(json.dumps({"requests": requests, "failures": failures, "reasons": reasons}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
