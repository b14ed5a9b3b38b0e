"""Dates as people write them, whatever the browser's language: the dashboard's date reads
dd/mm/yyyy, its calendar is in Vietnamese, and a typed "31/3/2024" is taken (360 px)."""

import re

from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import Screenshots
from tests.e2e.flows import log_in
from tests.e2e.server import LiveServer


def test_the_dashboard_date_reads_and_takes_dd_mm_yyyy(page: Page, demo_server: LiveServer,
                                                        shot: Screenshots):
    log_in(page, demo_server, "huyen.canbo", DEMO_PASSWORD)
    page.goto(demo_server.url("/?as_of=2024-03-31"))
    field = page.get_by_label("Tính đến ngày")
    expect(field).to_have_value("31/03/2024")
    field.click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar).to_be_visible()
    expect(calendar.locator(".flatpickr-weekday").first).to_have_text("T2")
    shot("calendar")
    page.keyboard.press("Escape")
    field.fill("29/2/2024")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"as_of=29%2F0?2%2F2024"))
    expect(page.get_by_label("Tính đến ngày")).to_have_value("29/02/2024")
