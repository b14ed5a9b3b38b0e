"""The levels page: administrators and officers of the top unit; everyone else is refused (403)."""

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.organisation.models import Level, Unit

pytestmark = pytest.mark.django_db

LEVELS = reverse("accounts:levels")


def test_an_administrator_lists_renames_and_adds_levels(users, client_for):
    client = client_for(users.outsiders["admin"])  # an administrator (of Hòa Phú)
    assert client.get(LEVELS).status_code == 200
    deepest = Level.objects.order_by("-depth")[0]
    assert client.post(LEVELS, {"name": "Tổ đảng"}).status_code == 302
    assert Level.objects.get(depth=deepest.depth + 1).name == "Tổ đảng"
    level = Level.objects.get(depth=1)
    renamed = client.post(reverse("accounts:level_edit", args=[level.pk]), {"name": "Tỉnh ủy"})
    assert renamed.status_code == 302
    assert Level.objects.get(depth=1).name == "Tỉnh ủy"
    entry = AuditEntry.objects.filter(record_type="organisation.Level", record_id=str(level.pk)).get()
    assert entry.unit_path == Unit.objects.get(parent=None).path


def test_an_empty_name_is_a_field_error(users, client_for):
    response = client_for(users.outsiders["admin"]).post(LEVELS, {"name": "  "})
    assert response.status_code == 200 and response.context["form"].errors["name"]


def test_officers_of_the_top_unit_manage_levels(users, client_for):
    officer = User.objects.create(username="top.officer", unit=Unit.objects.get(parent=None), role="officer")
    assert client_for(officer).get(LEVELS).status_code == 200


@pytest.mark.parametrize("who", ["owner", "reporter", "viewer"])
def test_others_are_refused(who, users, client_for):
    client = client_for(getattr(users, who))
    level = Level.objects.get(depth=1)
    assert client.get(LEVELS).status_code == 403
    assert client.post(LEVELS, {"name": "X"}).status_code == 403
    assert client.post(reverse("accounts:level_edit", args=[level.pk]), {"name": "X"}).status_code == 403
    assert Level.objects.get(depth=1).name == level.name


def test_an_unknown_level_is_not_found(users, client_for):
    client = client_for(users.outsiders["admin"])
    assert client.get(reverse("accounts:level_edit", args=[9999])).status_code == 404
