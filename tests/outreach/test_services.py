"""Outreach services: update and delete with their audit, bad input refused with nothing written."""

from typing import Any

import pytest

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.outreach.models import Outreach
from chuyende.outreach.services import outreach_create, outreach_delete, outreach_update
from tests.builders import D, forbidden, refused
from tests.conftest import unit

pytestmark = pytest.mark.usefixtures("db")


def hb_outreach() -> Outreach:
    # Hòa Bình's scenario outreach: 12 oral sessions on 15/03/2024 reaching 640 person-times.
    return Outreach.objects.get(unit__code="BN.HA.HB")


def values(**changes: Any) -> dict[str, Any]:
    base = {"unit": unit("BN.HA.HB.DONG"), "held_on": D(2024, 3, 22), "channel": "loudspeaker",
            "sessions": 3, "reach": None, "note": "Loa truyền thanh thôn Đông"}
    return {**base, **changes}


def test_update_changes_the_record_and_keeps_before_and_after(actors):
    record = hb_outreach()
    saved = outreach_update(actor=actors.owner, outreach=record, **values())
    saved.refresh_from_db()
    assert (saved.unit.code, saved.held_on, saved.channel, saved.sessions, saved.reach) == (
        "BN.HA.HB.DONG", D(2024, 3, 22), "loudspeaker", 3, None,
    )
    entry = AuditEntry.objects.filter(record_type="outreach.Outreach", record_id=str(record.pk)).latest("id")
    assert entry.action == "update"
    assert entry.before is not None and entry.after is not None
    assert (entry.before["sessions"], entry.before["reach"]) == (12, 640)
    assert (entry.after["sessions"], entry.after["reach"]) == (3, None)
    assert entry.unit_path == unit("BN.HA.HB.DONG").path


def test_delete_removes_the_record_and_keeps_a_copy(actors):
    record = hb_outreach()
    pk = record.pk
    outreach_delete(actor=actors.owner, outreach=record)
    assert not Outreach.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(record_type="outreach.Outreach", record_id=str(pk), action="delete")
    assert entry.after is None
    assert entry.before is not None and entry.before["reach"] == 640


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("sessions", {"sessions": -1}),
        ("sessions", {"sessions": 0}),
        ("sessions", {"sessions": 0, "reach": 120}),  # reach without a session
        ("sessions", {"sessions": 10_001}),
        ("reach", {"reach": -5}),
        ("reach", {"reach": 10_000_001}),
        ("held_on", {"held_on": D(2025, 1, 5)}),  # after the campaign
        ("held_on", {"held_on": D(2023, 12, 31)}),  # before it
        ("channel", {"channel": "pigeon"}),
    ],
)
def test_bad_input_is_refused_on_the_field_and_nothing_changes(actors, field, changes):
    record = hb_outreach()
    rows = Outreach.objects.count()
    before = (record.unit_id, record.held_on, record.channel, record.sessions, record.reach, record.note)
    refused(field, outreach_update, actor=actors.owner, outreach=record, **values(**changes))
    record.refresh_from_db()
    assert (record.unit_id, record.held_on, record.channel, record.sessions, record.reach,
            record.note) == before
    refused(field, outreach_create, actor=actors.owner, campaign=record.campaign, **values(**changes))
    assert Outreach.objects.count() == rows


def test_bounds_themselves_are_accepted(actors, scenario_module):
    saved = outreach_create(actor=actors.owner, campaign=scenario_module,
                            **values(sessions=10_000, reach=10_000_000))
    assert (saved.sessions, saved.reach) == (10_000, 10_000_000)
    saved = outreach_update(actor=actors.owner, outreach=saved, **values(sessions=1, reach=0))
    assert (saved.sessions, saved.reach) == (1, 0)


def test_messages_name_the_field():
    from django.utils import translation

    record = hb_outreach()
    with translation.override("en"):
        error = refused("sessions", outreach_update, actor=None, outreach=record,
                        **values(sessions=0, reach=120))
        assert "Sessions must be at least 1" in error.message_dict["sessions"][0]
        assert "120 person-times" in error.message_dict["sessions"][0]
        error = refused("reach", outreach_update, actor=None, outreach=record, **values(reach=20_000_000))
        assert error.message_dict["reach"] == [
            "Person-times reached cannot exceed 10.000.000 on one record; check the number."
        ]
        error = refused("sessions", outreach_update, actor=None, outreach=record, **values(sessions=-2))
        assert error.message_dict["sessions"] == ["Sessions cannot be negative."]


def test_viewer_and_outsiders_cannot_change_or_delete(actors):
    record = hb_outreach()
    forbidden(NotAllowed, outreach_update, actor=actors.viewer, outreach=record, **values())
    forbidden(NotAllowed, outreach_delete, actor=actors.viewer, outreach=record)
    for outsider in actors.outsiders.values():
        forbidden(NotInScope, outreach_update, actor=outsider, outreach=record,
                  **values(unit=unit("BN.HA.HP")))
        forbidden(NotInScope, outreach_delete, actor=outsider, outreach=record)
    assert Outreach.objects.filter(pk=record.pk, sessions=12).exists()


def test_moving_outreach_out_of_the_subtree_is_refused(actors):
    record = hb_outreach()
    forbidden(NotInScope, outreach_update, actor=actors.owner, outreach=record,
              **values(unit=unit("BN.HA.HP")))
    record.refresh_from_db()
    assert record.unit.code == "BN.HA.HB"


def test_reporter_moves_outreach_of_their_unit_to_one_of_its_cells(actors):
    record = hb_outreach()
    saved = outreach_update(actor=actors.reporter, outreach=record, **values())
    assert saved.unit.code == "BN.HA.HB.DONG"
