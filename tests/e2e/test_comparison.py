"""After the 2025 restructuring, the merged commune compares its 2026 campaign with the 2024 topic of
the two communes it was made of, on a phone at 360 px."""

from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import AccessibilityCheck, Screenshots, horizontal_overflow, page_fits_width
from tests.e2e.flows import log_in, menu_link
from tests.e2e.server import LiveServer


def test_the_merged_commune_compares_2026_with_2024_at_360_px(page: Page, reform_server: LiveServer,
                                                               shot: Screenshots,
                                                               accessibility: AccessibilityCheck):
    log_in(page, reform_server, "hoabinhphu.canbo", DEMO_PASSWORD)
    menu_link(page, "So sánh").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đảng bộ xã Hòa Bình Phú")
    whole = page.locator('.comparison[data-unit="BN.HBP"]')
    expect(whole.locator(".earlier")).to_have_text("104/108 (96,30%)")
    expect(whole.locator(".later")).to_have_text("106/108 (98,15%)")
    expect(whole.locator(".difference")).to_have_text("+1,85 điểm phần trăm")
    expect(whole).to_contain_text("Đảng bộ xã Hòa Bình; Đảng bộ xã Hòa Phú")
    expect(whole).to_contain_text("So với năm 2024, tỷ lệ đảng viên học tập tăng 1,85 điểm phần trăm.")
    expect(page.locator('.comparison[data-unit="BN.HBP.PML"] .earlier')).to_have_text("63/65 (96,92%)")
    shot("comparison")
    accessibility(page)
    assert page_fits_width(page), horizontal_overflow(page)
