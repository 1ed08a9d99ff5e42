"""The API docs, served by the app itself: Swagger UI at /docs ("Authorize" logs a person in
and "Try it out" calls the API) and ReDoc at /redoc. Their files come from pinned npm packages
copied into the web app's build (`frontend/scripts/vendor-docs.mjs`), served from
/docs-assets/; the pages hold no inline script, so their Content-Security-Policy allows
scripts from this origin only (tiendo.core.security_headers)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>{head}</head><body>{body}"
        "<noscript>Trang tài liệu API cần JavaScript.</noscript></body></html>",
        headers={"Cache-Control": "no-cache"})


def install_docs(app: FastAPI, static_dir: Path) -> None:
    """Call with FastAPI(docs_url=None, redoc_url=None). Without a built web app the pages
    still answer, and say how to build the files they need."""
    assets = static_dir / "docs"
    if (assets / "swagger-ui-bundle.js").is_file():
        app.mount(ASSETS, StaticFiles(directory=assets), name="docs-assets")
        missing = ""
    else:
        missing = "<p>Chưa có tệp của trang tài liệu: chạy <code>make web</code>.</p>"
    title = app.title

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(f"{title} — Swagger UI",
                     f'<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">',
                     f'{missing}<div id="swagger-ui"></div>'
                     f'<script src="{ASSETS}/swagger-ui-bundle.js"></script>'
                     f'<script src="{ASSETS}/swagger-init.js"></script>')

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(f"{title} — ReDoc", "",
                     f'{missing}<div id="redoc"></div>'
                     f'<script src="{ASSETS}/redoc.standalone.js"></script>'
                     f'<script src="{ASSETS}/redoc-init.js"></script>')
