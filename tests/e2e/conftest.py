"""Browser tests: a real server in a subprocess, Debian's Chromium at 360×740 in Vietnamese.

Run only by `pytest -m e2e -n 0 tests/e2e` (scripts/test does so after the main run); the main
run leaves them out (`-m "not e2e"` in pyproject's addopts).
"""

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.e2e.browser import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    PHONE,
    AccessibilityCheck,
    PageWatch,
    PageWeight,
    Screenshots,
    Taps,
    Visit,
    chromium_path,
    severe_accessibility_violations,
    slug,
)
from tests.e2e.server import LiveServer, database_vendor, scratch_database, start_server, stop_server

ACTION_TIMEOUT_MS = 10_000
TAP_COUNTS: list[tuple[str, str, int]] = []  # (test, label, taps after login), printed at the end
ACCESSIBILITY: list[tuple[str, list[str]]] = []  # (page and its title, severe violations)
# (page and its title, first visit with the cache emptied or None when not measured, a later visit)
WEIGHTS: list[tuple[str, Visit | None, Visit]] = []


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(tryfirst=True)  # before `-m "not e2e"` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    item.stash.setdefault(FAILED, False)
    if report.failed:  # type: ignore[attr-defined]
        item.stash[FAILED] = True
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    taps = [f"{label}: {count} taps after login ({test})" for test, label, count in TAP_COUNTS]
    accessibility = [f"{where}: {'; '.join(violations) or 'none'}" for where, violations in ACCESSIBILITY]
    weights = [f"{where}: {later.describe()} after the first visit "
               + (f"({first.describe()} the first time)" if first else "(the static files held already)")
               for where, first, later in WEIGHTS]
    sections = (("e2e taps after login", taps, "taps.txt"),
                ("e2e axe-core serious and critical violations", accessibility, "axe.txt"),
                ("e2e page weight", weights, "weight.txt"))
    for title, lines, file_name in sections:
        if not lines:
            continue
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)
        summary = ARTIFACTS / database_vendor() / file_name
        summary.parent.mkdir(parents=True, exist_ok=True)
        summary.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _server(label: str, *, demo: bool, reform: bool = False) -> Iterator[LiveServer]:
    with tempfile.TemporaryDirectory(prefix=f"chuyende-e2e-{label}-") as folder, \
            scratch_database(label=label, folder=Path(folder)) as database_url:
        server = start_server(database_url=database_url, folder=Path(folder), demo=demo, reform=reform)
        try:
            yield server
        finally:
            stop_server(server)
            kept = ARTIFACTS / database_vendor() / f"server-{label}.log"
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(server.log, kept)


# The servers ask for the browser so that a missing Chromium stops the run before they start.
@pytest.fixture(scope="module")
def server(browser: Browser, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A server on an empty, migrated database (what a new installation starts from), one per test
    module: a module that installs it (the first run) leaves the others an empty one."""
    module = request.module.__name__.rpartition(".")[2].removeprefix("test_")
    yield from _server(f"empty-{slug(module)}", demo=False)


@pytest.fixture(scope="session")
def demo_server(browser: Browser) -> Iterator[LiveServer]:
    """A server with the Hòa An demo and its logins loaded. Shared by the session: tests that
    change data must not break what other tests read (add, do not delete)."""
    yield from _server("demo", demo=True)


@pytest.fixture(scope="session")
def reform_server(browser: Browser) -> Iterator[LiveServer]:
    """A server with the Hòa An demo of 2024, its 2025 restructuring and the 2026 campaign."""
    yield from _server("reform", demo=True, reform=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def page_watch() -> PageWatch:
    return PageWatch()


@pytest.fixture
def page(browser: Browser, page_watch: PageWatch, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone: 360×740 touch screen, Vietnamese, Vietnam's time zone. Fails the test on a
    script error, a console error, a page resource missing or a server error (clear
    `page_watch.problems` when one is expected)."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", is_mobile=True, has_touch=True,
                                  device_scale_factor=1)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    phone = context.new_page()
    page_watch.watch(phone)
    yield phone
    if request.node.stash.get(FAILED, False):
        Screenshots(phone, test_folder(request) / "failure")("at-failure")
    context.close()
    if page_watch.problems:
        pytest.fail("The browser saw problems:\n" + "\n".join(page_watch.problems), pytrace=False)


def test_folder(request: pytest.FixtureRequest) -> Path:
    return ARTIFACTS / database_vendor() / slug(request.node.name)


@pytest.fixture
def shot(page: Page, request: pytest.FixtureRequest) -> Screenshots:
    """shot("step name") saves artifacts/e2e/<vendor>/<test>/<nn>-<step-name>.png (full page)."""
    return Screenshots(page, test_folder(request))


@pytest.fixture
def taps(request: pytest.FixtureRequest) -> Iterator[Taps]:
    """Counts taps after login; the counts of all tests are printed at the end of the run."""
    counter = Taps()
    yield counter
    if counter.started:
        TAP_COUNTS.append((request.node.nodeid, counter.label, counter.count))


@pytest.fixture
def accessibility() -> AccessibilityCheck:
    """accessibility(page) runs axe-core on the page and lists its serious and critical violations;
    every page checked is printed at the end of the run and kept in artifacts/e2e/<vendor>/axe.txt."""

    def check(page: Page) -> list[str]:
        violations = severe_accessibility_violations(page)
        where = f"{urlsplit(page.url).path} «{page.title()}»"
        if (where, violations) not in ACCESSIBILITY:
            ACCESSIBILITY.append((where, violations))
        return violations

    return check


WeighPage = Callable[[str], Visit]


@pytest.fixture
def weigh(page: Page) -> WeighPage:
    """weigh(url) opens the page twice, first with the browser's cache emptied, then as a returning
    user would, and gives the second visit: what the page costs once the browser holds the static
    files. Both visits are printed at the end of
    the run and kept in artifacts/e2e/<vendor>/weight.txt."""
    meter = PageWeight(page)

    def measure(url: str) -> Visit:
        first = meter.visit(url, cold=True)
        later = meter.visit(url)
        where = f"{urlsplit(page.url).path} «{page.title()}»"
        WEIGHTS.append((where, first, later))
        return later

    return measure


@pytest.fixture
def open_and_weigh(page: Page) -> Callable[[str], Visit]:
    """open_and_weigh(url) opens the page once, as one more page of a visit (the static files already
    held by the browser), and records what it transferred beside weigh()'s figures."""
    meter = PageWeight(page)

    def measure(url: str) -> Visit:
        visit = meter.visit(url)
        WEIGHTS.append((f"{urlsplit(page.url).path} «{page.title()}»", None, visit))
        return visit

    return measure
