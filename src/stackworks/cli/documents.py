"""`stackworks apply FILE.yaml` and `stackworks export STACK`: a whole stack as one document.

`apply` checks the file locally first (YAML syntax and bounds: no exponential aliases, see
safe_yaml.py; then the StackDocument schema) so a mistake is reported with the file, line or
field path before anything is sent; the server then creates or
updates the stack in one transaction. `export` prints the same shape back, and applying it again
changes nothing.
"""

from __future__ import annotations

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


def export(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """Print a stack as the YAML document `apply` takes (secure values stay masked)."""
    rt = runtime(ctx)
    document = rt.client.get_document(stack)
    if as_json:
        rt.output.json(document)
    else:
        typer.echo(dump_document(document), nl=False)
