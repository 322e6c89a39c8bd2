"""Every operation of the OpsWorks model has a handler or a documented refusal, and
docs/opsworks-api.md's table gives each the verdict the code has."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stackworks.opsworks import model, registry
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.operations.refused import REFUSED

DOC = Path(__file__).resolve().parents[3] / "docs" / "opsworks-api.md"
_ROW = re.compile(r"^\| (?P<op>[A-Z][A-Za-z]+) \| (?P<verdict>[a-z ]+) \|(?P<notes>.*)\|$")
VERDICTS = {"supported", "supported with differences", "refused"}


def documented() -> dict[str, str]:
    rows = {}
    for line in DOC.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            assert match["op"] not in rows, f"{match['op']} has two rows in {DOC.name}"
            rows[match["op"]] = match["verdict"]
    return rows


def test_the_model_has_the_74_operations_of_opsworks() -> None:
    assert len(model.operation_names()) == 74


def test_every_operation_has_a_handler_or_a_refusal() -> None:
    handled = registry.load_handlers()
    missing = [name for name in model.operation_names() if name not in handled]
    assert missing == [], f"operations with neither a handler nor a refusal: {missing}"


def refused() -> dict[str, str]:
    return {name: e.refused for name, e in registry.load_handlers().items() if e.refused}


def test_every_refusal_says_what_stackworks_does_instead() -> None:
    assert set(REFUSED) <= set(refused())
    for name, why in refused().items():
        assert "Stackworks" in why, f"{name}'s refusal does not say what Stackworks does: {why}"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_operation_answers_a_validation_exception_with_its_reason(name: str) -> None:
    handler = registry.load_handlers()[name].handler
    with pytest.raises(ValidationException, match=name) as answer:
        handler(Context.__new__(Context), {})
    assert REFUSED[name] in answer.value.message


def test_the_docs_table_lists_every_operation_with_the_codes_verdict() -> None:
    rows = documented()
    assert sorted(rows) == model.operation_names()
    assert set(rows.values()) <= VERDICTS, set(rows.values()) - VERDICTS
    handled = registry.load_handlers()
    wrong = {
        name: verdict
        for name, verdict in rows.items()
        if (verdict == "refused") != bool(handled[name].refused)
    }
    assert wrong == {}, f"the docs and the code disagree on: {wrong}"
