"""zeoserver::pack: zeopack the storage, on the layer's pack singleton only.

The singleton is the first online instance of the layer by hostname (seed 001's
`enable_pack`), so a layer of several ZEO servers packs once. `zeoserver.pack_days` of
history are kept. Nothing happens when `zeoserver.enable_pack` is false. Scheduling: run it
as an `execute_recipes` deployment; a periodic schedule plugs in here.
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
    me = str(r.stack.self.get("hostname"))
    layers = [name for name in (r.stack.self.get("layers") or ()) if name in r.stack.layers]
    zeo_layers = [n for n in layers if r.stack.layers[n].get("type") == "zeoserver"] or layers
    instances = dict(r.stack.layers[zeo_layers[0]].get("instances") or {}) if zeo_layers else {}
    singleton = config.pack_singleton(instances) if instances else me
    if singleton != me:
        r.log(f"zeoserver: {singleton} is the pack singleton of the layer; not packing here")
        return
    try:
        days = config.positive(s["pack_days"], "zeoserver.pack_days")
    except ValueError as error:
        r.fail(str(error))
        raise
    address = f"{r.stack.self.get('private_ip')}:{s['port']}"
    r.execute(
        f"zeopack {address} keeping {days} days",
        command=[declare.program(r, "zeopack"), "-d", str(days), address],
        timeout=3600,
    )
