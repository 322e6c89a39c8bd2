"""`apply` and `export`: local checks name file and line or field path; round trip."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from cli_harness import Invoke
from fake_api import FakeApi

DOCUMENT = """\
name: demo
custom_json:
  greeting: hello
layers:
  - shortname: lb
    type: lb
    custom_json: {haproxy: {port: 8080}}
  - shortname: app
    type: python-app
apps:
  - shortname: sample
    source: {type: git, url: "file:///srv/sample.git"}
    layers: [app]
    environment:
      - {key: GREETING, value: hello}
instances:
  - {layers: [lb], hostname: lb1}
  - {layers: [app], hostname: app1}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return path


def test_apply_sends_the_document_and_prints_what_changed(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    path = write(tmp_path, DOCUMENT)
    first = cli("apply", str(path))
    assert first.exit_code == 0, first.output
    assert "created   stack demo" in first.stdout
    method, url, body = api.requests[-1]
    assert (method, url) == ("PUT", "/api/v1/stacks/demo/document")
    assert body["layers"][0]["custom_json"] == {"haproxy": {"port": 8080}}
    second = cli("apply", str(path), "--json")
    assert json.loads(second.stdout)["unchanged"] == ["stack demo"]


def test_yaml_syntax_error_names_file_and_line_and_sends_nothing(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    path = write(tmp_path, "name: demo\nlayers:\n  - shortname: lb\n    type: [lb\n")
    result = cli("apply", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:5:")
    assert "invalid YAML" in result.stderr
    assert api.requests == []


BILLION_LAUGHS = """\
name: demo
custom_json:
  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""  # nine lines that stand for 9**9 strings


def test_a_document_with_exponential_aliases_is_refused_naming_the_line_and_sends_nothing(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    path = write(tmp_path, BILLION_LAUGHS)
    result = cli("apply", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path}:8:")
    assert "more than 100000 values once its aliases are expanded" in result.stderr
    assert api.requests == []


def test_an_anchor_used_a_few_times_is_still_allowed(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    text = DOCUMENT.replace(
        "    custom_json: {haproxy: {port: 8080}}", "    custom_json: &lb {haproxy: {port: 8080}}"
    ).replace("    type: python-app", "    type: python-app\n    custom_json: *lb")
    assert cli("apply", str(write(tmp_path, text))).exit_code == 0
    (_, _, sent), *_ = api.sent("PUT")
    assert [layer["custom_json"] for layer in sent["layers"]] == [{"haproxy": {"port": 8080}}] * 2


def test_schema_error_names_the_field_path(cli: Invoke, api: FakeApi, tmp_path: Path) -> None:
    path = write(tmp_path, "name: demo\nlayers:\n  - type: lb\n    colour: blue\n")
    result = cli("apply", str(path))
    assert result.exit_code == 2
    assert "layers[0].shortname: Field required" in result.stderr
    assert "layers[0].colour: Extra inputs are not permitted" in result.stderr
    assert api.requests == []


def test_a_document_that_is_not_a_mapping_is_refused(cli: Invoke, tmp_path: Path) -> None:
    result = cli("apply", str(write(tmp_path, "- just\n- a list\n")))
    assert result.exit_code == 2
    assert "expected a mapping" in result.stderr


def test_a_missing_file_is_named(cli: Invoke, tmp_path: Path) -> None:
    result = cli("apply", str(tmp_path / "absent.yaml"))
    assert result.exit_code == 2
    assert "absent.yaml: cannot read" in result.stderr


def test_server_side_422_names_the_field(cli: Invoke, api: FakeApi, tmp_path: Path) -> None:
    api.document_refusal = {
        "detail": [{"loc": ["body", "apps", 0, "shortname"], "msg": "not a valid shortname"}]
    }
    result = cli("apply", str(write(tmp_path, DOCUMENT)))
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: apps[0].shortname: not a valid shortname"


def test_export_prints_yaml_that_applies_unchanged(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    cli("apply", str(write(tmp_path, DOCUMENT)))
    exported = cli("export", "demo")
    assert exported.exit_code == 0, exported.output
    data = yaml.safe_load(exported.stdout)
    assert data["name"] == "demo"
    assert data["layers"][1]["type"] == "python-app"
    assert data["apps"][0]["source"]["url"] == "file:///srv/sample.git"
    again = tmp_path / "exported.yaml"
    again.write_text(exported.stdout)
    result = cli("apply", str(again), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unchanged"] == ["stack demo"]
