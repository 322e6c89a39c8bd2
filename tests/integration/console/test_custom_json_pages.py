"""Editing a stack's and a layer's custom JSON in the console: a syntax error is refused at its
line and column, a refused value at its JSON path and line, nothing is saved on a refusal and
the text stays in the textarea; secrets show masked and keep their values when sent back."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from support.api_harness import Api

STACK_PAGE = "/stacks/demo/custom-json"
LAYER_PAGE = "/stacks/demo/layers/web/custom-json"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
TEXTAREA = re.compile(r"<textarea[^>]*name=\"custom_json\"[^>]*>(.*?)</textarea>", re.DOTALL)


def save(client: TestClient, path: str, text: str) -> object:
    token = CSRF_FIELD.search(client.get(path).text)
    assert token is not None
    return client.post(
        path, data={"custom_json": text, "csrf_token": token.group(1)}, follow_redirects=False
    )


def textarea(page: str) -> str:
    found = TEXTAREA.search(page)
    assert found is not None
    return html.unescape(found.group(1))


def stored(api: Api) -> object:
    return api.get("/stacks/demo").json()["custom_json"]


def test_the_stack_json_is_saved_and_shown_again(demo: Api, browser) -> None:
    admin = browser("admin")
    answer = save(admin, STACK_PAGE, '{"haproxy": {"port": 8080}}')
    assert answer.status_code == 303
    assert stored(demo) == {"haproxy": {"port": 8080}}
    page = admin.get(answer.headers["location"]).text
    assert 'data-testid="custom-json-saved"' in page
    assert '"port": 8080' in textarea(page)


def test_a_syntax_error_names_its_line_and_column_and_saves_nothing(demo: Api, browser) -> None:
    demo.patch("/stacks/demo", {"custom_json": {"kept": True}})
    admin = browser("admin")
    text = '{\r\n  "haproxy": {\r\n    "port": 8080\r\n    "balance": "roundrobin"\r\n  }\r\n}'
    answer = save(admin, STACK_PAGE, text)
    assert answer.status_code == 422
    assert 'data-testid="custom-json-error"' in answer.text
    assert "line 4, column 5" in answer.text and "Expecting &#39;,&#39; delimiter" in answer.text
    assert 'data-error-line="4" data-error-column="5"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert textarea(answer.text).replace("\r\n", "\n") == text.replace("\r\n", "\n")
    assert stored(demo) == {"kept": True}


def test_not_an_object_is_refused_at_its_first_character(demo: Api, browser) -> None:
    answer = save(browser("admin"), STACK_PAGE, "\n  [1, 2]")
    assert answer.status_code == 422
    assert "line 2, column 3" in answer.text and "must be a JSON object" in answer.text
    assert stored(demo) == {}


def test_a_value_the_validation_refuses_is_pointed_at_by_path_and_line(demo: Api, browser) -> None:
    admin = browser("admin")
    text = '{\n  "app": {\n    "key": {"$secret": 42}\n  }\n}'
    answer = save(admin, STACK_PAGE, text)
    assert answer.status_code == 422
    assert "custom_json.app.key (line 3, column 5)" in answer.text
    assert "a secret is written" in answer.text
    assert textarea(answer.text) == text
    assert stored(demo) == {}


def test_a_mask_sent_back_keeps_the_secret_and_a_mask_with_no_secret_is_refused(
    demo: Api, browser
) -> None:
    demo.patch("/stacks/demo", {"custom_json": {"api": {"key": {"$secret": "s3cret-value"}}}})
    admin = browser("admin")
    page = admin.get(STACK_PAGE).text
    assert "s3cret-value" not in page
    shown = textarea(page)
    assert "*****FILTERED*****" in shown
    kept = save(admin, STACK_PAGE, shown.replace('"api"', '"extra": 1,\n  "api"'))
    assert kept.status_code == 303
    with demo.db.transaction() as session:
        from stackworks.store import stacks as stack_store

        assert stack_store.get_by_name(session, "demo").custom_json["api"] == {
            "key": {"$secret": "s3cret-value"}
        }
    orphan = '{\n  "other": {"$secret": "*****FILTERED*****"}\n}'
    refused = save(admin, STACK_PAGE, orphan)
    assert refused.status_code == 422
    assert "custom_json.other (line 2, column 3)" in refused.text
    assert "s3cret-value" not in refused.text


def test_a_layer_json_is_edited_the_same_way(demo: Api, browser) -> None:
    admin = browser("admin")
    assert save(admin, LAYER_PAGE, '{"web": {"workers": 3}}').status_code == 303
    assert demo.get("/stacks/demo/layers/web").json()["custom_json"] == {"web": {"workers": 3}}
    refused = save(admin, LAYER_PAGE, '{"web": {"$sealed": "x"}}')
    assert refused.status_code == 422
    assert "custom_json.web (line 1, column 2)" in refused.text
    assert demo.get("/stacks/demo/layers/web").json()["custom_json"] == {"web": {"workers": 3}}


def test_nesting_too_deep_is_refused_with_its_position(demo: Api, browser) -> None:
    answer = save(browser("admin"), STACK_PAGE, '{"a": ' + "[" * 100 + "]" * 100 + "}")
    assert answer.status_code == 422
    assert "nested deeper than 64" in answer.text
    assert stored(demo) == {}


def test_show_and_deploy_users_read_the_json_and_cannot_save_it(demo: Api, browser) -> None:
    demo.patch("/stacks/demo", {"custom_json": {"visible": 1, "pw": {"$secret": "hidden-pw"}}})
    for name, level in (("ann", "show"), ("dev", "deploy")):
        client = browser(name, level)
        for path in (STACK_PAGE, LAYER_PAGE):
            page = client.get(path)
            assert page.status_code == 200
            assert 'data-testid="custom-json-read-only"' in page.text
            assert "<textarea" not in page.text
            assert "hidden-pw" not in page.text
        assert '"visible": 1' in html.unescape(client.get(STACK_PAGE).text)
        token = CSRF_FIELD.search(client.get(STACK_PAGE).text)
        assert token is not None  # the logout form's
        for path in (STACK_PAGE, LAYER_PAGE):
            answer = client.post(
                path,
                data={"custom_json": "{}", "csrf_token": token.group(1)},
                follow_redirects=False,
            )
            assert answer.status_code == 403
    assert stored(demo) == {"visible": 1, "pw": {"$secret": "*****FILTERED*****"}}


def test_a_save_without_the_csrf_token_is_refused(demo: Api, browser) -> None:
    admin = browser("admin")
    answer = admin.post(STACK_PAGE, data={"custom_json": '{"x": 1}'}, follow_redirects=False)
    assert answer.status_code == 403
    assert stored(demo) == {}


def test_a_request_without_the_json_field_keeps_the_stored_json(demo: Api, browser) -> None:
    demo.patch("/stacks/demo", {"custom_json": {"kept": True}})
    admin = browser("admin")
    token = CSRF_FIELD.search(admin.get(STACK_PAGE).text)
    assert token is not None
    answer = admin.post(STACK_PAGE, data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert answer.status_code == 422
    assert "no custom_json field" in answer.text
    assert stored(demo) == {"kept": True}
