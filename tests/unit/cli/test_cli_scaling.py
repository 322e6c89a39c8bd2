"""`instance schedule` and `layer scaling`: what they send, and what they refuse to send."""

from __future__ import annotations

import json
import re

import pytest
from cli_harness import Invoke
from fake_api import FakeApi

from stackworks.cli.scaling import ranges_text


def test_day_options_change_only_the_days_named(cli: Invoke, api: FakeApi) -> None:
    api.schedules[("shop", "web1")] = {"Tuesday": {"8": "on"}, "Friday": {"1": "on"}}
    result = cli("instance", "schedule", "shop", "web1", "--monday", "9-17", "--friday", "9-12")
    assert result.exit_code == 0, result.output
    body = api.sent("PUT")[-1][2]
    assert body == {
        "Monday": {str(h): "on" for h in range(9, 17)},
        "Tuesday": {"8": "on"},
        "Friday": {"9": "on", "10": "on", "11": "on"},
    }
    assert re.search(r"Monday +9-17\n", result.stdout)
    assert re.search(r"Friday +9-12\n", result.stdout)


def test_a_whole_week_in_json_replaces_the_old_one_and_day_options_apply_on_top(
    cli: Invoke, api: FakeApi
) -> None:
    api.schedules[("shop", "web1")] = {"Tuesday": {"8": "on"}}
    week = json.dumps({"Sunday": {"23": "on"}})
    result = cli(
        "instance", "schedule", "shop", "web1", "--schedule", week, "--monday", "off", "--json"
    )
    assert result.exit_code == 0, result.output
    assert api.sent("PUT")[-1][2] == {"Sunday": {"23": "on"}}
    assert json.loads(result.stdout)["schedule"] == {"Sunday": {"23": "on"}}


def test_clear_empties_the_week(cli: Invoke, api: FakeApi) -> None:
    api.schedules[("shop", "web1")] = {"Tuesday": {"8": "on"}}
    result = cli("instance", "schedule", "shop", "web1", "--clear")
    assert result.exit_code == 0, result.output
    assert api.sent("DELETE")[-1][1].endswith("/schedule")
    assert ("shop", "web1") not in api.schedules


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--monday", "17-9"], "--monday"),
        (["--friday", "nine"], "--friday"),
        (["--schedule", '{"Monday": {"25": "on"}}'], "--schedule Monday.25"),
        (["--schedule", "{not json"], "--schedule: invalid JSON"),
    ],
)
def test_bad_hours_name_the_option_and_send_nothing(
    cli: Invoke, api: FakeApi, args: list[str], complaint: str
) -> None:
    result = cli("instance", "schedule", "shop", "web1", *args)
    assert result.exit_code != 0
    assert complaint in result.output
    assert api.sent("PUT") == []


def test_without_options_schedule_only_reads(cli: Invoke, api: FakeApi) -> None:
    api.schedules[("shop", "web1")] = {"Monday": {"9": "on", "10": "on", "14": "on"}}
    result = cli("instance", "schedule", "shop", "web1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schedule"]["Monday"] == {"9": "on", "10": "on", "14": "on"}
    assert api.sent("PUT") == [] and api.sent("DELETE") == []


def test_ranges_text_reads_back_like_the_options_take_it() -> None:
    assert ranges_text({9, 10, 11, 14, 23}) == "9-12,14-15,23-24"
    assert ranges_text(set()) == "off"


def test_layer_scaling_sends_only_the_options_given(cli: Invoke, api: FakeApi) -> None:
    result = cli(
        "layer", "scaling", "shop", "app",
        "--enable", "--up-cpu", "80", "--up-wait", "0.5", "--down-cpu", "30", "--down-memory", "-1",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert api.sent("PATCH")[-1][2] == {
        "enable": True,
        "up_scaling": {"cpu_threshold": 80.0, "thresholds_wait_time": 0.5},
        "down_scaling": {"cpu_threshold": 30.0, "memory_threshold": -1.0},
    }
    shown = json.loads(result.stdout)
    assert shown["up_scaling"]["cpu_threshold"] == 80 and shown["enable"] is True


def test_layer_scaling_without_options_shows_it(cli: Invoke, api: FakeApi) -> None:
    result = cli("layer", "scaling", "shop", "app")
    assert result.exit_code == 0, result.output
    assert api.sent("PATCH") == []
    assert "cpu disabled, memory disabled, load disabled" in result.stdout
    assert "start 1 after 5 min" in result.stdout


def test_instance_metrics_asks_for_minutes_by_default_and_prints_a_table(
    cli: Invoke, api: FakeApi
) -> None:
    result = cli("instance", "metrics", "shop", "web1", "--since", "2024-05-01T11:00:00Z")
    assert result.exit_code == 0, result.output
    path = api.requests[-1][1]
    assert path == "/api/v1/stacks/shop/instances/web1/metrics"
    assert "metrics of shop/web1 (minute)" in result.stdout
    assert re.search(r"12\.5\W+40\W+3\W+0\.25\W+4\W", result.stdout)
    as_json = cli("instance", "metrics", "shop", "web1", "--resolution", "raw", "--json")
    assert json.loads(as_json.stdout)["resolution"] == "raw"


def test_instance_metrics_refuses_an_unknown_resolution_before_asking(
    cli: Invoke, api: FakeApi
) -> None:
    result = cli("instance", "metrics", "shop", "web1", "--resolution", "hourly")
    assert result.exit_code != 0 and "--resolution" in result.output
    assert api.requests == []
