"""A report's life at 360 px, with the job runner beside the server (as in production): the commune
officer of Hòa Bình drafts a report, downloads it as .docx, .pdf and .xlsx (each opened back), sends
it; the district officer returns it with a comment; the commune officer sees the badge and the
"returned" notification with the comment, sends it again; the district accepts it; the commune sees
"accepted". Then the change log, readable on the phone."""

import io
import re
import time

from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import (
    AccessibilityCheck,
    Screenshots,
    Taps,
    assert_fits_phone,
)
from tests.e2e.flows import log_in, log_out
from tests.e2e.server import LiveServer

COMMENT = "Bổ sung kết quả học tập của chi bộ thôn Đông"
WORKER_WAIT_S = 20


def download(page: Page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).tap()
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as file:
        return file.read()


def inbox_showing(page: Page, server: LiveServer, text: str) -> None:
    """Opens the inbox until the job runner has written the notification with `text`."""
    deadline = time.monotonic() + WORKER_WAIT_S
    while True:
        page.goto(server.url("/thong-bao/"))
        if page.locator(".notification", has_text=text).count():
            return
        assert time.monotonic() < deadline, f"No notification “{text}” after {WORKER_WAIT_S} s"
        time.sleep(0.5)


def confirm_and_send(page: Page, section: str, button: str) -> None:
    page.locator(f"#{section} > summary").tap()
    page.locator(f"#{section} input[type=checkbox]").check()
    page.get_by_role("button", name=button).tap()


def test_a_report_is_returned_then_accepted_with_notifications(
        page: Page, demo_server: LiveServer, shot: Screenshots, accessibility: AccessibilityCheck,
        taps: Taps):
    log_in(page, demo_server, "hoabinh.canbo", DEMO_PASSWORD)
    page.goto(demo_server.url("/bao-cao/"))
    page.get_by_role("link", name="Tạo báo cáo mới").tap()
    page.locator("#id_unit").select_option(label="Đảng bộ xã Hòa Bình")
    shot("new-report")
    page.get_by_role("button", name="Tạo bản dự thảo").tap()
    page.locator("#id_signer_name").fill("Nguyễn Văn Bình")
    page.get_by_role("button", name="Lưu").tap()
    expect(page).to_have_url(re.compile(r"/bao-cao/\d+/$"))
    report_path = re.sub(r"^https?://[^/]+", "", page.url)
    shot("draft")
    assert_fits_phone(page)

    word = Document(io.BytesIO(download(page, "Tải về .docx")))
    assert any("Hòa Bình" in paragraph.text for paragraph in word.paragraphs)
    pdf = PdfReader(io.BytesIO(download(page, "Tải về .pdf")))
    assert "BÁO CÁO" in pdf.pages[0].extract_text().upper()
    appendix = load_workbook(io.BytesIO(download(page, "Phụ lục thống kê (.xlsx)")), read_only=True)
    assert appendix.sheetnames and any(
        "Hòa Bình" in str(cell) for row in appendix.worksheets[0].iter_rows(values_only=True) for cell in row)

    confirm_and_send(page, "send", "Gửi báo cáo ngay")
    expect(page.locator(".messages")).to_be_visible()
    shot("submitted")
    log_out(page)

    log_in(page, demo_server, "huyen.canbo", DEMO_PASSWORD)
    inbox_showing(page, demo_server, "cần xem xét")  # the sub-unit's report to review
    shot("district-inbox")
    page.goto(demo_server.url(report_path))
    page.locator("#return > summary").tap()
    page.locator("#return textarea").fill(COMMENT)
    page.locator("#return input[type=checkbox]").check()
    page.get_by_role("button", name="Trả lại báo cáo ngay").tap()
    expect(page.locator(".messages")).to_be_visible()
    shot("returned")
    log_out(page)

    log_in(page, demo_server, "hoabinh.canbo", DEMO_PASSWORD)
    inbox_showing(page, demo_server, "bị trả lại")
    page.goto(demo_server.url("/bao-cao/"))
    expect(page.locator(".inbox-link .count")).to_have_text("1")
    shot("badge")
    taps.start("open the returned notification")
    taps.tap(page.locator(".inbox-link"))
    returned = page.locator(".notification.unread", has_text="bị trả lại")
    expect(returned).to_contain_text(COMMENT)
    expect(returned).to_contain_text("Báo cáo bị trả lại")
    shot("inbox-returned")
    assert_fits_phone(page)
    assert accessibility(page) == []
    taps.tap(returned.get_by_role("button", name="Mở"))
    expect(page).to_have_url(demo_server.url(report_path))
    expect(page.locator(".inbox-link .count")).to_have_count(0)
    confirm_and_send(page, "send", "Gửi báo cáo ngay")
    expect(page.locator(".messages")).to_be_visible()
    shot("resubmitted")
    log_out(page)

    log_in(page, demo_server, "huyen.canbo", DEMO_PASSWORD)
    page.goto(demo_server.url(report_path))
    confirm_and_send(page, "accept", "Tiếp nhận báo cáo ngay")
    expect(page.locator(".messages")).to_be_visible()
    shot("accepted")
    log_out(page)

    log_in(page, demo_server, "hoabinh.canbo", DEMO_PASSWORD)
    inbox_showing(page, demo_server, "đã được tiếp nhận")
    expect(page.locator(".notification.unread", has_text="đã được tiếp nhận")).to_contain_text(
        "Báo cáo được tiếp nhận")
    shot("inbox-accepted")
    assert accessibility(page) == []


def test_the_change_log_reads_on_a_phone(page: Page, demo_server: LiveServer, shot: Screenshots,
                                         accessibility: AccessibilityCheck):
    log_in(page, demo_server, "huyen.canbo", DEMO_PASSWORD)
    page.goto(demo_server.url("/nhat-ky/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký thay đổi")
    assert page.locator(".audit-entry").count() == 20
    shot("change-log")
    shot("change-log-first-screen", full_page=False)
    page.locator(".audit-entry").nth(8).scroll_into_view_if_needed()
    shot("change-log-further-down", full_page=False)
    assert_fits_phone(page)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 740 * 12, f"the change log is {height} px tall on a phone"
    assert accessibility(page) == []
    page.locator(".filter-box > summary").tap()
    page.locator("#id_action").select_option(label="Tạo mới")
    page.get_by_role("button", name="Lọc").tap()
    entry = page.locator(".audit-entry").first
    entry.locator(".audit-more > summary").tap()
    expect(entry.locator(".audit-more dl")).to_be_visible()
    shot("change-log-created-unfolded", full_page=False)
    assert_fits_phone(page)
    assert accessibility(page) == []
