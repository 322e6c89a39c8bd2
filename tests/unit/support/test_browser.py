"""The browser tests' tool check fails loudly, naming the install step, instead of skipping."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.browser import BrowserToolMissing, Violation, blocking, require_tools


def test_a_missing_chromium_names_the_package_and_the_bootstrap_step(tmp_path: Path) -> None:
    with pytest.raises(BrowserToolMissing) as missing:
        require_tools(tmp_path / "no-chromium")
    message = str(missing.value)
    assert str(tmp_path / "no-chromium") in message
    assert "scripts/bootstrap" in message and "apt-get install chromium" in message


def test_only_serious_and_critical_violations_block() -> None:
    found = [
        Violation("region", "moderate", "content in landmarks", ("p",)),
        Violation("color-contrast", "serious", "contrast", ("a.x", "a.y")),
        Violation("image-alt", "critical", "images need alt text", ("img",)),
    ]
    assert [v.rule for v in blocking(found)] == ["color-contrast", "image-alt"]
    assert str(found[1]) == "color-contrast (serious): contrast -- at a.x, a.y"
