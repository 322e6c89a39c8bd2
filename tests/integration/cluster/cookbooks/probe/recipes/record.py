"""Write what this command carried (type, reason, online instances) to <var>/probe/<n>.json."""

from __future__ import annotations

import json
import time

from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    command = r.stack.command
    record = {
        "command_id": command["id"],
        "type": command["type"],
        "reason": command.get("reason", ""),
        "online": sorted(r.configuration["instances"]),
        "layers": {
            name: sorted(info["instances"]) for name, info in r.configuration["layers"].items()
        },
        "written_at": time.time(),
    }
    r.directory(f"{r.roots['var']}/probe")
    r.file(
        f"{r.roots['var']}/probe/{command['type']}-{command['id']}.json",
        content=json.dumps(record, indent=2, sort_keys=True),
    )
