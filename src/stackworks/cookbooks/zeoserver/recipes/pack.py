"""zeoserver::pack: zeopack the storage, on the layer's pack singleton only.

The singleton is the first online instance of the layer by hostname (seed 001's
`enable_pack`), so a layer of several ZEO servers packs once. `zeoserver.pack_days` of
history are kept. Nothing happens when `zeoserver.enable_pack` is false. zeoserver::configure
schedules the same pack at `zeoserver.pack_schedule` (weekly) on the singleton; this recipe
packs now (an `execute_recipes` deployment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import config, declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    s = declare.settings(r)
    if not s["enable_pack"]:
        r.log("zeoserver.enable_pack is false: no pack")
        return
    singleton = declare.pack_singleton(r)
    if singleton != r.stack.self.get("hostname"):
        r.log(f"zeoserver: {singleton} is the pack singleton of the layer; not packing here")
        return
    try:
        days = config.positive(s["pack_days"], "zeoserver.pack_days")
    except ValueError as error:
        r.fail(str(error))
        raise
    r.execute(
        f"zeopack {declare.address(r)} keeping {days} days",
        command=declare.pack_command(r, days),
        timeout=3600,
    )
