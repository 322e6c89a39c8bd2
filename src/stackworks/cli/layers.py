"""`stackworks layer create|list|show|update|delete|ssh-default`: a stack's layers, by
shortname."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Output, joined
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import CustomJson, Json, compact
from stackworks.domain.status import LayerType
from stackworks.wire.schemas import LayerCreate, LayerOut, LayerUpdate

app = typer.Typer(help="Layers: what a set of instances is for, with its recipes and packages.")

Name = Annotated[str | None, typer.Option("--name", help="display name")]
Recipes = Annotated[
    list[str] | None,
    typer.Option(
        "--recipes",
        help="EVENT=cookbook::recipe[,...]; repeat to add more (same event appends)",
    ),
]
Packages = Annotated[str | None, typer.Option("--packages", help="comma-separated packages")]
ShutdownTimeout = Annotated[
    int | None, typer.Option("--shutdown-timeout", help="seconds shutdown recipes may take")
]


def recipes_text(recipes: dict[str, list[str]]) -> str:
    return joined(f"{event}: {', '.join(names)}" for event, names in recipes.items() if names)


def show_layer(output: Output, layer: LayerOut) -> None:
    output.fields(
        f"layer {layer.stack}/{layer.shortname}",
        [
            ("name", layer.name),
            ("type", layer.type.value),
            ("recipes", recipes_text(layer.recipes)),
            ("built-in recipes", recipes_text(layer.default_recipes)),
            ("packages", joined(layer.packages)),
            ("auto healing", layer.auto_healing),
            ("shutdown timeout", f"{layer.shutdown_timeout}s"),
            (
                "volumes",
                joined(
                    f"{v.mount_point} ({v.size} GiB"
                    + (
                        f", snapshot every {v.snapshot_every_hours} h, keep {v.snapshot_keep})"
                        if v.snapshot_every_hours
                        else ")"
                    )
                    for v in layer.volume_configurations
                ),
            ),
            ("custom json", compact(layer.custom_json)),
            ("created", layer.created_at),
        ],
    )


Volumes = Annotated[
    list[str] | None,
    typer.Option(
        "--volume",
        help="MOUNT[:SIZE[:EVERY_HOURS[:KEEP]]]: a volume per instance; repeat for more",
    ),
]


@app.command("create")
def create(
    ctx: typer.Context,
    stack: str,
    shortname: str,
    name: Name = None,
    layer_type: Annotated[LayerType, typer.Option("--type", help="layer type")] = LayerType.CUSTOM,
    recipes: Recipes = None,
    packages: Packages = None,
    custom_json: CustomJson = None,
    no_auto_healing: Annotated[
        bool, typer.Option("--no-auto-healing", help="do not restart lost instances")
    ] = False,
    shutdown_timeout: ShutdownTimeout = None,
    volumes: Volumes = None,
    as_json: Json = False,
) -> None:
    """Add a layer to a stack."""
    rt = runtime(ctx)
    fields: dict[str, object] = {"shortname": shortname, "type": layer_type}
    if name is not None:
        fields["name"] = name
    if recipes:
        fields["recipes"] = options.recipes("--recipes", recipes)
    if packages is not None:
        fields["packages"] = options.csv(packages)
    if custom_json is not None:
        fields["custom_json"] = options.json_object("--custom-json", custom_json)
    if no_auto_healing:
        fields["auto_healing"] = False
    if shutdown_timeout is not None:
        fields["shutdown_timeout"] = shutdown_timeout
    if volumes:
        fields["volume_configurations"] = options.volume_configurations("--volume", volumes)
    body = LayerCreate.model_validate(fields)
    layer = rt.client.create_layer(stack, body)
    if as_json:
        rt.output.json(layer)
    else:
        rt.output.line(f"Created layer {layer.shortname} ({layer.type.value}) in stack {stack}.")


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's layers."""
    rt = runtime(ctx)
    found = rt.client.list_layers(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["shortname", "name", "type", "recipes", "packages", "auto healing"],
        [
            (
                layer.shortname,
                layer.name,
                layer.type.value,
                recipes_text(layer.recipes),
                joined(layer.packages),
                layer.auto_healing,
            )
            for layer in found
        ],
    )


@app.command("show")
def show(ctx: typer.Context, stack: str, shortname: str, as_json: Json = False) -> None:
    """Show one layer, with the recipes its type brings."""
    rt = runtime(ctx)
    layer = rt.client.get_layer(stack, shortname)
    if as_json:
        rt.output.json(layer)
    else:
        show_layer(rt.output, layer)


@app.command("update")
def update(
    ctx: typer.Context,
    stack: str,
    shortname: str,
    name: Name = None,
    recipes: Recipes = None,
    packages: Packages = None,
    custom_json: CustomJson = None,
    auto_healing: Annotated[
        bool | None, typer.Option("--auto-healing/--no-auto-healing", show_default=False)
    ] = None,
    shutdown_timeout: ShutdownTimeout = None,
    volumes: Volumes = None,
    no_volumes: Annotated[
        bool, typer.Option("--no-volumes", help="remove every volume configuration")
    ] = False,
    as_json: Json = False,
) -> None:
    """Change a layer; --recipes, --packages, --custom-json and --volume replace the old
    values whole."""
    rt = runtime(ctx)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = name
    if recipes is not None:
        changes["recipes"] = options.recipes("--recipes", recipes)
    if packages is not None:
        changes["packages"] = options.csv(packages)
    if custom_json is not None:
        changes["custom_json"] = options.json_object("--custom-json", custom_json)
    if auto_healing is not None:
        changes["auto_healing"] = auto_healing
    if shutdown_timeout is not None:
        changes["shutdown_timeout"] = shutdown_timeout
    if volumes and no_volumes:
        raise UsageError("--no-volumes: give either --volume or --no-volumes")
    if volumes or no_volumes:
        changes["volume_configurations"] = options.volume_configurations("--volume", volumes or [])
    if not changes:
        raise UsageError("nothing to update: give at least one option (see --help)")
    layer = rt.client.update_layer(stack, shortname, LayerUpdate.model_validate(changes))
    if as_json:
        rt.output.json(layer)
    else:
        rt.output.line(f"Updated layer {layer.shortname} in stack {stack}.")


@app.command("delete")
def delete(ctx: typer.Context, stack: str, shortname: str) -> None:
    """Delete a layer no instance uses."""
    rt = runtime(ctx)
    rt.client.delete_layer(stack, shortname)
    rt.output.line(f"Deleted layer {shortname} from stack {stack}.")


@app.command("ssh-default")
def ssh_default(
    ctx: typer.Context,
    stack: str,
    shortname: str,
    ssh_key: Annotated[
        Path | None, typer.Option("--ssh-key", help="private key file the server keeps (sealed)")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="new instances are local again")] = False,
) -> None:
    """Make the layer's new instances default to provider ssh with this key (each still gives
    its --ssh-target), or --clear that default."""
    rt = runtime(ctx)
    if clear == (ssh_key is not None):
        raise UsageError("give either --ssh-key PATH or --clear")
    if ssh_key is None:
        rt.client.clear_layer_ssh_default(stack, shortname)
        rt.output.line(f"Layer {shortname}: new instances are local unless they ask for ssh.")
        return
    shown = rt.client.set_layer_ssh_default(stack, shortname, options.read_key_file(ssh_key))
    rt.output.line(
        f"Layer {shortname}: new instances default to ssh with key {shown.key_fingerprint}."
    )
