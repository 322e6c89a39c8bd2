"""Load-based instances: a layer's up and down thresholds, and the pure scaling decision.

OpsWorks' LoadBasedAutoScalingConfiguration, with its semantics:

- The layer's metrics are the averages of cpu %, memory % and load (load1) over its *online*
  instances (every scaling type), from each one's latest sample.
- A threshold of -1 is disabled. Up-scaling is due when ANY enabled up threshold is exceeded
  (average above it) continuously for `thresholds_wait_time` minutes ("crossing a threshold
  triggers a scaling event"). Down-scaling is due when ALL enabled down thresholds are undershot
  (average below each) for the down step's wait time: a layer whose cpu is idle but whose memory
  is still full is not shrunk. When both could apply, up wins.
- A step starts (up) or stops (down) at most `instance_count` load-based instances: stopped ones
  are started, online ones stopped. 24/7 and time-based instances are never touched.
- For `ignore_metrics_time` minutes after a step (the ignore time of the step that acted),
  metrics are ignored: no step is taken and no wait time runs.

Times are minutes and may be fractional, so tests can run an hour of load in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from stackworks.domain.entities import Instance
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import InstanceStatus, ScalingType

DISABLED = -1.0
METRICS = ("cpu", "memory", "load")  # threshold names; `load` is the sample's load1
#: a sample older than this says nothing about the layer's current load
SAMPLE_MAX_AGE = timedelta(minutes=2)


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class Thresholds:
    """One direction's thresholds (OpsWorks' AutoScalingThresholds)."""

    instance_count: int = 1
    thresholds_wait_time: float = 5.0  # minutes over (under) a threshold before acting
    ignore_metrics_time: float = 5.0  # minutes metrics are ignored after this step acted
    cpu_threshold: float = DISABLED  # percent
    memory_threshold: float = DISABLED  # percent
    load_threshold: float = DISABLED  # load1

    def enabled(self) -> dict[str, float]:
        """The thresholds in force, by metric name."""
        values = {
            "cpu": self.cpu_threshold,
            "memory": self.memory_threshold,
            "load": self.load_threshold,
        }
        return {name: value for name, value in values.items() if value != DISABLED}


@dataclass(frozen=True)
class LoadScalingConfig:
    """A layer's load-based scaling (OpsWorks' LoadBasedAutoScalingConfiguration)."""

    enable: bool = False
    up: Thresholds = field(default_factory=Thresholds)
    down: Thresholds = field(
        default_factory=lambda: Thresholds(thresholds_wait_time=10.0, ignore_metrics_time=10.0)
    )


def validate_thresholds(thresholds: Thresholds, *, field_prefix: str) -> Thresholds:
    """The thresholds if each value is in range; InvalidInput names the first that is not."""
    if thresholds.instance_count < 1:
        raise InvalidInput("at least 1 instance per step", field=f"{field_prefix}.instance_count")
    for name in ("thresholds_wait_time", "ignore_metrics_time"):
        minutes = getattr(thresholds, name)
        if not 0 <= minutes <= 100:
            raise InvalidInput(f"{minutes}: minutes from 0 to 100", field=f"{field_prefix}.{name}")
    for name, top in (
        ("cpu_threshold", 100.0),
        ("memory_threshold", 100.0),
        ("load_threshold", None),
    ):
        value = getattr(thresholds, name)
        if value == DISABLED:
            continue
        if value < 0 or (top is not None and value > top):
            limit = f"0 to {top:g}" if top is not None else "0 or more"
            raise InvalidInput(
                f"{value}: {limit}, or -1 to disable", field=f"{field_prefix}.{name}"
            )
    return thresholds


@dataclass(frozen=True)
class Sample:
    """One heartbeat's metrics of one instance."""

    at: datetime
    cpu: float | None = None
    memory: float | None = None
    load1: float | None = None

    def value(self, metric: str) -> float | None:
        return self.load1 if metric == "load" else getattr(self, metric)


@dataclass(frozen=True)
class ScalingState:
    """What the decision remembers between passes (kept in the store, so restarts carry on)."""

    up_since: datetime | None = None  # since when an up threshold has been exceeded
    down_since: datetime | None = None  # since when every down threshold has been undershot
    last_action_at: datetime | None = None
    last_action: Direction | None = None


@dataclass(frozen=True)
class Decision:
    """The instances to start and stop, why, and the state to keep for the next pass."""

    state: ScalingState
    start: tuple[Instance, ...] = ()
    stop: tuple[Instance, ...] = ()
    reason: str = ""
    averages: Mapping[str, float] = field(default_factory=dict)

    @property
    def acts(self) -> bool:
        return bool(self.start or self.stop)


def layer_averages(
    samples_by_instance: Mapping[str, Iterable[Sample]], online: Iterable[Instance], now: datetime
) -> dict[str, float]:
    """Each metric's average over the online instances' latest fresh sample (missing: none)."""
    values: dict[str, list[float]] = {metric: [] for metric in METRICS}
    for instance in online:
        fresh = [
            s
            for s in samples_by_instance.get(instance.id, ())
            if now - SAMPLE_MAX_AGE <= s.at <= now
        ]
        if not fresh:
            continue
        latest = max(fresh, key=lambda s: s.at)
        for metric in METRICS:
            value = latest.value(metric)
            if value is not None:
                values[metric].append(value)
    return {metric: sum(v) / len(v) for metric, v in values.items() if v}


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60.0


def load_decision(
    config: LoadScalingConfig,
    state: ScalingState,
    samples_by_instance: Mapping[str, Iterable[Sample]],
    instances: Iterable[Instance],
    now: datetime,
) -> Decision:
    """What one layer's load asks for at `now`; `instances` are the layer's instances."""
    members = list(instances)
    if not config.enable:
        return Decision(
            ScalingState(last_action_at=state.last_action_at, last_action=state.last_action)
        )
    if state.last_action_at is not None and state.last_action is not None:
        step = config.up if state.last_action is Direction.UP else config.down
        if _minutes(now - state.last_action_at) < step.ignore_metrics_time:
            return Decision(
                replace(state, up_since=None, down_since=None), reason="ignoring metrics"
            )
    online = [i for i in members if i.status is InstanceStatus.ONLINE]
    averages = layer_averages(samples_by_instance, online, now)
    up_over = _crossed(config.up.enabled(), averages, above=True)
    down_under = _crossed(config.down.enabled(), averages, above=False)
    every_down_under = bool(config.down.enabled()) and len(down_under) == len(config.down.enabled())
    if up_over:
        stopped = [
            i
            for i in members
            if i.scaling is ScalingType.LOAD and i.status is InstanceStatus.STOPPED
        ]
        return _step(
            Direction.UP,
            config.up,
            replace(state, up_since=state.up_since or now, down_since=None),
            sorted(stopped, key=lambda i: i.hostname),
            _reason(up_over, averages, config.up, above=True),
            averages,
            now,
        )
    if every_down_under:
        online_load = [i for i in online if i.scaling is ScalingType.LOAD]
        return _step(
            Direction.DOWN,
            config.down,
            replace(state, up_since=None, down_since=state.down_since or now),
            sorted(online_load, key=lambda i: i.hostname, reverse=True),
            _reason(down_under, averages, config.down, above=False),
            averages,
            now,
        )
    return Decision(replace(state, up_since=None, down_since=None), averages=averages)


def _step(
    direction: Direction,
    step: Thresholds,
    waiting: ScalingState,
    candidates: list[Instance],
    reason: str,
    averages: Mapping[str, float],
    now: datetime,
) -> Decision:
    """Once the threshold has held for the wait time, the step on the first candidates."""
    since = waiting.up_since if direction is Direction.UP else waiting.down_since
    if since is None or _minutes(now - since) < step.thresholds_wait_time:
        return Decision(waiting, averages=averages)
    chosen = tuple(candidates[: step.instance_count])
    if not chosen:
        verb = "start" if direction is Direction.UP else "stop"
        status = "stopped" if direction is Direction.UP else "online"
        return Decision(
            waiting, reason=f"no {status} load-based instance to {verb}", averages=averages
        )
    acted = ScalingState(last_action_at=now, last_action=direction)
    if direction is Direction.UP:
        return Decision(acted, start=chosen, reason=reason, averages=averages)
    return Decision(acted, stop=chosen, reason=reason, averages=averages)


def _crossed(
    enabled: Mapping[str, float], averages: Mapping[str, float], *, above: bool
) -> list[str]:
    """The enabled thresholds the averages are beyond (above or below), in metric order."""
    crossed = []
    for metric, limit in enabled.items():
        value = averages.get(metric)
        if value is not None and (value > limit if above else value < limit):
            crossed.append(metric)
    return crossed


def _reason(
    metrics: list[str], averages: Mapping[str, float], step: Thresholds, *, above: bool
) -> str:
    sign = ">" if above else "<"
    limits = step.enabled()
    parts = ", ".join(f"{m} {averages[m]:.1f} {sign} {limits[m]:g}" for m in metrics)
    return f"layer average {parts} for {step.thresholds_wait_time:g} min"
