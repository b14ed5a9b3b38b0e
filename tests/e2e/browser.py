"""Debian's Chromium driven by Playwright, at a phone's size, with screenshots and tap counts.

Playwright for Python brings its driver inside the wheel; the browser is Debian's `chromium`
(scripts/setup installs it). `playwright install` is never run: it would download a browser.
"""

import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Locator, Page, Response, ViewportSize

from tests.e2e.server import REPO

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = ViewportSize(width=360, height=740)
ARTIFACTS = REPO / "artifacts" / "e2e"


def chromium_path() -> str:
    """Debian's Chromium (or CHUYENDE_CHROMIUM); skips the test without it, but fails it in CI."""
    path = os.environ.get("CHUYENDE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if Path(path).is_file() and os.access(path, os.X_OK):
        return path
    reason = f"Chromium not found at {path} (Debian package chromium; run scripts/setup)"
    if os.environ.get("CI", "").lower() == "true" or os.environ.get("CHUYENDE_REQUIRE_CHROMIUM"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def slug(text: str) -> str:
    """A file name from a step or test name: "Hội nghị, lớp học tập" -> "hoi-nghi-lop-hoc-tap"."""
    letters = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))  # đ does not decompose
    return re.sub(r"[^0-9A-Za-z._-]+", "-", letters.encode("ascii", "ignore").decode()).strip("-").lower()


class Screenshots:
    """shot(name) saves artifacts/e2e/<vendor>/<test>/<nn>-<name>.png, numbered in order."""

    def __init__(self, page: Page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.taken = 0
        shutil.rmtree(folder, ignore_errors=True)

    def __call__(self, name: str, *, full_page: bool = True) -> Path:
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{slug(name)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@dataclass
class Taps:
    """Counts the touches a person makes: each tap, field filled or option chosen is one.

    `start()` right after logging in, so the count is "taps after login".
    """

    label: str = ""
    count: int = 0
    started: bool = False

    def start(self, label: str) -> None:
        self.label, self.count, self.started = label, 0, True

    def tap(self, locator: Locator) -> None:
        locator.tap()
        self.count += 1

    def fill(self, locator: Locator, value: str) -> None:
        locator.fill(value)
        self.count += 1

    def select(self, locator: Locator, value: str) -> None:
        locator.select_option(value)
        self.count += 1

    def check(self, locator: Locator) -> None:
        locator.check()
        self.count += 1


@dataclass
class PageWatch:
    """What went wrong in the browser: uncaught script errors, console errors, server errors and
    missing page resources (scripts, styles, images). The favicon, which no page links, is let go."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        # A resource that failed to load is reported with its address by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        resource = response.request.resource_type != "document"
        if response.status >= 500 or (resource and response.status >= 400
                                      and not response.url.endswith("/favicon.ico")):
            self.problems.append(f"HTTP {response.status} {response.request.method} {response.url}")


PAGE_WEIGHT_LIMIT = 60 * 1024  # bytes a page may transfer after the first visit (issue 14)


@dataclass(frozen=True)
class Visit:
    """One visit of a page: the bytes each request transferred over the network (headers and body
    as sent, compressed or not), nothing for what came from the browser's cache."""

    url: str
    transfers: dict[str, int]  # url -> bytes
    status: int = 200  # of the page itself

    @property
    def total(self) -> int:
        return sum(self.transfers.values())

    def describe(self) -> str:
        return f"{self.total / 1024:.1f} KB in {len(self.transfers)} request(s)"


class PageWeight:
    """Measures what a page visit transfers, from Chromium's own network events (CDP
    Network.loadingFinished: encodedDataLength), the way a phone's data plan counts it.

    The app's service worker is bypassed (as DevTools' "Bypass for network"): what it serves from
    its own cache would not show as a transfer of the page, and what it fetches would show in its own
    target. Without it, the browser's HTTP cache alone keeps the static files: an upper bound of what a
    phone with the worker transfers."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send("Network.setBypassServiceWorker", {"bypass": True})
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.session.on("Network.requestWillBeSent", self._request)
        self.session.on("Network.loadingFinished", self._finished)

    def _request(self, event: dict) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict) -> None:
        request_id = event["requestId"]
        self.sizes[request_id] = self.sizes.get(request_id, 0) + int(event["encodedDataLength"])

    def visit(self, url: str, *, cold: bool = False) -> Visit:
        """Opens `url` and waits until the network is idle; the bytes of that visit (`cold`: with
        the browser's cache emptied first, as on a phone's first visit)."""
        if cold:
            self.session.send("Network.clearBrowserCache")
        # Off for the cold visit, so that the renderer's memory cache does not serve it either.
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": cold})
        self.urls.clear()
        self.sizes.clear()
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": False})
        transfers: dict[str, int] = {}
        for request_id, size in self.sizes.items():
            if size:
                address = self.urls.get(request_id, request_id)
                transfers[address] = transfers.get(address, 0) + size
        return Visit(url=url, transfers=transfers, status=response.status if response else 0)


SEVERE_IMPACTS = ("serious", "critical")
AccessibilityCheck = Callable[[Page], list[str]]


def severe_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per rule.

    axe-core comes inside the axe-playwright-python wheel (PyPI), injected into the page here.
    """
    violations = Axe().run(page).response["violations"]
    return [f"{violation['id']} ({violation['impact']}): {len(violation['nodes'])} element(s), first "
            f"{' '.join(map(str, violation['nodes'][0]['target']))}"
            for violation in violations if violation["impact"] in SEVERE_IMPACTS]


def horizontal_overflow(page: Page, selector: str = "html") -> list[str]:
    """Elements inside `selector` that stick out of the viewport to the right (empty when it fits).

    Elements inside a horizontally scrolling container are not counted: that container scrolls.
    """
    return list(page.evaluate(
        """(selector) => {
          const width = document.documentElement.clientWidth;
          const scrolls = (element) => {
            for (let up = element.parentElement; up; up = up.parentElement) {
              const overflowX = getComputedStyle(up).overflowX;
              if ((overflowX === 'auto' || overflowX === 'scroll') && up !== document.documentElement
                  && up !== document.body) return true;
            }
            return false;
          };
          const describe = (element) => element.tagName.toLowerCase()
            + (element.id ? '#' + element.id : '')
            + (element.className && typeof element.className === 'string'
               ? '.' + element.className.trim().split(/\\s+/).join('.') : '')
            + ` (right edge ${Math.round(element.getBoundingClientRect().right)} px)`;
          const root = document.querySelector(selector);
          if (!root) return [`${selector} not found`];
          const offenders = [...root.querySelectorAll('*'), root].filter((element) => {
            const box = element.getBoundingClientRect();
            return box.width > 0 && box.right > width + 1 && !scrolls(element);
          });
          return offenders.slice(0, 8).map(describe);
        }""",
        selector,
    ))


def page_fits_width(page: Page) -> bool:
    """The page itself cannot be scrolled sideways."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


TOUCH_TARGET_PX = 44


def small_touch_targets(page: Page) -> list[str]:
    """Visible controls a finger cannot hit: buttons, fields, selects, menu toggles and links drawn as
    buttons less than 44 px tall (or wide) whose label (around them or pointing at them) is not
    44 px tall either. Links inside running text are text, not controls."""
    return list(page.evaluate(
        """(minimum) => {
          const controls = document.querySelectorAll(
            'button, input:not([type=hidden]), select, textarea, summary, a.button, [role=button]');
          const big = (box) => box.height >= minimum - 0.5;
          const labelOf = (control) => control.closest('label')
            || (control.id && document.querySelector(`label[for="${CSS.escape(control.id)}"]`));
          const describe = (control, box) => control.tagName.toLowerCase()
            + (control.id ? '#' + control.id : '') + (control.name ? `[name=${control.name}]` : '')
            + ` «${(control.innerText || control.value || control.getAttribute('aria-label') || '')
                   .trim().slice(0, 30)}»`
            + ` ${Math.round(box.width)}×${Math.round(box.height)} px`;
          const offenders = [];
          for (const control of controls) {
            const box = control.getBoundingClientRect();
            const hidden = box.width === 0 || box.height === 0
              || getComputedStyle(control).visibility === 'hidden';
            // The calendar is an aid: the date field itself is typed.
            if (hidden || control.closest('.flatpickr-calendar')) continue;
            const label = labelOf(control);
            if (big(box) || (label && big(label.getBoundingClientRect()))) continue;
            offenders.push(describe(control, box));
          }
          return offenders.slice(0, 10);
        }""",
        TOUCH_TARGET_PX,
    ))


def assert_fits_phone(page: Page) -> None:
    """The page cannot be scrolled sideways at the phone's width, or says what sticks out."""
    assert page_fits_width(page), f"{page.url} scrolls sideways at 360 px: {horizontal_overflow(page)}"
