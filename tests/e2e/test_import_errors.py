"""A commune officer imports a members workbook with a mistake, on a phone: the preview shows the rows,
the job runner (run_worker, beside the server as in production) finds the problem, the job page names
its row and column in Vietnamese, nothing is written, and the copy with the problems marked opens."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import AccessibilityCheck, Screenshots
from tests.e2e.flows import log_in
from tests.e2e.server import LiveServer
from tests.imports.fixtures import template_with

CELL = "BN.HA.HB.DONG"
ROWS = (
    {"code": "E2E-01", "full_name": "Nguyễn Văn Nhập", "sex": "male", "birth_year": 1980, "unit": CELL,
     "membership": "full", "status": "active"},
    {"code": "E2E-02", "full_name": "Đỗ Thị Sai", "sex": "female", "birth_year": 1850, "unit": CELL,
     "membership": "probationary"},
)


def test_an_import_with_a_mistake_names_its_row_and_writes_nothing(
        page: Page, demo_server: LiveServer, shot: Screenshots, accessibility: AccessibilityCheck, tmp_path):
    workbook = tmp_path / "dang-vien-thon-dong.xlsx"
    workbook.write_bytes(template_with("members", *ROWS))
    log_in(page, demo_server, "hoabinh.canbo", DEMO_PASSWORD)
    page.goto(demo_server.url("/nhap-du-lieu/"))
    page.get_by_label("Loại dữ liệu trong tệp").select_option(label="Đảng viên")
    page.locator("#id_file").set_input_files(str(workbook))
    shot("file-chosen")
    page.get_by_role("button", name="Tải lên và xem trước").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text(workbook.name)
    expect(page.get_by_text("Nguyễn Văn Nhập")).to_be_visible()
    shot("preview")
    assert accessibility(page) == []
    page.get_by_role("button", name="Nhập dữ liệu").tap()

    status = page.locator("#job-status")
    expect(status).to_have_text("Không thành công", timeout=30_000)
    shot("failed-with-its-problems")
    assert accessibility(page) == []
    expect(page.get_by_text(re.compile(r"Chưa ghi dữ liệu nào\. Số lỗi phát hiện: 1\."))).to_be_visible()
    problem = page.locator("table tbody tr").filter(has_text="Năm sinh")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(1)).to_have_text("3")
    expect(problem).to_contain_text("1850")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp có đánh dấu lỗi").tap()
    marked = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert len(marked.sheetnames) >= 2

    page.goto(demo_server.url("/dang-vien/?q=E2E-0"))
    shot("nothing-written")
    expect(page.get_by_text("Nguyễn Văn Nhập")).to_have_count(0)
