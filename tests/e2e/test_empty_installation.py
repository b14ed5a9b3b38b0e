"""A new installation, before any unit exists, as its first visitor sees it: every page leads to the
first run."""

from playwright.sync_api import Page, expect

from tests.e2e.browser import AccessibilityCheck, Screenshots, horizontal_overflow, page_fits_width
from tests.e2e.server import LiveServer

FIRST_RUN_PATH = "/bat-dau/"


def test_an_empty_installation_opens_on_the_first_run_page(page: Page, server: LiveServer, shot: Screenshots,
                                                            accessibility: AccessibilityCheck):
    response = page.goto(server.url("/"))
    shot("first-visit")
    accessibility(page)  # reported at the end of the run; issue 14 makes it a requirement

    assert response is not None
    assert response.ok, f"{response.status} at {response.url}"
    expect(page).to_have_url(server.url(FIRST_RUN_PATH))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Khởi tạo hệ thống")
    expect(page).to_have_title("Khởi tạo hệ thống · chuyende")
    expect(page.get_by_role("button", name="Khởi tạo")).to_be_visible()
    expect(page.locator("details.menu")).to_have_count(0)  # nobody is signed in yet
    assert page_fits_width(page), horizontal_overflow(page)


def test_the_login_page_also_leads_to_the_first_run(page: Page, server: LiveServer):
    page.goto(server.url("/dang-nhap/"))
    expect(page).to_have_url(server.url(FIRST_RUN_PATH))
