"""The agent's own wheel: the server's package files, versioned by their digest, installable."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from stackworks.providers import agent_wheels


def package(tmp_path: Path) -> Path:
    root = tmp_path / "stackworks"
    (root / "agent").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "agent" / "loop.py").write_text("RUN = True\n")
    (root / "agent" / "__pycache__").mkdir()
    (root / "agent" / "__pycache__" / "loop.cpython-311.pyc").write_bytes(b"\0")
    return root


def test_the_digest_changes_with_any_file_and_ignores_bytecode(tmp_path: Path) -> None:
    root = package(tmp_path)
    first = agent_wheels._tree_digest(root)
    (root / "agent" / "__pycache__" / "other.pyc").write_bytes(b"\1")
    assert agent_wheels._tree_digest(root) == first
    (root / "agent" / "loop.py").write_text("RUN = False\n")
    assert agent_wheels._tree_digest(root) != first


def test_the_wheel_holds_the_package_its_metadata_and_a_true_record(tmp_path: Path) -> None:
    root = package(tmp_path)
    target = tmp_path / "stackworks-0.1.0+gabc-py3-none-any.whl"
    agent_wheels._build_own_wheel(root, "0.1.0+gabc", target)
    with zipfile.ZipFile(target) as wheel:
        names = set(wheel.namelist())
        assert "stackworks/agent/loop.py" in names
        assert not any("__pycache__" in name for name in names)
        info = "stackworks-0.1.0+gabc.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        assert "Version: 0.1.0+gabc" in metadata
        assert "Requires-Dist: pydantic" in metadata
        assert "extra ==" not in metadata
        for line in wheel.read(f"{info}/RECORD").decode().splitlines():
            name, digest, size = line.split(",")
            if not digest:
                continue
            data = wheel.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == f"sha256={expected.decode()}" and int(size) == len(data)
    assert list(tmp_path.glob("*.partial")) == []


def test_the_dependencies_are_pinned_to_the_servers_installed_versions() -> None:
    pins = agent_wheels._pins()
    assert any(pin.startswith("pydantic==") for pin in pins)
    assert any(pin.startswith("pip==") for pin in pins)  # the recipes' pip, and the installer
    assert any(pin.startswith("psycopg[binary]==") for pin in pins)
    assert not any("pytest" in pin for pin in pins)  # the dev extra stays out
