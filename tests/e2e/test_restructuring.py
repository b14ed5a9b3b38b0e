"""A province officer restructures on a phone: uploads a one-row plan, reads the preview and applies
the decision (360 px)."""

import io

from openpyxl import load_workbook
from playwright.sync_api import FilePayload, Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from chuyende.exports.tables import XLSX_CONTENT_TYPE
from chuyende.restructuring.plan import template_workbook
from tests.e2e.browser import AccessibilityCheck, Screenshots, horizontal_overflow, page_fits_width
from tests.e2e.flows import log_in, menu_link
from tests.e2e.server import LiveServer


def plan_bytes() -> bytes:
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook["Kế hoạch sắp xếp"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(["change", "BN.HBP.PML", "", "Chi bộ thôn Phú Mỹ Lộc Hòa"])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_a_decision_is_uploaded_previewed_and_applied_at_360_px(page: Page, reform_server: LiveServer,
                                                               shot: Screenshots,
                                                               accessibility: AccessibilityCheck):
    log_in(page, reform_server, "tinh.quantri", DEMO_PASSWORD)
    menu_link(page, "Sắp xếp tổ chức").click()
    page.get_by_role("link", name="Quyết định mới").click()
    page.get_by_label("Số").fill("12-QĐ/TU")
    page.get_by_label("Ngày", exact=True).fill("2026-05-20")
    page.get_by_label("Cơ quan ban hành").fill("Ban Thường vụ Tỉnh ủy")
    page.get_by_label("Tiêu đề").fill("Đổi tên chi bộ thôn Phú Mỹ Lộc")
    page.get_by_label("Ngày có hiệu lực").fill("2026-06-01")
    plan: FilePayload = {"name": "ke-hoach.xlsx", "mimeType": XLSX_CONTENT_TYPE, "buffer": plan_bytes()}
    page.get_by_label("Kế hoạch sắp xếp (tệp Excel)").set_input_files(files=[plan])
    shot("form")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định số 12-QĐ/TU ngày 20/05/2026")
    expect(page.get_by_role("heading", name="Xem trước")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("Chi bộ thôn Phú Mỹ Lộc Hòa")
    shot("preview")
    accessibility(page)
    assert page_fits_width(page), horizontal_overflow(page)
    page.get_by_role("button", name="Thực hiện quyết định").click()
    expect(page.locator(".facts")).to_contain_text("Đã thực hiện")
    shot("applied")
