"""The "Add layer" and "Add app" forms read into LayerCreate and AppCreate, a refusal naming the
form's own field (the environment row as the user sees it), a secure value never kept."""

from __future__ import annotations

import pytest

from stackworks.console.catalog_forms import (
    app_create,
    form_problem,
    layer_create,
    without_secure_values,
)
from stackworks.console.forms import FormFields
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import LayerType, SourceType


def form(**fields: str | list[str]) -> FormFields:
    return FormFields(
        {k.replace("__", "."): v if isinstance(v, list) else [v] for k, v in fields.items()}
    )


APP = {"shortname": "shop", "source_url": "https://git.example/shop.git"}


def test_a_layer_form_becomes_the_create_body_with_packages_split() -> None:
    body = layer_create(form(shortname=" db ", type="redis", packages="git, curl\nvim"))
    assert (body.shortname, body.name, body.type) == ("db", None, LayerType.REDIS)
    assert body.packages == ["git", "curl", "vim"]


def test_an_unknown_layer_type_is_refused_naming_the_type_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        layer_create(form(shortname="db", type="mainframe"))
    assert refused.value.field == "type"
    assert refused.value.message.startswith("type: ")


def test_an_app_form_skips_empty_environment_rows_and_defaults_the_revision() -> None:
    body = app_create(
        form(
            **APP,
            env__0__key="A",
            env__0__value="1",
            env__2__key="B",
            env__2__value="2",
            env__2__secure="on",
            layers=["web", ""],
        )
    )
    assert body.source.type is SourceType.GIT and body.source.revision == "HEAD"
    assert [(v.key, v.value, v.secure) for v in body.environment] == [
        ("A", "1", False),
        ("B", "2", True),
    ]
    assert body.layers == ["web"]


def test_a_value_without_a_name_is_refused_naming_its_row() -> None:
    with pytest.raises(InvalidInput) as refused:
        app_create(form(**APP, env__3__value="orphan"))
    assert refused.value.field == "env.3.key"


def test_an_unsafe_url_is_refused_naming_the_form_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        app_create(form(shortname="shop", source_url="--upload-pack=x"))
    assert refused.value.field == "source_url"
    assert refused.value.message.startswith("source_url: ")


def test_a_control_plane_refusal_of_a_variable_names_the_form_row_of_that_variable() -> None:
    sent = form(**APP, env__0__key="A", env__0__value="1", env__2__key="A", env__2__value="2")
    twice = InvalidInput("environment: 'A' is given twice", field="environment")
    mapped = form_problem(twice, sent)
    assert (mapped.field, mapped.message) == ("env.2.key", "env.2.key: 'A' is given twice")
    masked = InvalidInput("environment.A: the mask", field="environment.A")
    assert form_problem(masked, sent).field == "env.2.key"


def test_a_request_model_refusal_of_a_body_row_names_the_form_row_it_came_from() -> None:
    sent = form(**APP, env__1__key="A", env__1__value="1", env__3__key="B", env__3__value="2")
    problem = InvalidInput("environment.1.value: bad", field="environment.1.value")
    assert form_problem(problem, sent).field == "env.3.key"


def test_a_redrawn_form_keeps_plain_values_and_drops_secure_ones() -> None:
    sent = form(
        **APP,
        env__0__key="A",
        env__0__value="plain",
        env__1__key="S",
        env__1__value="secret",
        env__1__secure="on",
        csrf_token="t",
    )
    kept = without_secure_values(sent)
    assert kept.get("env.0.value") == "plain" and kept.get("env.1.key") == "S"
    assert kept.get("env.1.value") == "" and kept.get("csrf_token") == ""
