"""The change log page: admins and officers only, scoped to the subtree, filter, pages, before -> after."""

import datetime
import re

import pytest
from django.utils import timezone

from chuyende.accounts.services import api_token_replace
from chuyende.audit.display import show
from chuyende.audit.models import AuditEntry
from chuyende.organisation.models import Unit
from chuyende.organisation.services import unit_update

pytestmark = pytest.mark.django_db


def _rename(actor, code: str, name: str) -> Unit:
    unit = Unit.objects.get(code=code)
    return unit_update(actor=actor, unit=unit, code=unit.code, name=name, kind=unit.kind,
                       tracking=unit.tracking, parent=unit.parent, opened_on=unit.opened_on,
                       closed_on=unit.closed_on)


def test_viewer_and_reporter_get_403(users, client_for):
    assert client_for(users.viewer).get("/nhat-ky/").status_code == 403
    assert client_for(users.reporter).get("/nhat-ky/").status_code == 403
    assert client_for(users.outsiders["viewer"]).get("/nhat-ky/").status_code == 403


def test_officer_sees_changes_of_the_subtree_only(users, client_for):
    _rename(None, "BN.HA.HB.DONG", "Chi bộ thôn Đông Mới")
    _rename(None, "BN.HA.HP.PM", "Chi bộ thôn Phú Mỹ Mới")
    html = client_for(users.owner).get("/nhat-ky/", {"type": "organisation.Unit"}).content.decode()
    assert "Chi bộ thôn Đông Mới" in html
    assert "Phú Mỹ" not in html
    html = client_for(users.outsiders["officer"]).get("/nhat-ky/").content.decode()
    assert "Chi bộ thôn Phú Mỹ Mới" in html and "Đông Mới" not in html


def test_entry_shows_who_when_and_before_after(users, client_for):
    _rename(users.owner, "BN.HA.HB.TAY", "Chi bộ thôn Tây B")
    entry = AuditEntry.objects.filter(record_type="organisation.Unit", action="update").first()
    assert entry is not None
    response = client_for(users.owner).get("/nhat-ky/", {"type": "organisation.Unit"})
    assert response.status_code == 200
    html = response.content.decode()
    local = timezone.localtime(entry.at)
    assert local.strftime("%d/%m/%Y %H:%M") in html
    assert "t.hb.officer" in html
    row = response.context["rows"][0]
    assert row.entry == entry
    assert [(c.before, c.after) for c in row.changes] == [("Chi bộ thôn Tây", "Chi bộ thôn Tây B")]
    assert re.search(r'<dt>Tên</dt><dd><span class="before">Chi bộ thôn Tây</span> → '
                     r'<span class="after">Chi bộ thôn Tây B</span>', html)


def test_filter_by_record_type(users, client_for):
    client = client_for(users.owner)
    response = client.get("/nhat-ky/", {"type": "members.Member"})
    rows = response.context["rows"]
    assert rows and {row.entry.record_type for row in rows} == {"members.Member"}
    types = dict(response.context["form"].fields["type"].choices)
    assert "members.Member" in types and "organisation.Unit" in types


def test_paginated_by_twenty(users, client_for, django_assert_num_queries):
    client = client_for(users.owner)
    total = client.get("/nhat-ky/").context["page"].paginator.count
    assert total > 20  # the scenario's roster alone writes more than a page
    # session, user, unit, types stored, units and users offered, count, page, and the names of the
    # records linked from this page's entries: one query a kind (campaign, unit, member)
    with django_assert_num_queries(11):
        first = client.get("/nhat-ky/")
    assert len(first.context["rows"]) == 20
    last = client.get("/nhat-ky/", {"page": "999"})
    assert len(last.context["rows"]) == total - 20 * (last.context["page"].number - 1)


def test_dates_in_values_read_dd_mm_yyyy(users, client_for):
    unit = Unit.objects.get(code="BN.HA.HB.TH")
    unit_update(actor=users.owner, unit=unit, code=unit.code, name=unit.name, kind=unit.kind,
                tracking=unit.tracking, parent=unit.parent, opened_on=None,
                closed_on=datetime.date(2025, 7, 1))
    response = client_for(users.owner).get("/nhat-ky/", {"type": "organisation.Unit"})
    assert "01/07/2025" in response.content.decode()


def test_a_new_api_token_shows_the_days_the_tokens_were_made_never_the_key(users, client_for):
    first, _replaced = api_token_replace(user=users.owner)
    second, _replaced = api_token_replace(user=users.owner)
    html = client_for(users.owner).get("/nhat-ky/", {"type": "accounts.User"}).content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert "Ngày tạo mã truy cập API" in html and today in html
    assert first.key not in html and second.key not in html


def test_stored_times_read_local_and_text_that_looks_like_one_stays_as_it_is():
    assert show("2026-03-02T02:30:20+00:00") == "02/03/2026 09:30"
    assert show("2024-01-01 10:00 họp chi bộ") == "2024-01-01 10:00 họp chi bộ"
