"""load_writers: refuses any host but this machine, and against a live server writes without a server
error or a lost update, counting version conflicts apart."""

import io
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from chuyende.accounts.services import user_create
from chuyende.demo.scenario import load_scenario
from chuyende.demo.writers import LoadError, check_loopback
from chuyende.events.models import Event
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize("url", [
    "http://10.0.0.5:8000", "http://example.org", "http://192.168.1.2", "ftp://127.0.0.1", "127.0.0.1:8000",
])
def test_refuses_any_address_but_this_machine(url):
    with pytest.raises(LoadError):
        check_loopback(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8105/", "http://localhost:8000", "http://[::1]:8000"])
def test_accepts_loopback_addresses(url):
    assert check_loopback(url) == url.rstrip("/")


def test_the_command_refuses_unbounded_runs_before_sending_anything():
    for bounds in (["--clients", "500"], ["--seconds", "0"], ["--seconds", "3600"]):
        with pytest.raises(CommandError):
            call_command("load_writers", "--url", "http://127.0.0.1:9", "--user", "u", "--password", "p",
                         *bounds, stdout=io.StringIO())


class _OneAtATimeServer(WSGIServer):
    """Requests served in turn on the server thread: an in-memory SQLite database is one connection,
    shared with the test, that two requests must not use at once."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


class _SerialLiveServerThread(LiveServerThread):
    server_class = _OneAtATimeServer


@pytest.fixture
def server(transactional_db, fast_passwords) -> Iterator[str]:
    """The app served on a free loopback port, the demo scenario loaded (committed, so the server's own
    connections see it on PostgreSQL, where each request runs in its own thread and transaction)."""
    load_scenario(settings.DEMO_SCENARIO)
    user_create(actor=None, username="t.ha.load", password=TEST_PASSWORD, unit=Unit.objects.get(code="BN.HA"),
                role="officer", full_name="t.ha.load")
    database = connections["default"]
    shared = {}
    thread_class = LiveServerThread
    if database.vendor == "sqlite" and database.is_in_memory_db():  # type: ignore[attr-defined]
        shared = {"default": database}
        database.inc_thread_sharing()
        thread_class = _SerialLiveServerThread
    thread = thread_class("127.0.0.1", static_handler=_StaticFilesHandler, connections_override=shared)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    if shared:
        database.dec_thread_sharing()


def test_three_writers_for_two_seconds_lose_nothing_and_get_no_server_error(server):
    events_before = Event.objects.count()
    out = io.StringIO()
    call_command("load_writers", "--url", server, "--clients", "3", "--seconds", "2", "--user", "t.ha.load",
                 "--password", TEST_PASSWORD, stdout=out)
    text = out.getvalue()
    assert "server errors (5xx or no answer): 0" in text
    assert "lost updates: 0" in text
    writes = int(text.split("writes: ")[1].split("\n")[0])
    assert writes > 0
    assert Event.objects.count() > events_before
    assert Report.objects.filter(summary__startswith="Tải thử").count() == 1  # the one shared draft
