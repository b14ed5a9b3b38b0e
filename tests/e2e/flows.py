"""What a person does in the app, as browser steps (Vietnamese labels, as shown on the screen)."""

import datetime
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import Taps
from tests.e2e.server import LiveServer

LOGIN_PATH = "/dang-nhap/"


def log_in(page: Page, server: LiveServer, username: str, password: str) -> None:
    """Logs in from the login page and waits for the page it leads to."""
    page.goto(server.url(LOGIN_PATH))
    sign_in(page, username, password)


def sign_in(page: Page, username: str, password: str) -> None:
    """Fills the login page the phone shows and waits for the page it leads to."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Đăng nhập").tap()
    expect(page).not_to_have_url(re.compile(re.escape(LOGIN_PATH)))


def tap(locator: Locator, *, taps: Taps | None) -> None:
    """Taps, counted when a tap counter is given."""
    if taps is None:
        locator.tap()
    else:
        taps.tap(locator)


def open_menu(page: Page, *, taps: Taps | None = None) -> None:
    """Opens the menu unless it is open already."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        tap(menu.locator(":scope > summary"), taps=taps)
    expect(menu).to_have_attribute("open", "")


def menu_link(page: Page, name: str, *, taps: Taps | None = None) -> Locator:
    """The menu's link to a page, shown: opens the menu, and "Thêm" when the link is folded in it."""
    open_menu(page, taps=taps)
    link = page.locator("details.menu nav").get_by_role("link", name=name, exact=True)
    more = page.locator("details.menu details.more")
    if not link.is_visible() and more.get_attribute("open") is None:
        tap(more.locator("summary"), taps=taps)
    expect(link).to_be_visible()
    return link


def log_out(page: Page, *, taps: Taps | None = None) -> None:
    """Logs out with the "Đăng xuất" button, opening the menu first when the button is folded inside it."""
    button = page.get_by_role("button", name="Đăng xuất")
    if not button.is_visible():
        open_menu(page, taps=taps)
    tap(button, taps=taps)
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH)))


def today() -> datetime.date:
    return datetime.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def cell_meetings_on_the_dashboard(page: Page, server: LiveServer) -> int:
    """The dashboard's count of cell meetings organised in the user's subtree, as of today."""
    page.goto(server.url(f"/?as_of={today():%Y-%m-%d}"))
    line = page.locator(".by-format li", has_text="Sinh hoạt chi bộ")
    match = re.search(r"(\d[\d.]*)$", line.inner_text().strip())
    assert match, line.inner_text()
    return int(match.group(1).replace(".", ""))
