"""apt: dpkg-query for what is installed, apt-cache policy for what is newer, apt-get to act."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stackworks.converge.resource import ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

APT_ENV = {"DEBIAN_FRONTEND": "noninteractive"}
_FORMAT = "${Package}\\t${db:Status-Abbrev}\\t${Version}\\n"


class Apt:
    name = "apt"

    def installed(self, ctx: Context, names: Sequence[str]) -> dict[str, str | None]:
        # Exit status 1 only means some name is unknown to dpkg: those are not installed.
        result = ctx.run(["dpkg-query", "-W", f"-f={_FORMAT}", "--", *names])
        if result.exit_code not in (0, 1):
            raise ResourceError(f"dpkg-query failed: {result.tail()}")
        found: dict[str, str | None] = dict.fromkeys(names)
        for line in result.output.splitlines():
            parts = line.split("\t")
            if len(parts) != 3:
                continue
            package, status, version = parts
            package = package.split(":")[0]
            if package in found and status.startswith("ii"):
                found[package] = version
        return found

    def outdated(self, ctx: Context, names: Sequence[str]) -> list[str]:
        result = ctx.run(["apt-cache", "policy", "--", *names], env=APT_ENV)
        if not result.ok:
            raise ResourceError(f"apt-cache policy failed: {result.tail()}")
        outdated: list[str] = []
        current: str | None = None
        installed: str | None = None
        for raw in result.output.splitlines():
            line = raw.strip()
            if raw and not raw.startswith(" ") and line.endswith(":"):
                current, installed = line[:-1].split(":")[0], None
            elif line.startswith("Installed:"):
                installed = line.split(":", 1)[1].strip()
            elif line.startswith("Candidate:") and current is not None:
                candidate = line.split(":", 1)[1].strip()
                if installed not in (None, "(none)") and candidate not in ("(none)", installed):
                    outdated.append(current)
        return outdated

    def install(self, ctx: Context, specs: Sequence[str], *, upgrade: bool) -> None:
        # `apt-get install` both installs missing names and upgrades installed ones to the
        # candidate, so install and upgrade are the same command.
        argv = ["apt-get", "install", "-y", "-q", "-o", "Dpkg::Options::=--force-confold"]
        self._apt(ctx, [*argv, "--", *specs])

    def remove(self, ctx: Context, names: Sequence[str]) -> None:
        self._apt(ctx, ["apt-get", "remove", "-y", "-q", "--", *names])

    def spec(self, name: str, version: str | None) -> str:
        return f"{name}={version}" if version else name

    def _apt(self, ctx: Context, argv: list[str]) -> None:
        result = ctx.run(argv, env=APT_ENV)
        if not result.ok:
            raise ResourceError(
                f"{' '.join(argv[:2])} failed (exit {result.exit_code}):\n{result.tail()}"
            )
