"""Entry without a connection (chuyende/core/offline.py): the service worker at /sw.js, its offline
pages, the forms marked `data-offline`, and a kept entry sent twice saving one record."""

import json
import re
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from chuyende.audit.models import AuditEntry
from chuyende.core.offline import SHELL
from chuyende.events.models import Attendance, Event
from tests.core.test_security_headers import policy_of
from tests.core.test_submissions import ALREADY_SAVED, TITLE, hb_event
from tests.events.test_views_events import event, member_ids
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db
CDN = re.compile(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|googleapis|unpkg|jsdelivr|cdnjs", re.I)


def config_of(script: str) -> dict:
    return json.loads(re.search(r"^const CONFIG = (\{.*\});$", script, re.M).group(1))  # type: ignore[union-attr]


def test_the_service_worker_is_served_at_the_root_with_its_headers(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert reverse("service_worker") == "/sw.js"  # the root: its scope is the whole site
    script = response.content.decode()
    assert 'importScripts("/static/vendor/workbox/workbox-sw.js");' in script
    assert 'modulePathPrefix: "/static/vendor/workbox/", debug: false' in script
    assert not CDN.search(script), CDN.search(script)
    # The name of the setting as workbox-sw.js reads it (a misspelt one falls back to Google's CDN).
    library = (settings.BASE_DIR / "chuyende/static/vendor/workbox/workbox-sw.js").read_text()
    assert "modulePathPrefix" in library and "modulesPathPrefix" not in library


def test_the_service_worker_lists_the_shell_with_versions(client):
    config = config_of(client.get("/sw.js").content.decode())
    precached = {entry["url"]: entry["revision"] for entry in config["precache"]}
    for name in SHELL:
        assert re.fullmatch(r"[0-9a-f]{16}", precached[f"/static/{name}"]), name
    assert {config["offlineUrl"], config["unsentUrl"]} <= set(precached)
    assert config["text"]["loggedOut"] == "Bạn đã bị đăng xuất: hãy đăng nhập lại rồi gửi lại."


def test_the_worker_and_its_pages_pass_the_gates_of_an_account(users, client_for):
    users.reporter.must_change_password = True
    users.reporter.save(update_fields=["must_change_password"])
    client = client_for(users.reporter)
    for url in ("/sw.js", reverse("offline:page"), reverse("offline:unsent")):
        assert client.get(url).status_code == 200, url  # never a redirect: it would stop the worker


def test_the_pages_allow_the_worker(users, client_for):
    policy = policy_of(client_for(users.reporter).get(reverse("figures:dashboard")))
    assert policy["worker-src"] == "'self'"


def test_the_offline_pages_hold_nothing_of_the_person(users, client_for):
    client = client_for(users.reporter)
    pages = ((reverse("offline:page"), "Không có kết nối"), (reverse("offline:unsent"), "Mục chưa gửi"))
    for url, heading in pages:
        html = client.get(url).content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert users.reporter.username not in html and users.reporter.get_full_name() not in html
        assert "csrfmiddlewaretoken" not in html
        assert 'id="offline-ui"' in html and "/static/js/offline.js" in html


def test_a_logged_in_page_registers_the_worker(users, client_for):
    html = client_for(users.reporter).get(reverse("figures:dashboard")).content.decode()
    assert 'data-worker="/sw.js"' in html
    assert f'data-user="{users.reporter.pk}"' in html
    assert "/static/vendor/workbox/workbox-window.prod.umd.js" in html
    assert "data-offline" not in Client().get(reverse("login")).content.decode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_forms_of_a_cell_are_marked_offline_and_keyed(users):
    client = logged_in(users.owner)
    reporter = logged_in(users.outsiders["officer"])  # the returns of a unit are sent by its own people
    e4a = event("E4a")
    site = e4a.sites.get()
    for url, page_client in ((reverse("events:create"), client),
                             (reverse("events:attendees", args=[e4a.pk, site.unit_id]), client),
                             (reverse("returns:member_create"), reporter),
                             (reverse("returns:non_member_create"), reporter),
                             (reverse("returns:partial_create"), reporter)):
        html = page_client.get(url).content.decode()
        form = re.search(r"<form method=\"post\"[^>]*data-offline[^>]*>.*?</form>", html, re.S)
        assert form and 'name="submission_key"' in form.group(0), url
    # Changing what exists is not done from a copy kept offline.
    assert "data-offline" not in client.get(reverse("events:edit", args=[e4a.pk])).content.decode()


def rendered_tokens(client: Client, url: str) -> dict[str, str]:
    html = client.get(url).content.decode()
    return {name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
            for name in ("csrfmiddlewaretoken", "submission_key")}


def kept_entry(client: Client, url: str, data: dict[str, object]) -> dict[str, object]:
    """What the service worker sends again: the form as posted (its token, its key, the marker)."""
    return {**data, **rendered_tokens(client, url),
            "offline_entry": json.dumps({"label": "x", "summary": "", "user": "1"})}


def csrf_checked_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)  # the token in the kept form must pass
    client.force_login(user)
    return client


def test_an_event_kept_offline_and_sent_twice_is_saved_once(users, scenario):
    client = csrf_checked_client(users.owner)
    body = kept_entry(client, reverse("events:create"), hb_event(scenario))
    first = client.post(reverse("events:create"), body)
    created = Event.objects.get(title=TITLE)
    assert first.status_code == 302 and first["Location"] == reverse("events:detail", args=[created.pk])
    before = table_counts()
    second = client.post(reverse("events:create"), body, follow=True)
    assert second.redirect_chain == [(first["Location"], 302)]  # to what the first one saved
    assert message(ALREADY_SAVED) in second.content.decode()
    assert table_counts() == before
    assert Event.objects.filter(title=TITLE).count() == 1


def test_attendees_kept_offline_and_sent_twice_are_saved_once(users, scenario):
    client = csrf_checked_client(users.owner)
    e4a = event("E4a")
    site = e4a.sites.get()
    url = reverse("events:attendees", args=[e4a.pk, site.unit_id])
    body = kept_entry(client, url, {"members": member_ids("HB-DONG-04", "HB-DONG-05")})
    assert client.post(url, body).status_code == 302
    audit_before = AuditEntry.objects.count()
    second = client.post(url, body, follow=True)
    assert message(ALREADY_SAVED) in second.content.decode()
    assert AuditEntry.objects.count() == audit_before  # the second one wrote nothing at all
    named = Attendance.objects.filter(site__event=e4a, site__unit=site.unit)  # sites are rewritten on save
    assert set(named.values_list("member__code", flat=True)) == {
        "HB-DONG-04", "HB-DONG-05"}


def test_a_kept_entry_with_a_stale_token_is_refused_and_saves_nothing(users, scenario):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.owner)
    before = table_counts()
    body = {**hb_event(scenario), "csrfmiddlewaretoken": "x" * 64, "submission_key": str(uuid.uuid4())}
    assert client.post(reverse("events:create"), body).status_code == 403
    assert table_counts() == before
