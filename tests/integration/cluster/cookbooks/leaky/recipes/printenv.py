"""Print each app's environment and the `leaky` attributes; keep a copy in the instance."""

from __future__ import annotations

import json

from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    configuration = r.configuration.to_dict()
    seen: dict[str, object] = {"attributes": configuration["attributes"].get("leaky", {})}
    r.log(f"leaky attributes: {json.dumps(seen['attributes'])}")
    for name, app in configuration["apps"].items():
        environment = {str(k): str(v) for k, v in app["environment"].items()}
        seen[name] = environment
        r.execute(f"env of {name}", ["/usr/bin/env"], env=environment)
    r.directory(f"{r.roots['var']}/leaky")
    r.file(f"{r.roots['var']}/leaky/seen.json", content=json.dumps(seen, sort_keys=True))
