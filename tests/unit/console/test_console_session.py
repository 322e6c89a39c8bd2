"""The CSRF token of a session, and where a login may send the browser back to."""

from __future__ import annotations

import pytest

from stackworks.console.error_pages import is_console_path, safe_next
from stackworks.console.session import csrf_token


def test_the_csrf_token_is_the_same_for_a_session_and_differs_between_sessions() -> None:
    assert csrf_token("swk_one") == csrf_token("swk_one")
    assert csrf_token("swk_one") != csrf_token("swk_two")
    assert "swk_one" not in csrf_token("swk_one")


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/stacks/shop", "/stacks/shop"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/logout", "/"),
        ("", "/"),
    ],
)
def test_after_login_the_browser_goes_back_only_to_a_path_of_this_site(
    asked: str, sent_to: str
) -> None:
    assert safe_next(asked) == sent_to


def test_the_api_and_fastapis_pages_keep_json_errors() -> None:
    assert not is_console_path("/api/v1/stacks")
    assert not is_console_path("/openapi.json")
    assert is_console_path("/stacks/shop")
