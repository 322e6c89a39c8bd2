"""Layers' load-based scaling configurations, and their decision state, in the store."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain.entities import Layer
from stackworks.domain.load_scaling import Direction, LoadScalingConfig, ScalingState, Thresholds
from stackworks.store import layers as layer_store
from stackworks.store.tables import LayerLoadScalingRow, LayerRow, utcnow

_THRESHOLD_FIELDS = {f.name for f in fields(Thresholds)}


def _thresholds(data: dict[str, Any], default: Thresholds) -> Thresholds:
    known = {k: v for k, v in (data or {}).items() if k in _THRESHOLD_FIELDS}
    return Thresholds(**{**asdict(default), **known})


def _config(row: LayerLoadScalingRow) -> LoadScalingConfig:
    default = LoadScalingConfig()
    return LoadScalingConfig(
        enable=row.enable,
        up=_thresholds(row.up_scaling, default.up),
        down=_thresholds(row.down_scaling, default.down),
    )


def _state(row: LayerLoadScalingRow) -> ScalingState:
    return ScalingState(
        up_since=row.up_since,
        down_since=row.down_since,
        last_action_at=row.last_action_at,
        last_action=Direction(row.last_action) if row.last_action else None,
    )


def get(session: Session, layer_id: str) -> tuple[LoadScalingConfig, ScalingState]:
    """The layer's configuration (a layer never configured: disabled, defaults) and state."""
    row = session.get(LayerLoadScalingRow, layer_id)
    if row is None:
        return LoadScalingConfig(), ScalingState()
    return _config(row), _state(row)


def put(session: Session, layer: Layer, config: LoadScalingConfig) -> LoadScalingConfig:
    """Store a new configuration; the wait times start over (the thresholds may have moved)."""
    row = session.get(LayerLoadScalingRow, layer.id)
    if row is None:
        row = LayerLoadScalingRow(layer_id=layer.id, stack_id=layer.stack_id)
        session.add(row)
    row.enable = config.enable
    row.up_scaling = asdict(config.up)
    row.down_scaling = asdict(config.down)
    row.up_since = None
    row.down_since = None
    row.updated_at = utcnow()
    session.flush()
    return config


def save_state(session: Session, layer_id: str, state: ScalingState) -> None:
    row = session.get(LayerLoadScalingRow, layer_id)
    if row is None:
        return
    row.up_since = state.up_since
    row.down_since = state.down_since
    row.last_action_at = state.last_action_at
    row.last_action = state.last_action.value if state.last_action else None
    session.flush()


def enabled(session: Session) -> list[tuple[Layer, LoadScalingConfig, ScalingState]]:
    """Every stack's layers with load-based scaling enabled."""
    rows = session.execute(
        select(LayerRow, LayerLoadScalingRow)
        .join(LayerLoadScalingRow, LayerLoadScalingRow.layer_id == LayerRow.id)
        .where(LayerLoadScalingRow.enable.is_(True))
        .order_by(LayerRow.stack_id, LayerRow.shortname)
    )
    return [
        (layer_store.to_entity(session, layer), _config(row), _state(row)) for layer, row in rows
    ]
