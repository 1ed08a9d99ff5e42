"""Issue 13, finding 9: /docs and /redoc come from the app itself (no CDN: this machine has no
internet, so a CDN page would stay blank) under a policy without inline scripts, and a person
can still log in with "Authorize" and try a call."""

from __future__ import annotations

from browser.server import PASSWORD

WATCH_CSP = """
    window.__csp = [];
    document.addEventListener('securitypolicyviolation',
        e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def test_swagger_ui_logs_in_and_tries_a_call(page, server) -> None:  # noqa: ANN001
    page.set_default_timeout(60_000)  # a 1.4 MB bundle on a busy machine: waiting, not a limit
    page.add_init_script(WATCH_CSP)
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((server.url, "data:", "blob:"))
            else elsewhere.append(r.url))
    response = page.goto("/docs")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.get_by_role("button", name="Authorize").first.click()
    form = page.locator(".auth-container").filter(has=page.locator("#oauth_username"))
    form.locator("#oauth_username").fill("vanphong")
    form.locator("#oauth_password").fill(PASSWORD)
    form.locator("button", has_text="Authorize").click()  # its name is "Apply credentials"
    page.locator(".modal-ux button", has_text="Logout").wait_for()  # the form says Authorized
    page.locator(".modal-ux button", has_text="Close").first.click()
    operation = page.locator("#operations-auth-auth-me")
    operation.locator(".opblock-summary").click()
    operation.locator("button", has_text="Try it out").click()
    operation.locator("button", has_text="Execute").click()
    live = operation.locator(".live-responses-table tr.response .response-col_status").first
    live.wait_for()
    assert live.inner_text().strip() == "200"
    assert "vanphong" in operation.locator(".live-responses-table").inner_text()
    assert page.evaluate("window.__csp") == []
    assert elsewhere == [] and page.js_errors == []


def test_redoc_renders_under_the_same_policy(page, server) -> None:  # noqa: ANN001
    page.set_default_timeout(60_000)
    page.add_init_script(WATCH_CSP)
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((server.url, "data:", "blob:"))
            else elsewhere.append(r.url))
    page.goto("/redoc")
    page.get_by_role("heading", name="Tiến Độ API").first.wait_for()
    page.get_by_text("Gửi nhiều báo cáo một lần").first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert elsewhere == [] and page.js_errors == []
