"""atomic_write: bytes or chunks replace a file in one step; a failure leaves the old file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stackworks.atomic import atomic_write


def test_chunks_are_written_in_order_with_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "f"
    atomic_write(target, iter([b"a", b"b", b"c"]), mode=0o640)
    assert target.read_bytes() == b"abc"
    assert target.stat().st_mode & 0o777 == 0o640


def test_chunks_that_fail_midway_leave_the_old_content_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"old")

    def chunks() -> Iterator[bytes]:
        yield b"new"
        raise ValueError("the download broke")

    with pytest.raises(ValueError, match="the download broke"):
        atomic_write(target, chunks())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]
