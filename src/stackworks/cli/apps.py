"""`stackworks app create|list|show|update|delete`: the apps a stack deploys.

Secure environment values go to the server and nowhere else: the API answers them masked, and
the CLI never prints what was typed after `--secure-env KEY=`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Output, joined
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json
from stackworks.domain.status import SourceType
from stackworks.wire.schemas import AppCreate, AppOut, AppSourceIn, AppUpdate, EnvironmentVariableIn

app = typer.Typer(help="Apps: code from a git repository or an archive, deployed to layers.")

Git = Annotated[str | None, typer.Option("--git", help="git repository URL")]
Archive = Annotated[str | None, typer.Option("--archive", help="archive URL (.tar.gz, .zip)")]
Revision = Annotated[str | None, typer.Option("--revision", help="branch, tag or commit")]
Layers = Annotated[str | None, typer.Option("--layers", help="comma-separated layer shortnames")]
Env = Annotated[list[str] | None, typer.Option("--env", help="KEY=VALUE; repeat for more")]
DataSource = Annotated[
    str | None,
    typer.Option("--data-source", help="a registered database: DATABASE_URL in the app's env"),
]
SecureEnv = Annotated[
    list[str] | None,
    typer.Option("--secure-env", help="KEY=VALUE kept secret (never shown back); repeat"),
]
Domains = Annotated[str | None, typer.Option("--domains", help="comma-separated domains")]
Name = Annotated[str | None, typer.Option("--name", help="display name")]


def source_from(git: str | None, archive: str | None, revision: str | None) -> AppSourceIn | None:
    if git and archive:
        raise UsageError("give either --git or --archive, not both")
    if git:
        return AppSourceIn(type=SourceType.GIT, url=git, revision=revision or "HEAD")
    if archive:
        return AppSourceIn(type=SourceType.ARCHIVE, url=archive, revision=revision or "HEAD")
    return None


def environment_from(
    env: list[str] | None, secure_env: list[str] | None
) -> list[EnvironmentVariableIn]:
    variables = options.environment("--env", env or [], secure=False)
    variables += options.environment("--secure-env", secure_env or [], secure=True)
    return variables


def env_text(variable: EnvironmentVariableIn) -> str:
    return f"{variable.key} (secure)" if variable.secure else f"{variable.key}={variable.value}"


def show_app(output: Output, found: AppOut) -> None:
    output.fields(
        f"app {found.stack}/{found.shortname}",
        [
            ("name", found.name),
            ("source", f"{found.source.type.value} {found.source.url}"),
            ("revision", found.source.revision),
            ("layers", joined(found.layers) if found.layers else "every python-app layer"),
            ("deploys to", joined(found.deploys_to)),
            ("domains", joined(found.domains)),
            ("environment", joined(env_text(v) for v in found.environment)),
            ("data source", joined(d.name for d in found.data_sources)),
            ("created", found.created_at),
        ],
    )


@app.command("create")
def create(
    ctx: typer.Context,
    stack: str,
    shortname: str,
    git: Git = None,
    revision: Revision = None,
    archive: Archive = None,
    layers: Layers = None,
    env: Env = None,
    secure_env: SecureEnv = None,
    domains: Domains = None,
    name: Name = None,
    data_source: DataSource = None,
    as_json: Json = False,
) -> None:
    """Add an app to a stack."""
    rt = runtime(ctx)
    source = source_from(git, archive, revision)
    if source is None:
        raise UsageError("give the app's code with --git URL or --archive URL")
    body = AppCreate(
        shortname=shortname,
        name=name,
        source=source,
        environment=environment_from(env, secure_env),
        layers=options.csv(layers),
        domains=options.csv(domains),
        data_sources=options.data_sources([data_source] if data_source else []),
    )
    created = rt.client.create_app(stack, body)
    if as_json:
        rt.output.json(created)
    else:
        rt.output.line(f"Created app {created.shortname} in stack {stack}.")


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's apps."""
    rt = runtime(ctx)
    found = rt.client.list_apps(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["shortname", "source", "revision", "deploys to", "domains"],
        [
            (a.shortname, a.source.url, a.source.revision, joined(a.deploys_to), joined(a.domains))
            for a in found
        ],
    )


@app.command("show")
def show(ctx: typer.Context, stack: str, shortname: str, as_json: Json = False) -> None:
    """Show one app (secure environment values stay hidden)."""
    rt = runtime(ctx)
    found = rt.client.get_app(stack, shortname)
    if as_json:
        rt.output.json(found)
    else:
        show_app(rt.output, found)


@app.command("update")
def update(
    ctx: typer.Context,
    stack: str,
    shortname: str,
    git: Git = None,
    revision: Revision = None,
    archive: Archive = None,
    layers: Layers = None,
    env: Env = None,
    secure_env: SecureEnv = None,
    unset_env: Annotated[
        list[str] | None, typer.Option("--unset-env", help="KEY to remove; repeat for more")
    ] = None,
    domains: Domains = None,
    name: Name = None,
    data_source: DataSource = None,
    no_data_source: Annotated[
        bool, typer.Option("--no-data-source", help="remove the app's data source")
    ] = False,
    as_json: Json = False,
) -> None:
    """Change an app. --env/--secure-env set or replace single keys, keeping the others."""
    rt = runtime(ctx)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = name
    if layers is not None:
        changes["layers"] = options.csv(layers)
    if domains is not None:
        changes["domains"] = options.csv(domains)
    if data_source and no_data_source:
        raise UsageError("--no-data-source: give either --data-source or --no-data-source")
    if data_source or no_data_source:
        changes["data_sources"] = options.data_sources([data_source] if data_source else [])
    source = source_from(git, archive, revision)
    given_env = environment_from(env, secure_env)
    current = None
    if (source is None and revision is not None) or given_env or unset_env:
        current = rt.client.get_app(stack, shortname)
    if source is None and revision is not None and current is not None:
        source = current.source.model_copy(update={"revision": revision})
    if source is not None:
        changes["source"] = source
    if current is not None and (given_env or unset_env):
        changes["environment"] = merged_environment(current.environment, given_env, unset_env or [])
    if not changes:
        raise UsageError("nothing to update: give at least one option (see --help)")
    updated = rt.client.update_app(stack, shortname, AppUpdate.model_validate(changes))
    if as_json:
        rt.output.json(updated)
    else:
        rt.output.line(f"Updated app {updated.shortname} in stack {stack}.")


def merged_environment(
    current: list[EnvironmentVariableIn],
    given: list[EnvironmentVariableIn],
    unset: list[str],
) -> list[EnvironmentVariableIn]:
    """The old variables (secure ones still masked, so the server keeps their values), with the
    given keys replaced or added and the unset ones dropped; order kept."""
    unknown = sorted(set(unset) - {v.key for v in current})
    if unknown:
        raise UsageError(f"--unset-env: the app has no variable {', '.join(unknown)}")
    replacing = {v.key: v for v in given}
    merged = [replacing.pop(v.key, v) for v in current if v.key not in unset]
    return merged + list(replacing.values())


@app.command("delete")
def delete(ctx: typer.Context, stack: str, shortname: str) -> None:
    """Delete an app."""
    rt = runtime(ctx)
    rt.client.delete_app(stack, shortname)
    rt.output.line(f"Deleted app {shortname} from stack {stack}.")
