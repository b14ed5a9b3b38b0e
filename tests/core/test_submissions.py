"""One record per submission: `@submitted_once` and the form's one-time key ({% submission_key %})."""

import re
import uuid

import pytest
from django.test import RequestFactory
from django.urls import reverse

from chuyende.audit.models import AuditEntry
from chuyende.core.models import SubmittedForm
from chuyende.core.submissions import FIELD_NAME, new_key
from chuyende.events.models import Event
from chuyende.returns.models import MemberReturn
from tests.events.test_views_events import event_data
from tests.returns.test_views_returns import member_return_data
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.django_db

ALREADY_SAVED = "This form had already been saved; it was not saved a second time."
TITLE = "Hội nghị học tập Chuyên đề (thử)"


def keyed(data: dict[str, object], key: str | None = None) -> dict[str, object]:
    return {**data, FIELD_NAME: key or str(uuid.uuid4())}


def hb_event(scenario, title: str = TITLE) -> dict[str, object]:
    sites: list[dict[str, object]] = [{"unit": "BN.HA.HB", "other_members": 4}]
    return event_data(scenario, organiser="BN.HA.HB", sites=sites, title=title)


def test_the_create_page_carries_a_fresh_key(users, client_for):
    client = client_for(users.owner)
    keys = [re.search(rf'name="{FIELD_NAME}" value="([0-9a-f-]+)"',
                      client.get(reverse("events:create")).content.decode()) for _ in range(2)]
    assert all(keys)
    assert keys[0].group(1) != keys[1].group(1)  # type: ignore[union-attr]


def test_two_identical_event_posts_create_one_event(users, client_for, scenario):
    client = client_for(users.owner)
    data = keyed(hb_event(scenario))
    first = client.post(reverse("events:create"), data)
    second = client.post(reverse("events:create"), data, follow=True)
    created = Event.objects.get(title=TITLE)
    assert first.status_code == 302 and first.url == reverse("events:detail", args=[created.pk])
    assert second.redirect_chain == [(first.url, 302)]  # to what the first one saved
    assert message(ALREADY_SAVED) in second.content.decode()
    assert AuditEntry.objects.filter(record_type="events.Event", record_id=str(created.pk)).count() == 1


def test_two_identical_return_posts_save_one_return(users, client_for, scenario):
    client = client_for(users.outsiders["officer"])
    data = keyed(member_return_data(scenario))
    client.post(reverse("returns:member_create"), data)
    audit_before = AuditEntry.objects.count()
    second = client.post(reverse("returns:member_create"), data, follow=True)
    assert message(ALREADY_SAVED) in second.content.decode()
    assert MemberReturn.objects.filter(unit__code="BN.HA.HP.PM", as_of="2024-04-30").count() == 1
    assert AuditEntry.objects.count() == audit_before  # the second one wrote nothing at all


def test_a_form_sent_back_with_errors_keeps_its_key_free_for_the_corrected_one(users, client_for, scenario):
    client = client_for(users.owner)
    key = str(uuid.uuid4())
    refused = client.post(reverse("events:create"), keyed(hb_event(scenario, title=""), key))
    assert refused.status_code == 200
    assert f'name="{FIELD_NAME}" value="{key}"' in refused.content.decode()  # the same key, still unused
    assert not SubmittedForm.objects.filter(key=key).exists()
    saved = client.post(reverse("events:create"), keyed(hb_event(scenario), key))
    assert saved.status_code == 302
    assert Event.objects.filter(title=TITLE).count() == 1


def test_another_users_key_saves_nothing_and_tells_nothing(users, client_for, scenario):
    key = str(uuid.uuid4())
    client_for(users.owner).post(reverse("events:create"), keyed(hb_event(scenario), key))
    before = table_counts()
    other = client_for(users.outsiders["officer"]).post(
        reverse("returns:member_create"), keyed(member_return_data(scenario), key)
    )
    assert other.status_code == 409  # the key is taken: never a redirect to the other user's record
    assert table_counts() == before


def test_posts_without_a_key_are_handled_as_before(users, client_for, scenario):
    client = client_for(users.owner)
    client.post(reverse("events:create"), hb_event(scenario))
    client.post(reverse("events:create"), hb_event(scenario))
    assert Event.objects.filter(title=TITLE).count() == 2
    assert not SubmittedForm.objects.exists()


def test_a_malformed_key_counts_as_no_key():
    request = RequestFactory().post("/", {FIELD_NAME: "not-a-uuid"})
    assert uuid.UUID(new_key(request))  # a fresh one is issued
