"""`stackworks address register|list|show|rename|associate|disassociate|deregister`: a stack's
stable addresses (OpsWorks' Elastic IPs), each on at most one instance."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.runtime import runtime
from stackworks.wire.schemas import AddressAssociate, AddressRegister, AddressUpdate

app = typer.Typer(help="Addresses (Elastic IPs): stable addresses that move between instances.")

Json = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
Instance = Annotated[str, typer.Option("--instance", help="the instance's hostname")]


@app.command("register")
def register(
    ctx: typer.Context,
    stack: str,
    name: str,
    instance: Annotated[
        str | None, typer.Option("--instance", help="associate it with this instance at once")
    ] = None,
    as_json: Json = False,
) -> None:
    """Register a new address with a stack (local: a loopback address reserved for it)."""
    rt = runtime(ctx)
    address = rt.client.register_address(stack, AddressRegister(name=name, instance=instance))
    if as_json:
        rt.output.json(address)
    else:
        where = f" on {address.instance}" if address.instance else ""
        rt.output.line(f"Registered address {address.name} ({address.ip}){where}.")


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's addresses."""
    rt = runtime(ctx)
    found = rt.client.list_addresses(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["name", "address", "instance", "registered"],
        [(a.name, a.ip, a.instance, a.created_at) for a in found],
    )


@app.command("show")
def show(ctx: typer.Context, stack: str, name: str, as_json: Json = False) -> None:
    """Show one address (by name or by the address itself)."""
    rt = runtime(ctx)
    a = rt.client.get_address(stack, name)
    if as_json:
        rt.output.json(a)
        return
    rt.output.fields(
        f"address {a.name}",
        [("id", a.id), ("address", a.ip), ("instance", a.instance), ("registered", a.created_at)],
    )


@app.command("rename")
def rename(ctx: typer.Context, stack: str, name: str, new_name: str, as_json: Json = False) -> None:
    """Give an address a new name."""
    rt = runtime(ctx)
    address = rt.client.update_address(stack, name, AddressUpdate(name=new_name))
    if as_json:
        rt.output.json(address)
    else:
        rt.output.line(f"Renamed address {name} to {address.name}.")


@app.command("associate")
def associate(
    ctx: typer.Context, stack: str, name: str, instance: Instance, as_json: Json = False
) -> None:
    """Move an address to an instance; every online instance is reconfigured."""
    rt = runtime(ctx)
    address = rt.client.associate_address(stack, name, AddressAssociate(instance=instance))
    if as_json:
        rt.output.json(address)
    else:
        rt.output.line(f"Address {address.name} ({address.ip}) is now on {address.instance}.")


@app.command("disassociate")
def disassociate(ctx: typer.Context, stack: str, name: str, as_json: Json = False) -> None:
    """Take an address off its instance; it stays registered with the stack."""
    rt = runtime(ctx)
    address = rt.client.disassociate_address(stack, name)
    if as_json:
        rt.output.json(address)
    else:
        rt.output.line(f"Address {address.name} ({address.ip}) is on no instance.")


@app.command("deregister")
def deregister(ctx: typer.Context, stack: str, name: str) -> None:
    """Disassociate an address and give it back."""
    rt = runtime(ctx)
    rt.client.deregister_address(stack, name)
    rt.output.line(f"Deregistered address {name}.")
