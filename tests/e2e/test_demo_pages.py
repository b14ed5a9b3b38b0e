"""The demo users at 360 px: log in, read the dashboard, reach the main pages, log out."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import (
    AccessibilityCheck,
    Screenshots,
    Taps,
    assert_fits_phone,
    horizontal_overflow,
)
from tests.e2e.flows import LOGIN_PATH, log_in, log_out, menu_link
from tests.e2e.server import LiveServer


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    unit_name: str


DISTRICT_OFFICER = DemoUser("huyen.canbo", "Phan Văn Khải", "Đảng bộ huyện Hòa An")
CELL_REPORTER = DemoUser("thondong.baocao", "Lò Ngọc Nga", "Chi bộ thôn Đông")
DEMO_USERS = [pytest.param(user, id=user.username) for user in (DISTRICT_OFFICER, CELL_REPORTER)]
# Menu entry -> the page's heading.
MAIN_PAGES = {
    "Đợt học tập": "Đợt học tập",
    "Hội nghị, lớp học tập": "Hội nghị, lớp học tập",
    "Đảng viên": "Đảng viên",
    "Báo cáo": "Báo cáo",
}


@pytest.mark.parametrize("user", DEMO_USERS)
def test_dashboard_headline_in_vietnamese_at_360_px(page: Page, demo_server: LiveServer, shot: Screenshots,
                                                   accessibility: AccessibilityCheck, user: DemoUser):
    log_in(page, demo_server, user.username, DEMO_PASSWORD)
    shot("dashboard")
    accessibility(page)  # reported at the end of the run; issue 14 makes it a requirement

    expect(page).to_have_url(demo_server.url("/"))
    expect(page).to_have_title(f"Số liệu · {user.unit_name} · chuyende")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text(user.unit_name)
    expect(page.locator(".whoami")).to_contain_text(user.full_name)
    headline = page.locator(".headline .headline-figure")
    expect(headline).to_have_text(re.compile(r"^\d+/\d+ đảng viên đã học tập, đạt \d+(,\d+)?%$"))
    assert horizontal_overflow(page, ".headline") == []
    assert_fits_phone(page)

    log_out(page)
    shot("logged-out")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()


@pytest.mark.parametrize("user", DEMO_USERS)
def test_main_pages_from_the_menu_at_360_px(page: Page, demo_server: LiveServer, shot: Screenshots,
                                           taps: Taps, user: DemoUser):
    log_in(page, demo_server, user.username, DEMO_PASSWORD)
    taps.start(f"{user.username}: {len(MAIN_PAGES)} main pages through the menu")
    for entry, heading in MAIN_PAGES.items():
        link = menu_link(page, entry, taps=taps)
        shot(f"menu-for-{entry}", full_page=False)
        taps.tap(link)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page).to_have_title(re.compile(rf"^{re.escape(heading)} · "))
        shot(entry)
        assert_fits_phone(page)


def test_a_page_asked_before_login_opens_after_it(page: Page, demo_server: LiveServer, shot: Screenshots):
    page.goto(demo_server.url("/bao-cao/"))
    expect(page).to_have_url(re.compile(re.escape(LOGIN_PATH) + r"\?next="))
    shot("login-asked")
    page.locator("#id_username").fill(CELL_REPORTER.username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").tap()
    expect(page).to_have_url(demo_server.url("/bao-cao/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo")
    shot("reports")


def test_wrong_password_is_refused_in_vietnamese(page: Page, demo_server: LiveServer, shot: Screenshots):
    page.goto(demo_server.url(LOGIN_PATH))
    page.locator("#id_username").fill(DISTRICT_OFFICER.username)
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="Đăng nhập").tap()
    shot("refused")
    expect(page.get_by_role("alert")).to_contain_text("mật khẩu")
    expect(page).to_have_url(demo_server.url(LOGIN_PATH))
    assert_fits_phone(page)
