"""varnishd's admin CLI through varnishadm: argv lists, never a shell.

`python -m stackworks.cookbooks.varnish.admin reload ...` is how varnish::configure loads a
changed VCL into the running varnishd without a restart (the cache stays): it waits until the
CLI answers, loads the file under a new name, makes it active and discards the VCLs no longer
in use. varnish::purge builds its `ban req.url ~ <regex>` commands with `ban_argv`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

#: names this module gives the VCLs it loads (the one varnishd started with is `boot`)
VCL_PREFIX = "stackworks_"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class AdminError(Exception):
    """varnishd's CLI refused a command or did not answer."""


def base_argv(binary: str, address: str, secret: str) -> list[str]:
    return [binary, "-T", address, "-S", secret]


def cli_quote(text: str) -> str:
    """One argument of varnishd's CLI: varnishadm sends its arguments joined by spaces, so an
    argument with spaces, quotes or backslashes is quoted the way the CLI parser unquotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def purge_urls(value: Any) -> list[str]:
    """The `varnish.purge_urls` regexps, checked: a list of non-empty strings without control
    characters that compile as regular expressions (Python's syntax is close to PCRE's for
    what URLs need). Raises ValueError naming the attribute and the item."""
    if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
        raise ValueError(f"varnish.purge_urls: expected a non-empty list of regexps, got {value!r}")
    checked = []
    for index, item in enumerate(value):
        name = f"varnish.purge_urls[{index}]"
        if not isinstance(item, str) or not item or len(item) > 1000:
            raise ValueError(f"{name}: expected a regexp of 1 to 1000 characters, got {item!r}")
        if _CONTROL.search(item):
            raise ValueError(f"{name}: control characters (line breaks, tabs) are not allowed")
        try:
            re.compile(item)
        except re.error as error:
            raise ValueError(f"{name}: {item!r} is not a regular expression ({error})") from None
        checked.append(item)
    return checked


def ban_argv(binary: str, address: str, secret: str, regex: str) -> list[str]:
    """`varnishadm ... ban req.url ~ "<regex>"`: every cached object whose URL matches."""
    return [*base_argv(binary, address, secret), "ban", "req.url", "~", cli_quote(regex)]


def run(argv: Sequence[str], timeout: float = 30.0) -> str:
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        said = (done.stdout + done.stderr).strip()
        raise AdminError(f"{' '.join(argv[5:])}: varnishd answered: {said}")
    return done.stdout


def wait_for_cli(base: Sequence[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            run([*base, "ping"], timeout=10)
            return
        except (AdminError, subprocess.TimeoutExpired) as error:
            if time.monotonic() >= deadline:
                raise AdminError(
                    f"varnishd's CLI did not answer in {timeout:g} s: {error}"
                ) from None
            time.sleep(0.2)


def loaded_vcls(base: Sequence[str]) -> list[tuple[str, str]]:
    """(status, name) of every loaded VCL, from `vcl.list`."""
    rows = []
    for line in run([*base, "vcl.list"]).splitlines():
        fields = line.split()
        if len(fields) >= 2:
            rows.append((fields[0], fields[-1]))
    return rows


def reload(base: Sequence[str], vcl_path: str, timeout: float) -> str:
    """Load `vcl_path` under a new name, use it, discard the VCLs left idle; returns the name."""
    wait_for_cli(base, timeout)
    name = f"{VCL_PREFIX}{time.time_ns()}"
    run([*base, "vcl.load", name, cli_quote(vcl_path)])
    run([*base, "vcl.use", name])
    for status, other in loaded_vcls(base):
        if other != name and status == "available":
            try:
                run([*base, "vcl.discard", other])
            except AdminError as error:  # still busy with requests: discarded next time
                print(f"kept {other} for now: {error}")
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="varnish-admin", description=__doc__)
    parser.add_argument("action", choices=["reload"])
    parser.add_argument("vcl")
    parser.add_argument("--varnishadm", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    base = base_argv(args.varnishadm, args.address, args.secret)
    try:
        name = reload(base, args.vcl, args.timeout)
    except AdminError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"varnishd now runs {args.vcl} as VCL {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
