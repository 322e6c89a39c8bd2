"""How many writes each batch of an api/write_batches.py writer committed: its `commit`
wrapped on the instance, so a test sees the batches without reaching into the writer."""

from __future__ import annotations

from typing import Any


def record_batch_sizes(batches: Any) -> list[int]:
    """A list that each committed batch's size is appended to, from now on."""
    sizes: list[int] = []
    commit = batches.commit

    def counting(batch: Any) -> Any:
        sizes.append(len(batch))
        return commit(batch)

    batches.commit = counting
    return sizes
