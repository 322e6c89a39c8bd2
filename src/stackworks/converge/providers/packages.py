"""The interface the package resource talks to; apt and pip implement it.

Each query covers ALL the names of one resource in one command (one dpkg-query, one pip list),
which is what keeps a no-op run fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from stackworks.converge.context import Context


class PackageProvider(Protocol):
    name: str

    def installed(self, ctx: Context, names: Sequence[str]) -> dict[str, str | None]:
        """name -> installed version, or None when it is not installed."""
        ...

    def outdated(self, ctx: Context, names: Sequence[str]) -> list[str]:
        """Those of `names` that are installed and have a newer version available."""
        ...

    def install(self, ctx: Context, specs: Sequence[str], *, upgrade: bool) -> None: ...

    def remove(self, ctx: Context, names: Sequence[str]) -> None: ...

    def spec(self, name: str, version: str | None) -> str:
        """How to ask for one name at one version (apt `name=1.2`, pip `name==1.2`)."""
        ...


def normalize_pip_name(name: str) -> str:
    """PEP 503: `Foo_Bar.baz` and `foo-bar-baz` are the same project."""
    return re.sub(r"[-_.]+", "-", name).lower()
