"""The change log follows a unit by id: after a restructuring moved a cell, the officers of its new
commune see the entries written while it was elsewhere."""

import pytest
from django.conf import settings

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.audit.selectors import audit_entries_for
from chuyende.demo.scenario import load_scenario
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("db")


def test_entries_of_a_moved_cell_follow_it_to_its_new_commune(scenario):
    cell = unit("BN.HA.HB.DONG")
    written = AuditEntry.objects.filter(unit_id=cell.pk)
    assert written.exists() and all(entry.unit_path.startswith(unit("BN.HA.HB").path) for entry in written)
    load_scenario(settings.DEMO_REFORM)
    officer = User.objects.create(username="t.hbp", unit=unit("BN.HBP"), role="officer")
    seen = audit_entries_for(actor=officer)
    assert set(written.values_list("pk", flat=True)) <= set(seen.values_list("pk", flat=True))
    outsider = User.objects.create(username="t.tt", unit=unit("BN.HA.TT"), role="officer")
    assert not audit_entries_for(actor=outsider).filter(unit_id=cell.pk).exists()
