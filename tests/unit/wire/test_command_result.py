"""The result's wire shape: the optional last log chunk, and a body an older server takes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from stackworks.wire.schemas import CommandResult, LogChunk


def test_a_result_without_a_log_is_sent_without_the_field() -> None:
    result = CommandResult(status="successful", exit_code=0)
    assert result.to_wire() == {"status": "successful", "exit_code": 0, "report": {}}


def test_a_result_with_its_last_chunk_carries_it_as_a_log_chunk() -> None:
    result = CommandResult(status="failed", exit_code=1, log=LogChunk(seq=3, lines=["x"]))
    assert result.to_wire()["log"] == {"seq": 3, "lines": ["x"]}
    assert CommandResult.model_validate(result.to_wire()) == result


@pytest.mark.parametrize(
    ("log", "field"),
    [
        ({"seq": -1, "lines": []}, "seq"),
        ({"seq": 0}, "lines"),
        ({"seq": 0, "lines": [], "x": 1}, "x"),
    ],
)
def test_a_malformed_chunk_is_refused_naming_its_field(log: object, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        CommandResult.model_validate({"status": "successful", "exit_code": 0, "log": log})
    assert [error["loc"] for error in refused.value.errors()] == [("log", field)]
