import datetime

import pytest
from django.core.exceptions import ValidationError

from chuyende.accounts.models import User
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.events.services import SiteData, event_create
from chuyende.members.models import Member
from chuyende.reports.figures import live_figures
from chuyende.reports.models import Report
from chuyende.reports.services import (
    ReportConflict,
    report_accept,
    report_create,
    report_return,
    report_submit,
    report_update,
)
from chuyende.reports.submissions import completeness_of
from chuyende.returns.services import member_return_save
from tests.conftest import unit

MARCH_31 = datetime.date(2024, 3, 31)

pytestmark = pytest.mark.usefixtures("db")


def test_scenario_completeness_at_the_study_deadline(scenario_module):
    completeness = completeness_of(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31)
    assert len(completeness.expected) == 5
    assert len(completeness.submitted) == 4
    assert [s.unit.code for s in completeness.on_time] == ["BN.HA.HB", "BN.HA.HP", "BN.HA.YT"]
    assert [s.unit.code for s in completeness.late] == ["BN.HA.TT"]
    assert [ref.code for ref in completeness.missing] == ["BN.HA.THPT"]


def test_a_report_not_yet_sent_by_the_date_is_missing(scenario_module):
    completeness = completeness_of(unit=unit("BN.HA"), campaign=scenario_module,
                                       as_of=datetime.date(2024, 3, 24))
    assert [ref.code for ref in completeness.missing] == ["BN.HA.HP", "BN.HA.TT", "BN.HA.THPT"]


def _draft(campaign, code="BN.HA", **fields):
    return report_create(actor=None, campaign=campaign, unit=unit(code), as_of=MARCH_31,
                         signer_name="Nguyễn Văn An", **fields)


def test_a_submitted_snapshot_does_not_change_when_data_changes(scenario_module):
    report = report_submit(actor=None, report=_draft(scenario_module), on=MARCH_31)
    frozen = Report.objects.get(pk=report.pk).snapshot
    assert frozen is not None
    assert frozen["figures"]["party_members"]["studied"] == 256

    # Data changes after submission: Thị trấn's return of 31/03 is corrected, and a Hòa Bình member
    # who had not studied attends a make-up meeting. The live figures move; the snapshot must not.
    member_return_save(actor=None, campaign=scenario_module, unit=unit("BN.HA.TT.KP1"),
                       as_of=MARCH_31, members_total=60, exempt=0, away=0, studied=10)
    absent = (Member.objects.filter(unit__path__startswith=unit("BN.HA.HB").path, statuses__status="active")
              .exclude(study_records__campaign=scenario_module).first())
    assert absent is not None
    event_create(actor=None, campaign=scenario_module, organiser=absent.unit,
                 held_on=datetime.date(2024, 3, 30), format="cell_meeting", title="Học bù",
                 sites=[SiteData(unit=absent.unit, attendees=(absent,))])
    live = live_figures(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31)
    assert live["party_members"]["studied"] != frozen["figures"]["party_members"]["studied"]
    assert live["party_members"]["total"] != frozen["figures"]["party_members"]["total"]

    assert Report.objects.get(pk=report.pk).snapshot == frozen


def test_number_already_used_in_the_term_is_refused(scenario_module):
    first = _draft(scenario_module)
    with pytest.raises(ValidationError) as error:
        _draft(scenario_module, number=first.number)
    assert "number" in error.value.message_dict
    assert Report.objects.filter(unit__code="BN.HA").count() == 1


def test_a_submitted_report_cannot_be_edited(scenario_module):
    report = report_submit(actor=None, report=_draft(scenario_module), on=MARCH_31)
    with pytest.raises(ValidationError):
        report_update(actor=None, report=report, version=report.version, strengths="Đổi")
    assert Report.objects.get(pk=report.pk).strengths == ""


def test_the_second_of_two_concurrent_saves_is_refused(scenario_module):
    report = _draft(scenario_module)
    report_update(actor=None, report=report, version=report.version, strengths="Người thứ nhất")
    with pytest.raises(ReportConflict):
        report_update(actor=None, report=report, version=report.version, strengths="Người thứ hai")
    assert Report.objects.get(pk=report.pk).strengths == "Người thứ nhất"


def test_only_the_level_above_accepts_or_returns(scenario_module):
    report = Report.objects.get(unit__code="BN.HA.HB")
    own = User.objects.create(username="t.hb", unit=unit("BN.HA.HB"), role="officer")
    sibling = User.objects.create(username="t.hp", unit=unit("BN.HA.HP"), role="officer")
    district_viewer = User.objects.create(username="t.ha.v", unit=unit("BN.HA"), role="viewer")
    with pytest.raises(NotAllowed):
        report_accept(actor=own, report=report, on=MARCH_31)
    with pytest.raises(NotInScope):
        report_accept(actor=sibling, report=report, on=MARCH_31)
    with pytest.raises(NotAllowed):
        report_return(actor=district_viewer, report=report, on=MARCH_31, comment="Sửa")
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED
    district = User.objects.create(username="t.ha", unit=unit("BN.HA"), role="officer")
    assert report_accept(actor=district, report=report, on=MARCH_31).status == Report.Status.ACCEPTED


def test_return_and_resubmit_keeps_the_first_submission_day(scenario_module):
    report = Report.objects.get(unit__code="BN.HA.HB")
    report = report_return(actor=None, report=report, on=MARCH_31, comment="Bổ sung số liệu")
    assert report.status == Report.Status.RETURNED
    report = report_submit(actor=None, report=report, on=datetime.date(2024, 4, 2))
    assert report.first_submitted_on == datetime.date(2024, 3, 22)
    assert report.submitted_on == datetime.date(2024, 4, 2)
    report = report_accept(actor=None, report=report, on=datetime.date(2024, 4, 3))
    assert report.status == Report.Status.ACCEPTED
