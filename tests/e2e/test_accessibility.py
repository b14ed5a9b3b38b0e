"""Every page each demo role reaches from its menu, the first record each list links to and the pages its
buttons open (new entries, forms), at 360 px: axe-core finds no serious or critical violation, controls
are at least 44 px tall, nothing scrolls sideways, and each page transfers at most 60 KB once the
browser holds the static files. The pages are listed in artifacts/e2e/<vendor>/axe.txt and
weight.txt."""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from chuyende.demo.users import DEMO_PASSWORD
from tests.e2e.browser import (
    PAGE_WEIGHT_LIMIT,
    AccessibilityCheck,
    Screenshots,
    Visit,
    horizontal_overflow,
    page_fits_width,
    small_touch_targets,
)
from tests.e2e.flows import log_in
from tests.e2e.server import LiveServer

# (login, whether to follow the first record of each list too): one login per role and level.
ROLES = [
    pytest.param("huyen.canbo", True, id="district-officer"),
    pytest.param("hoabinh.canbo", False, id="commune-officer"),
    pytest.param("thondong.baocao", True, id="cell-reporter"),
    pytest.param("huyen.xem", False, id="district-viewer"),
    pytest.param("tinh.quantri", False, id="province-admin"),
]
NOT_PAGES = ("/dang-xuat/", "/api/", ".xlsx", ".docx", ".pdf", ".csv", "/static/", "/media/", "export=")


def internal_pages(page: Page, server: LiveServer, selector: str) -> list[str]:
    """The app's own pages the links under `selector` lead to, in order, without downloads."""
    hrefs = page.eval_on_selector_all(selector, "links => links.map(link => link.href)")
    paths: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc != urlsplit(server.url("/")).netloc or any(bit in href for bit in NOT_PAGES):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def faults_on(page: Page, accessibility: AccessibilityCheck) -> list[str]:
    faults = [f"axe: {violation}" for violation in accessibility(page)]
    faults += [f"small touch target: {control}" for control in small_touch_targets(page)]
    if not page_fits_width(page):
        faults.append(f"scrolls sideways: {horizontal_overflow(page)}")
    return faults


@pytest.mark.parametrize(("username", "follow_records"), ROLES)
def test_every_page_a_role_reaches_is_accessible_at_360_px(
        page: Page, demo_server: LiveServer, accessibility: AccessibilityCheck, shot: Screenshots,
        open_and_weigh: Callable[[str], Visit], username: str, follow_records: bool):
    log_in(page, demo_server, username, DEMO_PASSWORD)  # the first page brings the static files
    menu_pages = ["/", *internal_pages(page, demo_server, "header a[href]")]
    visited: set[str] = set()  # one page per shape: /tai-lieu/3/xoa/ stands for every record's
    faults: list[str] = []

    def visit(path: str) -> None:
        shape = re.sub(r"\d+", "N", path)
        if shape in visited:
            return
        visited.add(shape)
        visit = open_and_weigh(demo_server.url(path))
        assert visit.status == 200, f"{path}: HTTP {visit.status}"
        if visit.total > PAGE_WEIGHT_LIMIT:
            faults.append(f"{path}: {visit.describe()} transferred, over {PAGE_WEIGHT_LIMIT // 1024} KB")
        shot(path.strip("/") or "home")
        faults.extend(f"{path}: {fault}" for fault in faults_on(page, accessibility))

    for path in menu_pages:
        visit(path)
        if follow_records:
            records = internal_pages(page, demo_server, "main table a[href], main .cards a[href]")[:1]
            actions = internal_pages(page, demo_server, "main a.button[href]")
            for linked in [*records, *actions]:
                visit(linked)
    assert len(visited) >= 5, visited
    assert faults == [], "\n".join(faults)
