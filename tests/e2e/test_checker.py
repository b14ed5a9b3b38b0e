"""A district officer checks a commune's Word report on a phone at 360 px: the wrong rate is shown
with the right one beside its sentence, the correct breakdown is not flagged."""

from pathlib import Path

import docx
from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import AccessibilityCheck, Screenshots, horizontal_overflow, page_fits_width
from tests.e2e.flows import log_in, menu_link
from tests.e2e.server import LiveServer


def test_a_word_report_is_checked_at_360_px(page: Page, demo_server: LiveServer, shot: Screenshots,
                                            accessibility: AccessibilityCheck, tmp_path: Path):
    report = tmp_path / "bao-cao-xa.docx"
    document = docx.Document()
    document.add_paragraph("Đến ngày 31/3/2024, toàn Đảng bộ có 255/264 đảng viên đã học tập, đạt 96,50%.")
    document.add_paragraph("Lớp cán bộ chủ chốt có 410 người (95 cấp tỉnh và 315 cấp huyện).")
    document.save(str(report))

    log_in(page, demo_server, "huyen.canbo", DEMO_PASSWORD)
    menu_link(page, "Kiểm tra báo cáo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra báo cáo")
    page.get_by_label("Tệp báo cáo (.docx, .pdf hoặc .txt)").set_input_files(str(report))
    page.get_by_role("button", name="Kiểm tra", exact=True).click()

    wrong = page.locator(".claim-does_not_hold")
    expect(wrong).to_have_count(1)
    expect(wrong).to_contain_text("Ghi 96,50%, đúng là 96,59%.")
    expect(page.locator(".claim-holds")).to_contain_text("410 người (95 cấp tỉnh và 315 cấp huyện)")
    saving = page.get_by_role("heading", name="Lưu các số liệu này làm số liệu báo cáo của đơn vị")
    expect(saving).to_be_visible()
    shot("checked")
    accessibility(page)
    assert page_fits_width(page), horizontal_overflow(page)
