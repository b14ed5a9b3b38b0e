"""An entry made without a connection (360 px): the cell's reporter opens the event form, loses the
connection, saves: the entry is kept on the phone as "Chưa gửi" (never the browser's error page), then
sent when the connection returns; the same sending replayed twice makes one record."""

import re
import uuid

from playwright.sync_api import Page, expect

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import AccessibilityCheck, Screenshots
from tests.e2e.flows import cell_meetings_on_the_dashboard, log_in
from tests.e2e.server import LiveServer

EVENT_FORM = "/hoi-nghi/them/"
UNSENT = "/ngoai-tuyen/chua-gui/"


def controlled_by_the_worker(page: Page) -> None:
    """Waits for the service worker to be active, then reloads so that the page itself goes through it
    (and is kept)."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def events_titled(page: Page, server: LiveServer, title: str) -> int:
    page.goto(server.url("/hoi-nghi/?" + "q=" + title))
    return page.get_by_role("link", name=title).count()


def test_an_entry_made_offline_is_kept_then_sent_once(page: Page, demo_server: LiveServer, shot: Screenshots,
                                                       accessibility: AccessibilityCheck):
    log_in(page, demo_server, "thondong.baocao", DEMO_PASSWORD)
    page.goto(demo_server.url(EVENT_FORM))
    controlled_by_the_worker(page)
    shot("form-online")

    page.context.set_offline(True)
    # The form opens again without a connection, from the copy kept on the phone, saying so.
    page.goto(demo_server.url(EVENT_FORM))
    expect(page.get_by_text("Bản lưu, không có kết nối")).to_be_visible()
    shot("form-offline-copy")

    title = f"Sinh hoạt chi bộ ngoại tuyến {uuid.uuid4().hex[:6]}"
    page.locator("#id_held_on").fill("20/3/2024")
    page.locator("#id_title").fill(title)
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.post_data or "")
            if request.method == "POST" and request.url.endswith(EVENT_FORM) else None)
    page.get_by_role("button", name="Lưu").tap()
    expect(page).to_have_url(re.compile(re.escape(UNSENT)))
    expect(page.get_by_text("mục này được giữ trên máy", exact=False)).to_be_visible()
    pending = page.locator("[data-pending-list] li")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(title)
    expect(pending).to_contain_text("Chưa gửi")
    expect(page.locator("[data-unsent-link]").first).to_be_visible()
    shot("kept-not-sent")
    assert accessibility(page) == []

    # A page never kept: the app's own offline page, not the browser's.
    page.goto(demo_server.url("/dang-vien/"))
    expect(page.get_by_role("heading", name="Không có kết nối")).to_be_visible()
    shot("offline-page")
    assert accessibility(page) == []

    # The connection returns: the next page of the app sends what was kept.
    page.context.set_offline(False)
    page.goto(demo_server.url(UNSENT))
    sent = page.locator("[data-sent-list] li")
    expect(sent.filter(has_text=title)).to_have_count(1)
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    expect(page.locator("[data-unsent-link]").first).to_be_hidden()
    shot("sent")
    assert events_titled(page, demo_server, title) == 1
    shot("in-the-list")

    # The same sending once more (a replay after a lost answer): refused, one record still.
    assert posted, "the form's POST was not seen"
    for _ in range(2):
        answer = page.evaluate(
            """async ([url, body]) => { const r = await fetch(url, { method: "POST", body,
                 headers: { "Content-Type": "application/x-www-form-urlencoded" } });
                 return [r.status, r.redirected]; }""", [demo_server.url(EVENT_FORM), posted[0]])
        assert answer == [200, True]
    assert events_titled(page, demo_server, title) == 1


CELL_MEETING = "/hoi-nghi/sinh-hoat-chi-bo/"


def test_a_cell_meeting_recorded_offline_is_sent_and_counted(
        page: Page, reform_server: LiveServer, shot: Screenshots, accessibility: AccessibilityCheck):
    """The cell secretary's own task, with no signal in the village hall: the short cell-meeting form
    opens from the phone, is saved as "Chưa gửi", and is counted on the dashboard once sent."""
    log_in(page, reform_server, "thondong.baocao", DEMO_PASSWORD)
    before = cell_meetings_on_the_dashboard(page, reform_server)
    page.goto(reform_server.url(CELL_MEETING))
    controlled_by_the_worker(page)

    page.context.set_offline(True)
    page.goto(reform_server.url(CELL_MEETING))
    expect(page.get_by_text("Bản lưu, không có kết nối")).to_be_visible()
    page.get_by_text("Chọn tất cả").tap()
    attended = page.locator("#meeting-members input[type=checkbox]:checked").count()
    assert attended > 0
    shot("cell-meeting-offline")
    page.get_by_role("button", name="Lưu buổi sinh hoạt").tap()
    expect(page).to_have_url(re.compile(re.escape(UNSENT)))
    pending = page.locator("[data-pending-list] li")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text("Chưa gửi")
    shot("cell-meeting-kept")
    assert accessibility(page) == []

    page.context.set_offline(False)
    page.goto(reform_server.url(UNSENT))
    expect(page.locator("[data-sent-list] li")).to_have_count(1)
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    shot("cell-meeting-sent")
    assert cell_meetings_on_the_dashboard(page, reform_server) == before + 1
    shot("dashboard-counts-it")
