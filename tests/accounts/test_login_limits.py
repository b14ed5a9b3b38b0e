"""Login limits: 20 wrong passwords lock an account on the login page and the token endpoint alike,
until an exact time the message gives; logins, failures and lockouts in the change log."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import ngettext
from rest_framework.test import APIClient

from chuyende.accounts.login_limits import client_address, locked_until, retry_from
from chuyende.accounts.services import LOCKED_UNTIL, LOGIN_IP, LOGIN_VIA, login_unlock
from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.organisation.models import Unit
from tests.conftest import TEST_PASSWORD
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

LOGIN = "/dang-nhap/"
TOKEN = "/api/v1/token/"
WRONG = "not-the-password-7"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# The failures happen at 09:00:20 local time: the account is locked until 09:30:20 and the message
# tells to come back from 09:31 (the first whole minute after it), in 31 minutes.
FAILED_AT = datetime.datetime(2026, 3, 2, 9, 0, 20, tzinfo=LOCAL)
UNTIL = FAILED_AT + datetime.timedelta(minutes=30)
LOGIN_ACTIONS = ("login", "login_failed", "locked_out")


@pytest.fixture(autouse=True)
def no_throttle_history():
    """The token endpoint's rate is counted in the cache; each test starts with none."""
    cache.clear()


def in_vietnamese(singular: str, plural: str, count: int, **params: object) -> str:
    with translation.override("vi"):
        return ngettext(singular, plural, count) % params


def lockout_text(minutes: int = 31) -> str:
    return in_vietnamese(
        "This account is locked after too many failed logins. You may try again from %(time)s on "
        "%(date)s (in %(minutes)d minute).",
        "This account is locked after too many failed logins. You may try again from %(time)s on "
        "%(date)s (in %(minutes)d minutes).", minutes, time="09:31", date="02/03/2026", minutes=minutes,
    )


def page_login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def token_login(username: str, password: str):
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json")


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_the_limits_are_twenty_failures_and_thirty_minutes_by_default():
    assert settings.AXES_FAILURE_LIMIT == 20
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60


def test_twenty_wrong_passwords_on_the_page_lock_the_account_until_an_exact_time(users):
    client = Client()
    with time_machine.travel(FAILED_AT, tick=False) as clock:
        for _attempt in range(19):
            assert page_login(client, "t.hb.viewer", WRONG).status_code == 200  # the form, with its error
        twentieth = page_login(client, "t.hb.viewer", WRONG)
        assert twentieth.status_code == 429
        assert message(lockout_text()) in twentieth.content.decode()

        right = page_login(client, "t.hb.viewer", TEST_PASSWORD)
        assert right.status_code == 429 and not logged_in(client)
        assert message(lockout_text()) in right.content.decode()
        assert right["Retry-After"] == str(31 * 60 - 20)
        assert "Tài khoản này đã bị tạm khoá" in right.content.decode()
        api = token_login("t.hb.viewer", TEST_PASSWORD)
        assert api.status_code == 429 and api.json() == {"detail": lockout_text()}
        assert locked_until("t.hb.viewer") == UNTIL and retry_from(UNTIL).strftime("%H:%M") == "09:31"

        clock.move_to(UNTIL - datetime.timedelta(seconds=1))  # a second before the end: refused
        assert page_login(client, "t.hb.viewer", TEST_PASSWORD).status_code == 429
        assert token_login("t.hb.viewer", TEST_PASSWORD).status_code == 429
        clock.move_to(UNTIL + datetime.timedelta(seconds=1))  # open again
        assert locked_until("t.hb.viewer") is None
        opened = page_login(client, "t.hb.viewer", TEST_PASSWORD)
        assert opened.status_code == 302 and logged_in(client)
        assert token_login("t.hb.viewer", TEST_PASSWORD).status_code == 200


def test_twenty_wrong_passwords_on_the_token_endpoint_lock_the_page_too(users):
    with time_machine.travel(FAILED_AT, tick=False) as clock:
        for _attempt in range(19):
            assert token_login("t.hb.officer", WRONG).status_code == 400
        locked = token_login("t.hb.officer", WRONG)
        assert locked.status_code == 429 and locked.json()["detail"] == lockout_text()
        assert locked["Retry-After"] == str(31 * 60 - 20)
        assert token_login("t.hb.officer", TEST_PASSWORD).status_code == 429
        client = Client()
        page = page_login(client, "t.hb.officer", TEST_PASSWORD)
        assert page.status_code == 429 and not logged_in(client)
        assert message(lockout_text()) in page.content.decode()
        # Another account is not touched.
        assert page_login(Client(), "t.hb.viewer", TEST_PASSWORD).status_code == 302

        # Refused attempts during the lock do not push its end back.
        clock.move_to(FAILED_AT + datetime.timedelta(minutes=20))
        assert token_login("t.hb.officer", WRONG).status_code == 429
        assert locked_until("t.hb.officer") == UNTIL
        assert token_login("t.hb.officer", TEST_PASSWORD).json() == {"detail": lockout_text(minutes=11)}
        clock.move_to(UNTIL + datetime.timedelta(seconds=1))
        assert token_login("t.hb.officer", TEST_PASSWORD).status_code == 200


def test_failures_count_for_the_name_from_every_address(users):
    with time_machine.travel(FAILED_AT, tick=False):
        for attempt in range(20):
            page_login(Client(REMOTE_ADDR=f"10.0.0.{attempt + 1}"), "t.hb.viewer", WRONG)
        response = page_login(Client(REMOTE_ADDR="10.9.9.9"), "t.hb.viewer", TEST_PASSWORD)
        assert response.status_code == 429


def test_a_success_forgets_the_failures_before_it(users):
    client = Client()
    with time_machine.travel(FAILED_AT, tick=False):
        for _attempt in range(19):
            page_login(client, "t.hb.viewer", WRONG)
        assert page_login(client, "t.hb.viewer", TEST_PASSWORD).status_code == 302
        client.logout()
        for _attempt in range(19):
            page_login(client, "t.hb.viewer", WRONG)
        assert page_login(client, "t.hb.viewer", TEST_PASSWORD).status_code == 302


# --- the change log --------------------------------------------------------------------------------------


def entries_about(username: str) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(record_type="accounts.User", action__in=LOGIN_ACTIONS).order_by("pk")
    return [entry for entry in entries if (entry.after or {}).get("username") == username]


def test_logins_failures_and_the_lockout_are_in_the_change_log_never_the_password(users):
    with time_machine.travel(FAILED_AT, tick=False):
        assert page_login(Client(), "t.hb.viewer", TEST_PASSWORD).status_code == 302
        assert token_login("t.hb.viewer", TEST_PASSWORD).status_code == 200
        for _attempt in range(20):
            page_login(Client(), "t.hb.viewer", WRONG)
        page_login(Client(), "t.hb.viewer", TEST_PASSWORD)  # refused: locked
    entries = entries_about("t.hb.viewer")
    actions = [entry.action for entry in entries]
    assert actions == ["login", "login", *["login_failed"] * 20, "locked_out", "locked_out"]
    first, by_api = entries[0], entries[1]
    assert first.actor == users.viewer and first.record_id == str(users.viewer.pk)
    assert first.unit_path == users.viewer.unit.path
    assert first.after == {"username": "t.hb.viewer", LOGIN_IP: "127.0.0.1", LOGIN_VIA: LOGIN}
    assert (by_api.after or {})[LOGIN_VIA] == TOKEN
    assert entries[2].actor is None
    assert {datetime.datetime.fromisoformat((entry.after or {})[LOCKED_UNTIL]) for entry in entries[-2:]} == {
        UNTIL}
    stored = json.dumps([entry.after for entry in AuditEntry.objects.all()])
    assert WRONG not in stored and TEST_PASSWORD not in stored


def test_the_change_log_page_shows_the_logins_in_vietnamese(users, client_for):
    with time_machine.travel(FAILED_AT, tick=False):
        for _attempt in range(20):
            page_login(Client(), "t.hb.viewer", WRONG)
    html = client_for(users.owner).get("/nhat-ky/", {"type": "accounts.User"}).content.decode()
    for label in ("Login failed", "Login locked", "IP address", "Through", "Locked until", "Not logged in"):
        assert message(label) in html
    assert "02/03/2026 09:30" in html  # the locked-until time, local
    assert "127.0.0.1" in html and LOGIN in html


def test_a_name_of_nobody_is_logged_at_the_top_of_the_tree(users):
    page_login(Client(), "nobody.here", WRONG)
    [entry] = entries_about("nobody.here")
    assert (entry.action, entry.record_id, entry.record_label) == ("login_failed", "", "nobody.here")
    assert entry.unit_path == Unit.objects.get(code="BN").path and entry.actor is None


def test_a_login_made_in_code_is_not_logged_and_client_login_still_works(users):
    before = AuditEntry.objects.count()
    Client().force_login(users.viewer)
    assert AuditEntry.objects.count() == before
    assert Client().login(username="t.hb.viewer", password=TEST_PASSWORD)


# --- unlocking -------------------------------------------------------------------------------------------


def lock(username: str) -> None:
    for _attempt in range(20):
        page_login(Client(), username, WRONG)
    assert locked_until(username) is not None


def test_an_administrator_of_the_unit_unlocks_at_once_and_it_is_logged(users):
    lock("t.hb.viewer")
    with pytest.raises(NotAllowed):
        login_unlock(actor=users.owner, user=users.viewer)  # an officer, not an administrator
    with pytest.raises(NotInScope):
        login_unlock(actor=users.outsiders["admin"], user=users.viewer)
    assert locked_until("t.hb.viewer") is not None
    admin = users.outsiders["admin"]
    admin.unit = users.viewer.unit
    admin.save(update_fields=["unit"])
    assert login_unlock(actor=admin, user=users.viewer) == 1
    assert locked_until("t.hb.viewer") is None
    assert page_login(Client(), "t.hb.viewer", TEST_PASSWORD).status_code == 302
    [entry] = AuditEntry.objects.filter(action="unlocked")
    assert (entry.actor, entry.record_id) == (admin, str(users.viewer.pk))


def test_the_axes_reset_username_command_unlocks(users):
    lock("t.hb.viewer")
    call_command("axes_reset_username", "t.hb.viewer", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not AccessAttempt.objects.filter(username="t.hb.viewer").exists()
    assert page_login(Client(), "t.hb.viewer", TEST_PASSWORD).status_code == 302


# --- the token endpoint's rate ---------------------------------------------------------------------------


def test_the_token_endpoint_answers_429_in_vietnamese_past_its_rate(users):
    with time_machine.travel(FAILED_AT, tick=False):
        for attempt in range(30):
            assert token_login(f"nobody.{attempt}", WRONG).status_code == 400
        throttled = token_login("t.hb.viewer", TEST_PASSWORD)
    assert throttled.status_code == 429 and throttled["Retry-After"] == "60"
    assert throttled.json() == {"detail": in_vietnamese(
        "Too many token requests from this address. Please try again in %(seconds)d second.",
        "Too many token requests from this address. Please try again in %(seconds)d seconds.",
        60, seconds=60)}
    assert "Địa chỉ này" in throttled.json()["detail"]


def test_a_login_name_longer_than_any_is_refused_by_the_token_endpoint(users):
    response = token_login("x" * 300, WRONG)
    assert response.status_code == 400 and "username" in response.json()["errors"]
    assert not AccessAttempt.objects.exists()


def test_the_client_address_is_the_one_the_trusted_proxy_added(settings):
    request = RequestFactory(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7").get("/")
    settings.PROXY_COUNT = 0
    assert client_address(request) == "127.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.7"  # not what the client wrote itself
    assert client_address(RequestFactory(REMOTE_ADDR="10.1.1.1").get("/")) == "10.1.1.1"


def test_behind_a_proxy_the_change_log_has_the_client_address(users, settings):
    settings.PROXY_COUNT = 1
    Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4").post(
        LOGIN, {"username": "t.hb.viewer", "password": WRONG})
    [entry] = entries_about("t.hb.viewer")
    assert (entry.after or {})[LOGIN_IP] == "198.51.100.4"
