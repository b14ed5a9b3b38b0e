"""A new installation, before any unit exists, as its first visitor sees it."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.browser import AccessibilityCheck, Screenshots, horizontal_overflow, page_fits_width
from tests.e2e.server import LiveServer


def test_an_empty_installation_answers_in_vietnamese(page: Page, server: LiveServer, shot: Screenshots,
                                                     accessibility: AccessibilityCheck):
    response = page.goto(server.url("/"))
    shot("first-visit")
    accessibility(page)  # reported at the end of the run; issue 14 makes it a requirement

    assert response is not None
    assert response.ok, f"{response.status} at {response.url}"
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_title(re.compile(r" · chuyende$"))
    assert page_fits_width(page), horizontal_overflow(page)
