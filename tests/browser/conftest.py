"""Browser tests: a real `tiendo serve` process on a fresh SQLite database with the demo, driven by
Debian's Chromium through Playwright. Never `playwright install`: Chromium comes from apt
(`make browser`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.server import DIST, REPO, Server, start, stop

CHROMIUM = os.environ.get("TIENDO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]



def pytest_collection_modifyitems(config, items) -> None:  # noqa: ANN001
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


def _build_web_app() -> None:
    if (DIST / "index.html").exists():
        return
    npm = shutil.which("npm")
    _require(npm is not None and (REPO / "frontend" / "node_modules").is_dir(),
             "frontend/dist is missing and cannot be built here: run `make web`")
    subprocess.run([npm, "run", "build"], cwd=REPO / "frontend", check=True, capture_output=True)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:  # noqa: ANN001
    _require(Path(CHROMIUM).exists(), f"{CHROMIUM} not found: run `make browser`")
    _build_web_app()
    srv = start(tmp_path_factory.mktemp("tiendo-browser"))
    yield srv
    stop(srv)




@pytest.fixture(scope="session")
def browser(server: Server):  # noqa: ANN201
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _new_page(browser, server: Server, width: int, height: int):  # noqa: ANN001, ANN202
    # A browser far from Hà Nội: the app must still show Hà Nội dates and times.
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height},
                                  locale="vi-VN", timezone_id="Europe/Paris",
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def page(browser, server: Server):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, server, 1280, 900)
    yield page
    context.close()
    assert page.js_errors == [], page.js_errors


@pytest.fixture
def phone(browser, server: Server):  # noqa: ANN001, ANN201
    context, page = _new_page(browser, server, 360, 740)
    yield page
    context.close()
    assert page.js_errors == [], page.js_errors
