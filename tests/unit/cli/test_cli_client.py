"""ApiClient: error bodies of both shapes, connection failures, models back."""

from __future__ import annotations

import httpx
import pytest

from stackworks.cli.client import ApiClient, ApiError, ConnectionFailed, error_from_response
from stackworks.cli.errors import EXIT_FAILED, EXIT_USAGE, CliError


def test_stackworks_error_body_gives_message_and_field() -> None:
    response = httpx.Response(
        422, json={"detail": {"message": "not a valid shortname", "field": "layers[0].shortname"}}
    )
    error = error_from_response(response)
    assert (error.status, error.field) == (422, "layers[0].shortname")
    assert error.message == "not a valid shortname (field: layers[0].shortname)"
    assert error.exit_code == EXIT_FAILED


def test_fastapi_validation_list_names_the_field_path_from_loc() -> None:
    response = httpx.Response(
        422,
        json={
            "detail": [
                {"loc": ["body", "layers", 0, "shortname"], "msg": "Field required"},
                {"loc": ["body", "name"], "msg": "String too long"},
            ]
        },
    )
    error = error_from_response(response)
    assert error.field == "layers[0].shortname"
    assert error.message == "layers[0].shortname: Field required; name: String too long"


def test_non_json_error_keeps_status_and_text() -> None:
    error = error_from_response(httpx.Response(502, text="Bad Gateway from proxy"))
    assert error.status == 502
    assert "502" in error.message and "Bad Gateway from proxy" in error.message


def test_connection_refused_names_the_url_and_is_a_usage_exit() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = ApiClient("http://127.0.0.1:9/", "t", transport=httpx.MockTransport(refuse))
    with pytest.raises(ConnectionFailed) as caught:
        client.list_stacks()
    assert caught.value.message == "cannot reach the Stackworks server at http://127.0.0.1:9"
    assert caught.value.exit_code == EXIT_USAGE


def test_requests_carry_the_token_and_the_api_prefix() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client = ApiClient("http://h:1", "secret-token", transport=httpx.MockTransport(answer))
    assert client.list_instances("my stack") == []
    assert seen[0].url.raw_path == b"/api/v1/stacks/my%20stack/instances"
    assert seen[0].headers["authorization"] == "Bearer secret-token"


def test_unexpected_answer_shape_is_an_error_not_a_crash() -> None:
    client = ApiClient(
        "http://h:1", "t", transport=httpx.MockTransport(lambda r: httpx.Response(200, json={}))
    )
    with pytest.raises(CliError) as caught:
        client.get_stack("s")
    assert not isinstance(caught.value, ApiError)
    assert "unexpected answer" in caught.value.message
