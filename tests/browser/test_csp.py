"""The built web app works under its Content-Security-Policy (our own origin only, no inline
script or style): Chromium loads it from `tiendo serve`, logs in, and reports no violation."""

from __future__ import annotations

import re

from browser.helpers import login
from browser.server import DIST


def test_built_index_has_nothing_inline() -> None:
    html = (DIST / "index.html").read_text()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html and " style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None


def test_web_app_runs_under_its_content_security_policy(page) -> None:  # noqa: ANN001
    page.add_init_script("""
        window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));""")
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    login(page, "vanphong")
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m]
