"""`stackworks apply FILE.yaml` and `stackworks export STACK`: a whole stack as one document.

`apply` checks the file locally first (YAML syntax and bounds: no exponential aliases, see
safe_yaml.py; then the StackDocument schema) so a mistake is reported with the file, line or
field path before anything is sent; the server then creates or
updates the stack in one transaction. `export` prints the same shape back, and applying it again
changes nothing. Secrets export as *****FILTERED*****; `--with-secrets` (a server admin) writes
them in clear, and only to a file of mode 0600, never to the terminal. `stack clone` is export
and apply under a new name, in memory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import ValidationError

from stackworks import safe_yaml
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Output
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json
from stackworks.wire.schemas import ApplyResult, StackDocument


def field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def load_document(path: Path) -> StackDocument:
    """The file as a StackDocument, or a UsageError naming the file and line, or the field."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data: Any = safe_yaml.load(text)
    except safe_yaml.YamlRefused as exc:
        raise UsageError(f"{exc.where(str(path))}: {exc.message}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with the stack's name, layers, apps, ...")
    try:
        return StackDocument.model_validate(data)
    except ValidationError as exc:
        problems = [f"{field_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise UsageError(f"{path}: " + "; ".join(problems)) from None


def dump_document(document: StackDocument) -> str:
    data = document.model_dump(mode="json")
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def show_result(output: Output, result: ApplyResult) -> None:
    for warning in result.warnings:
        output.line(f"warning   {warning}")
    for label, names in (
        ("created", result.created),
        ("updated", result.updated),
        ("unchanged", result.unchanged),
    ):
        for name in names:
            output.line(f"{label:9} {name}")
    output.line(
        f"stack {result.stack}: {len(result.created)} created, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged"
    )


def apply(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE.yaml", help="a stack document")],
    as_json: Json = False,
) -> None:
    """Create or update a whole stack (layers, apps, instances) from a YAML document."""
    rt = runtime(ctx)
    document = load_document(file)
    result = rt.client.put_document(document)
    if as_json:
        rt.output.json(result)
    else:
        show_result(rt.output, result)


WithSecrets = Annotated[
    bool,
    typer.Option(
        "--with-secrets", help="carry secure values in clear (a server admin; needs --output)"
    ),
]


def export(
    ctx: typer.Context,
    stack: str,
    as_json: Json = False,
    with_secrets: WithSecrets = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write to FILE (mode 0600)")
    ] = None,
) -> None:
    """Print a stack as the YAML document `apply` takes (secure values stay masked)."""
    rt = runtime(ctx)
    if with_secrets and output is None:
        raise UsageError("--with-secrets: give --output FILE; secrets are not printed")
    document = rt.client.get_document(stack, with_secrets=with_secrets)
    text = document.model_dump_json(indent=2) + "\n" if as_json else dump_document(document)
    if output is None:
        typer.echo(text, nl=False)
        return
    write_private(output, text)
    rt.output.line(f"stack {stack} written to {output} (mode 0600)")


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, replacing any file there."""
    try:
        if path.exists():
            path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"--output: {path}: {exc.strerror}") from None


def clone(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="the stack to copy")],
    name: Annotated[str, typer.Argument(help="the new stack's name")],
    with_secrets: Annotated[
        bool,
        typer.Option("--with-secrets", help="copy secure values too (a server admin)"),
    ] = False,
    as_json: Json = False,
) -> None:
    """Copy a stack's layers, apps, databases and instances (stopped) under a new name;
    without --with-secrets its secure values are left unset, each one a warning."""
    rt = runtime(ctx)
    document = rt.client.get_document(source, with_secrets=with_secrets)
    result = rt.client.put_document(document.model_copy(update={"name": name}))
    if as_json:
        rt.output.json(result)
    else:
        show_result(rt.output, result)
