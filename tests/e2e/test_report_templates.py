"""A commune officer at 360 px: from the reports page to the report templates, a template with an unknown
field refused with its name, the default template uploaded as the unit's own and put out of use again
(the shared demo's documents stay as they were)."""

import io

from docx import Document
from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from chuyende.reports.layout import default_template
from tests.e2e.browser import (
    AccessibilityCheck,
    Screenshots,
    assert_fits_phone,
)
from tests.e2e.flows import log_in
from tests.e2e.server import LiveServer

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_with(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def test_an_officer_uploads_a_template_at_360_px(page: Page, demo_server: LiveServer, shot: Screenshots,
                                                  accessibility: AccessibilityCheck):
    log_in(page, demo_server, "hoabinh.canbo", DEMO_PASSWORD)
    page.goto(demo_server.url("/bao-cao/"))
    page.get_by_role("link", name="Mẫu báo cáo").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mẫu báo cáo")
    expect(page.locator("#in-use")).to_contain_text("Mẫu mặc định")
    page.locator("#fields summary").tap()
    expect(page.locator("#fields")).to_contain_text("unit_name")
    shot("templates")
    accessibility(page)
    assert_fits_phone(page)

    page.get_by_role("link", name="Tải lên mẫu").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tải lên mẫu báo cáo")
    page.locator("#id_name").fill("Mẫu thử")
    page.locator("#id_file").set_input_files(
        {"name": "mau-sai.docx", "mimeType": DOCX, "buffer": docx_with("Đơn vị: {{ ten_sai }}")})
    page.get_by_role("button", name="Kiểm tra và sử dụng").tap()
    expect(page.locator(".field.has-error")).to_contain_text(
        "Mẫu dùng trường “ten_sai” không có trong dữ liệu báo cáo")
    shot("refused")
    assert_fits_phone(page)

    page.locator("#id_file").set_input_files(
        {"name": "mau-hoa-binh.docx", "mimeType": DOCX, "buffer": default_template()})
    page.get_by_role("button", name="Kiểm tra và sử dụng").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mẫu báo cáo")
    expect(page.locator(".messages")).to_contain_text("Mẫu “Mẫu thử” đã được kiểm tra")
    expect(page.locator("#in-use")).to_contain_text("Mẫu thử")
    shot("uploaded")
    assert_fits_phone(page)

    page.locator("#templates").get_by_role("button", name="Ngừng dùng").tap()
    expect(page.locator("#in-use")).to_contain_text("Mẫu mặc định")
    expect(page.locator("#templates")).to_contain_text("Không dùng")
