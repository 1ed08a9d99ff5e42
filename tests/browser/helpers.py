"""What the browser tests do again and again, as a user would."""

from __future__ import annotations

from browser.server import PASSWORD, REPO

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"


def login(page, username: str, password: str = PASSWORD) -> None:  # noqa: ANN001
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("heading", name="Tổng quan", level=1).wait_for()


def shoot(page, name: str) -> None:  # noqa: ANN001
    """Every run keeps a screenshot of each main page (test-artifacts/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    width = page.viewport_size["width"]
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)


def api_get(page, path: str) -> tuple[int, object]:  # noqa: ANN001
    """Call the API with the logged-in user's own token, as the page would."""
    token = page.evaluate("() => localStorage.getItem('tiendo.token')")
    r = page.request.get(path, headers={"Authorization": f"Bearer {token}"})
    return r.status, r.json()
