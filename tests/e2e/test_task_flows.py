"""The everyday tasks from the home on a phone (360 px), counted in taps after login: a cell secretary
records a cell meeting and sends the cell's figures; a commune officer sees first what is due and
which sub-units are missing."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import (
    SEVERE_IMPACTS,
    AccessibilityCheck,
    Screenshots,
    Taps,
    assert_fits_phone,
)
from tests.e2e.flows import cell_meetings_on_the_dashboard, log_in, log_out, menu_link, today
from tests.e2e.server import LiveServer

CELL_SECRETARY = "thondong.baocao"  # Chi bộ thôn Đông: after the 2025 reform it reports counts
COMMUNE_OFFICER = "hoabinh.canbo"


def severe_in(page: Page, selector: str) -> list[str]:
    """axe-core's serious and critical violations inside one part of the page."""
    violations = Axe().run(page, context=selector).response["violations"]
    return [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in SEVERE_IMPACTS]


def assert_targets_large(page: Page, selector: str) -> None:
    """Every visible control matched is at least 44 px high (a finger's touch)."""
    small = page.evaluate("""(selector) => Array.from(document.querySelectorAll(selector))
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
        .filter(([, height]) => height < 44)""", selector)
    assert small == [], small


def test_a_cell_secretary_records_a_cell_meeting_in_five_taps(page: Page, reform_server: LiveServer,
                                                            shot: Screenshots, taps: Taps,
                                                            accessibility: AccessibilityCheck):
    log_in(page, reform_server, CELL_SECRETARY, DEMO_PASSWORD)
    before = cell_meetings_on_the_dashboard(page, reform_server)
    page.goto(reform_server.url("/"))
    shot("home")
    assert accessibility(page) == []
    assert_fits_phone(page)
    taps.start("cell secretary: record a cell meeting with its attendees")
    taps.tap(page.get_by_role("link", name="Ghi buổi sinh hoạt chi bộ").first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi buổi sinh hoạt chi bộ")
    expect(page.locator("#id_held_on")).to_have_value(f"{today():%d/%m/%Y}")
    expect(page.locator("#id_campaign")).to_have_value(re.compile(r"\d+"))
    shot("cell-meeting-form")
    assert accessibility(page) == []
    assert_fits_phone(page)
    assert_targets_large(page, ".cell-meeting label.inline, .checklist label, .cell-meeting button, "
                               ".cell-meeting input:not([type=checkbox]), .cell-meeting select")
    taps.tap(page.get_by_text("Chọn tất cả"))
    boxes = page.locator("#meeting-members input[type=checkbox]")
    attended = boxes.count()
    assert attended > 0
    expect(boxes.first).to_be_checked()
    taps.tap(page.locator("#meeting-members label").last)  # one member did not come
    shot("attendees-ticked", full_page=False)
    taps.tap(page.get_by_role("button", name="Lưu buổi sinh hoạt"))
    expect(page.locator(".messages")).to_contain_text(
        f"Đã ghi buổi sinh hoạt chi bộ: {attended - 1} đảng viên dự.")
    shot("meeting-saved")
    assert taps.count <= 5, taps.count
    print(f"\ncell meeting: {taps.count} taps after login")
    assert cell_meetings_on_the_dashboard(page, reform_server) == before + 1
    shot("dashboard-counts-it")
    log_out(page)


def test_a_cell_secretary_sends_the_cells_figures_in_six_taps(page: Page, reform_server: LiveServer,
                                                            shot: Screenshots, taps: Taps,
                                                            accessibility: AccessibilityCheck):
    log_in(page, reform_server, CELL_SECRETARY, DEMO_PASSWORD)
    taps.start("cell secretary: send an aggregate return")
    taps.tap(page.get_by_role("link", name="Gửi số liệu"))
    expect(page.locator("#id_unit")).to_have_value(re.compile(r"\d+"))
    expect(page.locator("#id_campaign")).to_have_value(re.compile(r"\d+"))
    shot("return-form")
    accessibility(page)
    assert_fits_phone(page)
    taps.fill(page.locator("#id_members_total"), "17")
    taps.fill(page.locator("#id_exempt"), "2")
    taps.fill(page.locator("#id_away"), "1")
    taps.fill(page.locator("#id_studied"), "14")
    taps.tap(page.get_by_role("button", name="Lưu", exact=True))
    expect(page.locator(".messages")).to_contain_text("Đã lưu")
    shot("return-saved")
    accessibility(page)
    assert taps.count <= 6, taps.count
    print(f"\naggregate return: {taps.count} taps after login")


def test_a_commune_officer_sees_the_rate_then_what_is_due_and_missing(page: Page, demo_server: LiveServer,
                                                                    shot: Screenshots,
                                                                    accessibility: AccessibilityCheck):
    log_in(page, demo_server, COMMUNE_OFFICER, DEMO_PASSWORD)
    tasks = page.locator("section.tasks")
    expect(tasks.get_by_role("heading", name="Việc cần làm")).to_be_visible()
    expect(tasks).to_contain_text("Hạn gửi báo cáo: 25/03/2024")
    # The answer (the rate) first, then what is due and missing, then the units below the target.
    tops = [page.locator(selector).evaluate("element => element.getBoundingClientRect().top")
            for selector in (".headline", "section.tasks", "#below-target")]
    assert tops == sorted(tops), tops
    missing = tasks.locator("ul.missing-report a, ul.missing-data a")
    assert missing.count() > 0
    shot("commune-home", full_page=False)
    shot("commune-home-whole")
    accessibility(page)  # the whole dashboard: reported (issue 14, item 8)
    assert severe_in(page, "section.tasks") == []
    assert_fits_phone(page)
    assert_targets_large(page, "section.tasks a")
    name = missing.first.inner_text()
    missing.first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    shot("missing-unit")
    accessibility(page)


def test_each_role_finds_its_pages_and_log_out_at_360_px(page: Page, demo_server: LiveServer,
                                                        shot: Screenshots, accessibility: AccessibilityCheck):
    log_in(page, demo_server, CELL_SECRETARY, DEMO_PASSWORD)
    logout = page.get_by_role("button", name="Đăng xuất")
    expect(logout).to_be_in_viewport()
    menu_link(page, "Ghi buổi sinh hoạt chi bộ")
    shot("reporter-menu", full_page=False)
    menu = page.locator("details.menu nav > a")
    expect(menu).to_have_count(4)
    menu_link(page, "Đợt học tập").tap()  # a page under "Thêm"
    expect(page.get_by_role("heading", level=1)).to_have_text("Đợt học tập")
    expect(logout).to_be_in_viewport()
    log_out(page)
