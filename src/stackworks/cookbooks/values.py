"""Attribute value checks several built-in cookbooks share: a bad value is a ValueError
naming the attribute, which the recipe turns into its failure message."""

from __future__ import annotations

import os
import shutil
from typing import Any


def positive(value: Any, name: str) -> int:
    """`value` as a positive integer, or a ValueError naming the attribute."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}") from None
    if number < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return number


def port(value: Any, name: str) -> int:
    """`value` as a port (1-65535), or a ValueError naming the attribute."""
    number = positive(value, name)
    if number > 65535:
        raise ValueError(f"{name}: {number} is not a port (1-65535)")
    return number


#: where system programs are looked for besides PATH (an agent's PATH may be short)
PROGRAM_DIRS = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin")


def executable(name: str, attribute: str, package: str) -> str:
    """The absolute path of program `name` (service managers want one), looked up on PATH and
    in PROGRAM_DIRS; a ValueError naming `attribute` and the apt `package` when missing."""
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *PROGRAM_DIRS]))
    if found is None:
        raise ValueError(f"{attribute}: {name!r} is not installed (apt-get install {package})")
    return found
