"""Headless Chromium for the console's browser tests: Debian's /usr/bin/chromium driven by
Playwright, axe-core injected into pages, screenshots kept as test artifacts.

No browser is ever downloaded (`playwright install` is never run): Playwright gets Debian's
binary through `executable_path`. Chromium is launched with everything that would reach out to
the network switched off, and with a fresh profile directory of its own, so a run talks to
loopback only and leaves nothing behind but its screenshots.

A tool missing at test time fails the test, naming the install step: a browser test that
skips would pass in CI without having shown anything.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM = Path(os.environ.get("STACKWORKS_CHROMIUM", "/usr/bin/chromium"))
#: gitignored (build/): where screenshots of a run are kept
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts" / "console"
#: what axe-core reports that fails a test; "moderate" and "minor" are printed only
BLOCKING_IMPACTS = ("serious", "critical")

#: Chromium without anything that phones home: no QUIC, sync, component or field-trial fetches
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
)

_INSTALL = (
    "run scripts/bootstrap "
    "(as root: apt-get install chromium chromium-driver; .venv/bin/pip install -e '.[dev]')"
)


class BrowserToolMissing(Exception):
    """A tool the browser tests need is not installed; the message names the install step."""


def require_tools(chromium: Path = CHROMIUM) -> None:
    """Raise `BrowserToolMissing` unless Chromium, Playwright and axe-core are all there."""
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        raise BrowserToolMissing(
            f"no Chromium at {chromium}: {_INSTALL} (Debian package `chromium`)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as missing:
        raise BrowserToolMissing(
            f"Playwright for Python does not import ({missing}): {_INSTALL} (PyPI `playwright`)"
        ) from missing
    axe_source()


def axe_source() -> str:
    """axe-core's script, as the PyPI package axe-playwright-python ships it."""
    try:
        script = importlib.resources.files("axe_playwright_python").joinpath("axe.min.js")
        return script.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as missing:
        raise BrowserToolMissing(
            f"axe-core's axe.min.js not found ({missing}): {_INSTALL} "
            "(PyPI `axe-playwright-python`)"
        ) from missing


def fail_without_tools() -> None:
    """`require_tools` as a pytest failure (never a skip)."""
    try:
        require_tools()
    except BrowserToolMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@contextlib.contextmanager
def chromium_context(viewport: tuple[int, int] = (1280, 900)) -> Iterator[BrowserContext]:
    """A Playwright browser context on Debian's Chromium with a fresh profile directory.

    Leaving the block closes the browser and Playwright's driver (both children of this
    process) and removes the profile.
    """
    fail_without_tools()
    from playwright.sync_api import sync_playwright

    profile = Path(tempfile.mkdtemp(prefix="stackworks-chromium-"))
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(profile),
                executable_path=str(CHROMIUM),
                headless=True,
                args=list(CHROMIUM_ARGS),
                viewport={"width": viewport[0], "height": viewport[1]},
                service_workers="block",
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@dataclass(frozen=True)
class Violation:
    """One axe-core rule a page breaks: its id, impact, help text and the elements' selectors."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help} -- at {', '.join(self.targets)}"


def axe_violations(page: Page) -> list[Violation]:
    """Run axe-core on the page as it is now (WCAG 2.x A and AA rules and best practices)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                rule: v.id, impact: v.impact || "unknown", help: v.help,
                targets: v.nodes.map(n => n.target.join(" "))
            }));
        }"""
    )
    return [Violation(v["rule"], v["impact"], v["help"], tuple(v["targets"])) for v in found]


def blocking(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.impact in BLOCKING_IMPACTS]


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core violation on the page; lesser ones are printed."""
    violations = axe_violations(page)
    for violation in violations:
        if violation.impact not in BLOCKING_IMPACTS:
            print(f"axe, {name}: {violation}")
    bad = blocking(violations)
    assert not bad, f"axe-core on {name} ({page.url}):\n" + "\n".join(f"  {v}" for v in bad)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page under build/test-artifacts/console/ and print where it is."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path
