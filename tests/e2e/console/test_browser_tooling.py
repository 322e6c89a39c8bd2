"""The browser tooling itself: Debian's Chromium under Playwright loads a page from loopback,
axe-core finds what is wrong with a page and nothing on a sound one, screenshots are kept."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from support.browser import axe_violations, blocking, chromium_context, screenshot
from support.http_files import serve

pytestmark = pytest.mark.browser

SOUND = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sound</title></head>
<body><main><h1>A sound page</h1><p>Plain text on white.</p>
<img src="/dot.svg" alt="a dot"></main></body></html>"""
BROKEN = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Broken</title></head>
<body><main><h1>A broken page</h1><img src="/dot.svg">
<button></button></main></body></html>"""
DOT = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle r="2"/></svg>'


def test_chromium_loads_a_loopback_page_and_axe_tells_a_broken_page_from_a_sound_one() -> None:
    with serve() as served, chromium_context() as context:
        served.files.update({"/sound.html": SOUND, "/broken.html": BROKEN, "/dot.svg": DOT})
        requested: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        page = context.new_page()

        page.goto(f"{served.url}/sound.html")
        assert page.locator("h1").inner_text() == "A sound page"
        assert blocking(axe_violations(page)) == []
        assert screenshot(page, "tooling-sound").stat().st_size > 0

        page.goto(f"{served.url}/broken.html")
        found = {v.rule: v for v in blocking(axe_violations(page))}
        assert {"image-alt", "button-name"} <= set(found)
        assert found["image-alt"].targets == ("img",)
        assert "image-alt (critical)" in str(found["image-alt"])

    assert requested and all(urlsplit(url).hostname == "127.0.0.1" for url in requested)
