"""API token services: made once or replaced, each change audited on the user without the key."""

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from chuyende.accounts.services import API_TOKEN_CHANGE, api_token_get_or_create, api_token_replace
from chuyende.audit.models import AuditEntry

pytestmark = pytest.mark.usefixtures("db")


def token_entries(user) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(record_type="accounts.User", record_id=str(user.pk)).order_by("pk")
    return [entry for entry in entries if API_TOKEN_CHANGE in (entry.after or {})]


def today() -> str:
    return timezone.localdate().isoformat()


def test_a_token_is_made_once_and_audited_once(actors):
    first = api_token_get_or_create(user=actors.viewer)
    again = api_token_get_or_create(user=actors.viewer)
    assert again.key == first.key
    [entry] = token_entries(actors.viewer)
    assert entry.actor == actors.viewer
    assert (entry.before, entry.after) == ({API_TOKEN_CHANGE: None}, {API_TOKEN_CHANGE: today()})
    assert entry.unit_path == actors.viewer.unit.path


def test_replacing_stops_the_old_token_and_is_audited(actors):
    first, replaced = api_token_replace(user=actors.owner)
    assert not replaced
    second, replaced = api_token_replace(user=actors.owner)
    assert replaced and second.key != first.key
    assert list(Token.objects.filter(user=actors.owner).values_list("key", flat=True)) == [second.key]
    entries = token_entries(actors.owner)
    assert [entry.before for entry in entries] == [{API_TOKEN_CHANGE: None}, {API_TOKEN_CHANGE: today()}]


def test_the_key_is_never_written_in_the_change_log(actors):
    keys = [api_token_replace(user=actors.reporter)[0].key, api_token_get_or_create(user=actors.viewer).key]
    for entry in AuditEntry.objects.all():
        text = f"{entry.record_id} {entry.record_label} {entry.before} {entry.after}"
        assert not any(key in text for key in keys)
