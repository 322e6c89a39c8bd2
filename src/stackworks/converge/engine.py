"""The converge run: load each recipe of the run list, let it declare, then converge what it
declared, in order; notifications last.

Each run-list entry is declared and then converged before the next one is declared, so a
recipe may look at what earlier recipes put on disk (a deploy reads the releases setup made).
Delayed notifications run once each at the end of the run, in the order first notified; an
immediate one runs right after its notifier. The first failure stops the run (unless the
resource has `ignore_failure`); delayed notifications do not run after a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from stackworks.converge import cookbooks
from stackworks.converge.context import Context
from stackworks.converge.recipe import Recipe
from stackworks.converge.report import ResourceReport, RunReport, Status
from stackworks.converge.resource import ConvergeError, Guard, Resource
from stackworks.converge.resources.service import Service, started_key
from stackworks.converge.runner import LocalRunner, Runner
from stackworks.converge.views import Node, StackView
from stackworks.domain.attributes import deep_merge


class _Stop(Exception):
    """The run failed; the report already says why."""


class Engine:
    def __init__(
        self,
        configuration: Mapping[str, Any],
        cookbook_paths: Sequence[Path],
        *,
        dry_run: bool,
        log: Callable[[str], None],
        runner: Runner,
    ) -> None:
        self.configuration = configuration
        self.paths = [Path(p) for p in cookbook_paths]
        self.log = log
        self.report = RunReport(dry_run=dry_run)
        self.defaults: dict[str, dict[str, Any]] = {}
        self.cookbook_dirs: dict[str, Path] = {}
        self.recipe_files: list[Path] = []
        self.seen: set[str] = set()
        self.pending: list[Resource] = []
        self.delayed: dict[tuple[int, str], tuple[Resource, int]] = {}
        stackworks = configuration.get("stackworks") or {}
        self.ctx = Context(
            runner=runner,
            log=log,
            dry_run=dry_run,
            roots=dict((configuration.get("self") or {}).get("roots") or {}),
            service_manager=str(stackworks.get("service_manager", "supervisor")),
            node=Node({}),
            stack=StackView(configuration),
            cookbook_dirs=self.cookbook_dirs,
        )

    # -- cookbooks and node --------------------------------------------------------------

    def cookbook(self, name: str) -> Path:
        if name not in self.cookbook_dirs:
            found = cookbooks.find_cookbook(name, self.paths)
            self.cookbook_dirs[name] = found
            self.defaults[name] = cookbooks.load_defaults(found)
            merged = deep_merge(*self.defaults.values(), self.configuration.get("attributes") or {})
            self.ctx.node = Node(merged)
        return self.cookbook_dirs[name]

    # -- declaring (the Declarer the recipe context talks to) ----------------------------

    def add(self, resource: Resource) -> None:
        self.pending.append(resource)

    def include(self, name: str) -> None:
        cookbook, recipe = cookbooks.parse_recipe_name(name)
        if f"{cookbook}::{recipe}" in self.seen:
            return
        self.seen.add(f"{cookbook}::{recipe}")
        function, path = cookbooks.load_recipe(self.cookbook(cookbook), recipe)
        self.recipe_files.append(path)
        context = Recipe(
            f"{cookbook}::{recipe}",
            cookbook_dir=self.cookbook_dirs[cookbook],
            node=self.ctx.node,
            stack=self.ctx.stack,
            configuration=self.configuration,
            log=self.log,
            declarer=self,
        )
        function(context)

    def declare(self, name: str) -> list[Resource]:
        self.pending = []
        try:
            self.include(name)
        except ConvergeError as error:
            message = f"{name}: {error}" if name not in str(error) else str(error)
            where = cookbooks.error_location(error, self.recipe_files)
            self.fail(f"{message} (at {where})" if where and where not in message else message)
        except Exception as error:  # a recipe bug is a failed run, not a crash
            where = cookbooks.error_location(error, self.recipe_files) or name
            self.fail(f"{name} failed at {where}: {type(error).__name__}: {error}")
        return self.pending

    # -- converging ------------------------------------------------------------------------

    def run(self, run_list: Sequence[str]) -> RunReport:
        started = time.monotonic()
        try:
            for name in run_list:
                cookbook, _ = cookbooks.parse_recipe_name(name)
                self.cookbook(cookbook)
            for name in run_list:
                cookbook, recipe = cookbooks.parse_recipe_name(name)
                if f"{cookbook}::{recipe}" in self.seen:
                    continue
                self.log(f"Recipe: {name}")
                for resource in self.declare(name):
                    self.converge(resource)
            self.run_delayed()
        except ConvergeError as error:
            self.report.ok = False
            self.report.error = str(error)
            self.log(f"error: {error}")
        except _Stop:
            pass
        self.report.duration = time.monotonic() - started
        return self.report

    def run_delayed(self) -> None:
        while self.delayed:
            queued = list(self.delayed.values())
            self.delayed.clear()
            for target, notified_at in queued:
                self.converge(target, notified_at=notified_at)

    def converge(self, resource: Resource, *, notified_at: int | None = None) -> None:
        ctx = self.ctx
        ctx.clock += 1
        started = time.monotonic()
        row = ResourceReport(
            recipe=resource.declared.recipe,
            kind=resource.kind,
            name=resource.name,
            status="unchanged",
            file=resource.declared.file,
            line=resource.declared.line,
        )
        label = f"{resource}" + (f" ({resource.action[0]}, notified)" if notified_at else "")
        try:
            skip = self.guard_says_skip(resource)
            if skip:
                self.finish(row, "skipped", skip, started)
                self.log(f"* {label} skipped ({skip})")
                return
            if notified_at is not None and self.already_restarted(resource, notified_at):
                reason = "already (re)started after the notification"
                self.finish(row, "unchanged", reason, started)
                self.log(f"* {label} unchanged ({reason})")
                return
            plan = resource.check(ctx)
            if not plan.changed:
                self.finish(row, "unchanged", plan.summary, started)
                self.log(f"* {label} unchanged ({plan.summary})")
                return
            row.diff = plan.diff
            if ctx.dry_run:
                self.finish(row, "would_change", plan.summary, started)
                self.log(f"* {label}")
                self.log(f"  - would change: {plan.summary}")
                self.log_diff(plan.diff)
                for note in resource.notifications:
                    self.log(f"  - would notify {note.target} to {note.action} ({note.timing})")
                return
            resource.apply(ctx, plan)
            self.finish(row, "changed", plan.summary, started)
            self.log(f"* {label} changed ({plan.summary})")
            self.log_diff(plan.diff)
        except Exception as error:  # every failure lands in the report
            message = (
                str(error)
                if isinstance(error, ConvergeError)
                else (f"{resource}: {type(error).__name__}: {error}")
            )
            self.finish(row, "failed", message, started)
            self.log(f"* {label} FAILED")
            for line in message.splitlines():
                self.log(f"    {line}")
            if resource.ignore_failure:
                self.log("    (ignore_failure: the run goes on)")
                return
            self.fail(f"{message} (declared in {resource.declared.recipe} at {resource.declared})")
        self.notify(resource)

    def notify(self, resource: Resource) -> None:
        for note in resource.notifications:
            target = note.target.with_action(note.action)
            if note.timing == "immediately":
                self.converge(target, notified_at=self.ctx.clock)
            else:
                key = (id(note.target), note.action)
                if key in self.delayed:
                    self.delayed[key] = (self.delayed[key][0], self.ctx.clock)
                else:
                    self.delayed[key] = (target, self.ctx.clock)

    def already_restarted(self, resource: Resource, notified_at: int) -> bool:
        """A restart or reload notified before the service last (re)started is redundant."""
        if not isinstance(resource, Service) or resource.action[0] not in ("restart", "reload"):
            return False
        return int(self.ctx.facts.get(started_key(resource.name), -1)) > notified_at

    def guard_says_skip(self, resource: Resource) -> str | None:
        if resource.only_if is not None and not self.guard(resource.only_if):
            return "only_if is false"
        if resource.not_if is not None and self.guard(resource.not_if):
            return "not_if is true"
        return None

    def guard(self, guard: Guard) -> bool:
        if callable(guard):
            return bool(guard())
        return self.ctx.run([str(a) for a in guard]).ok

    def finish(self, row: ResourceReport, status: Status, message: str, started: float) -> None:
        row.status = status
        row.message = message
        row.duration = round(time.monotonic() - started, 4)
        self.report.resources.append(row)

    def log_diff(self, diff: str) -> None:
        for line in diff.splitlines():
            self.log(f"    {line}")

    def fail(self, message: str) -> None:
        self.report.ok = False
        self.report.error = message
        self.log(f"error: {message}")
        raise _Stop(message)


def run_recipes(
    run_list: Sequence[str],
    configuration: dict[str, Any],
    *,
    cookbook_paths: Sequence[Path],
    dry_run: bool = False,
    log: Callable[[str], None] = print,
    runner: Runner | None = None,
) -> RunReport:
    """Converge this instance to what the run list's recipes declare; never raises for a
    recipe's or resource's failure: the report says what failed and where it was declared."""
    engine = Engine(
        configuration,
        cookbook_paths,
        dry_run=dry_run,
        log=log,
        runner=runner or LocalRunner(),
    )
    return engine.run(run_list)
