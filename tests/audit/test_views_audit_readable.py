"""The change log as people read it: Vietnamese actions and fields, values as on the pages, folded
snapshots, and the filters by unit, user, action and dates, all inside the user's subtree."""

import datetime

import pytest
from django.utils import timezone

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.audit.services import record_change, snapshot
from chuyende.campaigns.models import Campaign
from chuyende.organisation.models import Unit
from chuyende.reports.models import Report
from chuyende.reports.services import report_return
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db


def _html(client, **params) -> str:
    response = client.get("/nhat-ky/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_returned_report_reads_in_vietnamese_with_labels_and_names(users, client_for):
    district = User.objects.create(username="t.ha.officer", unit=Unit.objects.get(code="BN.HA"),
                                   role="officer")
    report = Report.objects.get(unit__code="BN.HA.HB")
    report_return(actor=district, report=report, on=datetime.date(2024, 3, 31), comment="Bổ sung số liệu")
    html = _html(client_for(users.owner), action="return")
    assert translated("Returned for correction") in html
    assert f"<dt>{translated('status').capitalize()}</dt>" in html  # the field's Vietnamese name
    # the choices by their labels
    assert translated("Submitted") in html and translated("Returned for correction") in html
    assert "Bổ sung số liệu" in html and "31/03/2024" in html
    assert "review_comment" not in html and "returned" not in html


def test_numbers_booleans_and_linked_records_as_on_the_pages(users, client_for):
    campaign = Campaign.objects.get()
    before = snapshot(campaign)
    after = {**before, "target_rate": "1234.50"}
    record_change(actor=users.owner, action="update", record=campaign, unit_path=users.owner.unit.path,
                  before=before, after=after)
    user = users.reporter
    record_change(actor=users.owner, action="update", record=user, unit_path=user.unit.path,
                  before={"is_active": True}, after={"is_active": False})
    html = _html(client_for(users.owner))
    assert "1.234,50" in html
    assert '<span class="before">Có</span> → <span class="after">Không</span>' in html


def test_a_created_record_is_folded(users, client_for):
    client = client_for(users.owner)
    rows = client.get("/nhat-ky/", {"action": "create", "type": "members.Member"}).context["rows"]
    assert rows and all(row.whole_record and not row.shown and row.folded for row in rows)
    html = _html(client, action="create", type="members.Member")
    assert '<details class="audit-more">' in html
    assert "<dt>Đơn vị</dt><dd>Chi bộ" in html  # the unit by its name, not its id


def test_filter_by_unit_stays_in_the_subtree(users, client_for):
    client = client_for(users.owner)
    rows = client.get("/nhat-ky/", {"unit": "BN.HA.HB.DONG"}).context["rows"]
    dong = Unit.objects.get(code="BN.HA.HB.DONG")
    assert rows and all(row.entry.unit_path.startswith(dong.path) for row in rows)
    response = client.get("/nhat-ky/", {"unit": "BN.HA.HP"})  # another commune: not offered, no entry of it
    assert "unit" in response.context["form"].errors
    hp = Unit.objects.get(code="BN.HA.HP")
    assert not any(row.entry.unit_path.startswith(hp.path) for row in response.context["rows"])


def test_filter_by_user_action_and_dates(users, client_for):
    unit = users.owner.unit
    record_change(actor=users.reporter, action="update", record=unit, unit_path=unit.path,
                  before={"name": "A"}, after={"name": "B"})
    entry = AuditEntry.objects.latest("id")
    AuditEntry.objects.filter(pk=entry.pk).update(
        at=timezone.make_aware(datetime.datetime(2026, 5, 10, 23, 30)))  # local time
    client = client_for(users.owner)
    rows = client.get("/nhat-ky/", {"actor": users.reporter.pk}).context["rows"]
    assert [row.entry.pk for row in rows] == [entry.pk]
    updates = client.get("/nhat-ky/", {"action": "update"}).context["rows"]
    assert {row.entry.action for row in updates} == {"update"}
    on_day = client.get("/nhat-ky/", {"date_from": "10/05/2026", "date_to": "10/5/2026"}).context["rows"]
    assert [row.entry.pk for row in on_day] == [entry.pk]
    after = client.get("/nhat-ky/", {"date_from": "11/05/2026", "actor": users.reporter.pk})
    assert after.context["page"].paginator.count == 0
    response = client.get("/nhat-ky/", {"date_from": "12/05/2026", "date_to": "10/05/2026"})
    assert "date_to" in response.context["form"].errors


def test_someone_of_another_subtree_is_not_offered_and_their_entries_stay_hidden(users, client_for):
    outsider = users.outsiders["officer"]
    unit = outsider.unit
    record_change(actor=outsider, action="update", record=unit, unit_path=unit.path,
                  before={"name": "Hòa Phú"}, after={"name": "Hòa Phú Bí Mật"})
    client = client_for(users.owner)
    response = client.get("/nhat-ky/", {"actor": outsider.pk})
    assert "actor" in response.context["form"].errors
    assert "Bí Mật" not in response.content.decode()
    assert "Bí Mật" not in _html(client)


def test_local_times_and_twenty_a_page_for_a_phone(users, client_for):
    response = client_for(users.owner).get("/nhat-ky/")
    row = response.context["rows"][0]
    assert row.local_time == timezone.localtime(row.entry.at).strftime("%d/%m/%Y %H:%M")
    assert len(response.context["rows"]) == 20
