"""The agent a new ssh host installs: a wheel of the server's own code and its dependencies.

The server builds the wheel of the `stackworks` package it runs from (whatever its install:
editable, from a wheel, from a checkout), versioned `<release>+<digest of its files>` so a
host always gets exactly the server's code, and a wheelhouse of its dependencies at the versions
installed beside the server (`pip wheel`, which uses pip's cache). Both are cached in one
directory for every server of this machine (`default_cache`: `$STACKWORKS_AGENT_WHEELS`, else
`~/.cache/stackworks/agent-wheels`), built once per version; the hosts install them with
`pip --no-index`, so a host needs no package index. The wheels are for the server's own Python
and machine, which the host check asks of the host (domain/ssh_targets.host_problems).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import stackworks
from stackworks.providers.base import StartFailed

DISTRIBUTION = "stackworks"
PIP_TIMEOUT = 900.0

_lock = threading.Lock()  # instances start in parallel threads; one of them builds


@dataclass(frozen=True)
class Wheelhouse:
    """The wheels a host installs the agent from; `version` is the agent's exact version."""

    version: str
    files: tuple[Path, ...]

    @property
    def pip(self) -> str:
        """The file name of pip's wheel, which runs from the wheel itself to install the rest
        (quicker than the host's ensurepip, and the same pip as the server's)."""
        found = [f.name for f in self.files if f.name.startswith("pip-")]
        if not found:
            raise StartFailed("the agent's wheelhouse has no pip wheel")
        return found[0]


def agent_python() -> tuple[int, int]:
    return sys.version_info[0], sys.version_info[1]


def agent_machine() -> str:
    return platform.machine()


def default_cache() -> Path:
    given = os.environ.get("STACKWORKS_AGENT_WHEELS")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stackworks" / "agent-wheels"


def ensure(cache: Path) -> Wheelhouse:
    """The wheelhouse for this server's code from `cache`, built there first if needed.

    Several servers may share the cache: everything is built under a private name and renamed
    into place, so a reader sees a whole wheel or none."""
    with _lock:
        package_dir = Path(stackworks.__file__).resolve().parent
        digest = _tree_digest(package_dir)
        release = importlib.metadata.version(DISTRIBUTION)
        version = f"{release}+g{digest[:12]}"
        own = cache / "agent" / f"{DISTRIBUTION}-{version}-py3-none-any.whl"
        if not own.exists():
            own.parent.mkdir(parents=True, exist_ok=True)
            _build_own_wheel(package_dir, version, own)
        dependencies = _ensure_dependencies(cache)
        return Wheelhouse(version=version, files=(own, *dependencies))


# --- the agent's own wheel -------------------------------------------------------------------


def _package_files(package_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def _tree_digest(package_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in _package_files(package_dir):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _requirements() -> list[str]:
    """The distribution's own requirements, less its extras (dev, bench)."""
    return [
        requirement
        for requirement in importlib.metadata.requires(DISTRIBUTION) or []
        if "extra ==" not in requirement
    ]


def _build_own_wheel(package_dir: Path, version: str, target: Path) -> None:
    """A py3-none-any wheel of `package_dir`, written to a temporary name and renamed."""
    dist_info = f"{DISTRIBUTION}-{version}.dist-info"
    metadata = "\n".join(
        [
            "Metadata-Version: 2.1",
            f"Name: {DISTRIBUTION}",
            f"Version: {version}",
            "Summary: the Stackworks agent, as its server ships it to ssh hosts",
            "Requires-Python: >=3.11",
            *(f"Requires-Dist: {requirement}" for requirement in _requirements()),
            "",
        ]
    )
    entries: dict[str, bytes] = {}
    for path in _package_files(package_dir):
        entries[f"stackworks/{path.relative_to(package_dir).as_posix()}"] = path.read_bytes()
    entries[f"{dist_info}/METADATA"] = metadata.encode()
    entries[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: stackworks\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    entries[f"{dist_info}/entry_points.txt"] = (
        b"[console_scripts]\nstackworks = stackworks.cli.main:main\n"
    )
    record = [
        f"{name},sha256={_urlsafe_digest(data)},{len(data)}" for name, data in entries.items()
    ]
    record.append(f"{dist_info}/RECORD,,")
    entries[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries.items():
            wheel.writestr(name, data)
    partial.replace(target)


def _urlsafe_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


# --- its dependencies ------------------------------------------------------------------------


def _pins() -> list[str]:
    """Each requirement at the version installed beside the server (the tested combination),
    and pip: the agent's recipes install release virtualenvs with the agent's own pip."""
    pins = [f"pip=={importlib.metadata.version('pip')}"]
    for requirement in _requirements():
        match = re.match(r"[A-Za-z0-9_.-]+(\[[^\]]*\])?", requirement)
        if match is None:
            continue
        name = re.sub(r"\[.*\]", "", match.group(0))
        extras = match.group(1) or ""
        try:
            pins.append(f"{name}{extras}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pins.append(requirement)
    return sorted(pins)


def _ensure_dependencies(cache: Path) -> list[Path]:
    pins = _pins()
    key = hashlib.sha256(
        "\n".join([*pins, f"{sys.version_info[:2]}", agent_machine()]).encode()
    ).hexdigest()[:16]
    where = cache / f"deps-{key}"
    if not where.is_dir():
        building = cache / f".deps-{key}.{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(building), *pins],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=PIP_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            tail = " | ".join(result.stderr.strip().splitlines()[-3:])
            raise StartFailed(f"could not build the agent's dependency wheels: {tail}")
        (building / "pins.txt").write_text("\n".join(pins) + "\n")
        try:
            building.rename(where)
        except OSError:  # another server finished first: its wheels are as good
            shutil.rmtree(building, ignore_errors=True)
    return sorted(where.glob("*.whl"))
