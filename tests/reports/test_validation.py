"""Validation rules: slips in the report text, and data in the subtree that does not add up."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from chuyende.audit.models import AuditEntry
from chuyende.events.models import Site
from chuyende.reports.claims import parse_number
from chuyende.reports.models import Report
from chuyende.reports.services import report_create, report_submit
from chuyende.reports.validation import (
    report_violations,
    subtree_violations,
    text_violations,
)
from chuyende.returns.models import MemberReturn, NonMemberReturn
from tests.conftest import unit
from tests.view_helpers import translated

MARCH_31 = datetime.date(2024, 3, 31)

# The district's figures on 31/03/2024 as the report's figures dict holds them (the keys used).
FIGURES = {
    "unit": "BN.HA",
    "party_members": {"studied": 256, "eligible": 263, "rate": Decimal("97.34")},
    "non_party": {"studied": 121, "eligible": 126, "rate": Decimal("96.03")},
    "children": [{"code": "BN.HA.HB", "studied": 50, "eligible": 52, "non_members_studied": 13,
                  "non_members_expected": 14}],
    "target_rate": Decimal("95.00"),
}
LABEL = "I. Leadership, guidance and direction"
TEXT_CLAIM = "%(section)s: “%(claim)s”: %(reason)s"


def check(text: str, figures: dict | None = None, precision: int = 2):
    return text_violations(text, figures=FIGURES if figures is None else figures, precision=precision,
                           section="leadership")


def rules(violations) -> list[tuple[str, str]]:
    return [(v.rule, v.importance) for v in violations]


# --- the text: the claim reader's verdicts, and the product's own figures -----------------------


def test_a_wrong_rate_and_a_wrong_sum_warn_without_blocking():
    rate = "Toàn Đảng bộ có 255/264 đảng viên tham gia học tập, đạt 96,50%"
    total = ("Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 3 hội nghị qua đĩa "
             "ghi hình")
    found = check(f"{rate}. {total}.", figures={})

    assert rules(found) == [("text_rate_mismatch", "medium"), ("text_sum_mismatch", "medium")]
    label = translated(LABEL)
    assert found[0].message == translated(
        TEXT_CLAIM, section=label, claim="255/264 đảng viên tham gia học tập, đạt 96,50%",
        reason=translated("%(a)s/%(b)s is %(computed)s, not %(stated)s.", a="255", b="264",
                          computed="96,59%", stated="96,50%"),
    )
    assert "3 + 2 + 3 = 8" in found[1].message and "9" in found[1].message
    assert all(v.where == "leadership" and v.unit_code == "" for v in found)


def test_correct_text_has_no_violation():
    text = (
        "Thực hiện Hướng dẫn số 12-HD/BTGTU ngày 19/12/2023 của Ban Tuyên giáo Tỉnh ủy và Kế hoạch số "
        "87-KH/HU ngày 27/12/2023, đến ngày 31/03/2024 toàn Đảng bộ có 256/263 đảng viên học tập, đạt "
        "97,34% (trừ 7 đảng viên miễn sinh hoạt và 5 đảng viên đi làm ăn xa); 121/126 người ngoài Đảng "
        "tham gia. Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 4 hội nghị qua "
        "đĩa ghi hình. Tổng số 1.264 lượt người dự, trong đó 1.000 lượt đảng viên và 264 lượt người ngoài "
        "Đảng. Có 3/5 đơn vị đạt chỉ tiêu (60%). Đảng bộ xã Hòa Bình: 50/52 đảng viên, đạt 96,15%. "
        "Tuyên truyền 12 + 15 + 18 = 45 buổi. Phấn đấu 100% đảng viên được học tập trong quý II/2024. "
        "Lớp cán bộ chủ chốt có 410 người (95 cấp tỉnh và 315 cấp huyện)."
    )
    assert check(text) == []


def test_dates_and_document_numbers_are_not_figures():
    text = ("Đến ngày 31/03 đạt 96,50%. Kế hoạch số 87-KH/HU, gồm 3 nội dung và 2 phụ lục. "
            "Hướng dẫn 01/2021/TT-BNV ngày 5/3/2024, đạt 40%. Tháng 3/2024 đạt 12%.")
    assert check(text, figures={}) == []


def test_vietnamese_numbers_are_read_as_typed():
    assert parse_number("1.234") == 1234
    assert parse_number("1.234,5") == Decimal("1234.5")
    assert check("Có 12.408/12.957 đảng viên học tập, đạt 95,76%.", figures={}) == []
    found = check("Có 12.408/12.957 đảng viên học tập, đạt 95,67%.", figures={})
    assert rules(found) == [("text_rate_mismatch", "medium")]
    assert "12.408/12.957" in found[0].message and "95,76%" in found[0].message
    found = check("Có 1.264 người dự, gồm 1.000 đảng viên và 265 người ngoài Đảng.", figures={})
    assert "1.000 + 265 = 1.265" in found[0].message


@pytest.mark.parametrize("text", [
    "Tổng số 120 người, trong đó 50 đảng viên, 60 quần chúng.",
    "Có 263 đảng viên, trong đó 150 nam và 120 nữ.",
    "Số buổi: 12 + 15 = 28.",
    "Tổ chức 9 hội nghị với 1.264 người, gồm 3 hội nghị với 400 người và 6 hội nghị với 860 người.",
])
def test_sums_that_do_not_add_up_warn(text):
    assert rules(check(text, figures={})) == [("text_sum_mismatch", "medium")]


@pytest.mark.parametrize("text", [
    # A subset after "trong đó" need not add up to the total.
    "Có 263 đảng viên, trong đó 7 đảng viên miễn sinh hoạt và 12 đảng viên đi làm ăn xa.",
    # Items that merely mention a figure are not parts of the total.
    "Tổ chức 03 hội nghị, gồm hội nghị trực tuyến với 88 người, hội nghị trực tiếp với 31 người.",
    # A breakdown in brackets that adds up (it once blocked a submission).
    "Tham dự có 410 cán bộ chủ chốt (95 cấp tỉnh và 315 cấp huyện).",
])
def test_lists_that_are_not_wrong_are_left_alone(text):
    assert check(text, figures={}) == []


def test_a_rate_before_its_counts_and_the_precision_typed():
    # With the product's own counts a wrong rate contradicts its figures; without them it only warns.
    assert rules(check("Đạt 97,35% (256/263 đảng viên).")) == [("text_figure_contradicts", "high")]
    assert rules(check("Đạt 97,35% (256/263 đảng viên).", figures={})) == [("text_rate_mismatch", "medium")]
    assert check("Đạt 97,3% (256/263 đảng viên).") == []  # a rounding, not a slip
    # 100% needs every one of them, whatever the rounding would give.
    assert rules(check("Có 262/263 đảng viên học tập, đạt 100%.", figures={})) == [
        ("text_rate_mismatch", "medium")]
    found = check("Có 255/264 đảng viên học tập, đạt 96,5%.", figures={}, precision=1)
    assert "96,5%" in found[0].message and "96,6%" in found[0].message


def test_figures_contradicting_the_computed_ones_block():
    found = check("Kết quả có 250/263 đảng viên đã học tập.")
    assert rules(found) == [("text_figure_contradicts", "high")]
    assert "250/263" in found[0].message and "256/263" in found[0].message
    assert rules(check("Có 256/270 đảng viên học tập.")) == [("text_figure_contradicts", "high")]
    assert rules(check("100% đảng viên đã tham gia học tập Chuyên đề.")) == [
        ("text_figure_contradicts", "high")]
    assert rules(check("Có 120/126 người ngoài Đảng tham gia học tập.")) == [
        ("text_figure_contradicts", "high")]
    # The right figures, a sub-unit's, the target and goals are not contradictions.
    assert check("Có 256/263 đảng viên học tập. Tỷ lệ đảng viên đã học tập đạt 97,34%.") == []
    assert check("Xã Hòa Bình có 50/52 đảng viên học tập.") == []
    assert check("Phấn đấu 100% đảng viên được học tập. Tỷ lệ đảng viên học tập đạt 95%.") == []
    # Without figures only the arithmetic is checked.
    assert check("Có 250/263 đảng viên học tập.", figures={}) == []


# --- the data: rules over the subtree ----------------------------------------------------------


def _draft(campaign, code="BN.HA", **fields):
    return report_create(actor=None, campaign=campaign, unit=unit(code), as_of=MARCH_31,
                         signer_name="Nguyễn Văn An", **fields)


@pytest.mark.usefixtures("db")
def test_the_scenario_has_no_high_violation_at_the_study_deadline(scenario_module):
    found = report_violations(report=_draft(scenario_module))
    assert [v for v in found if v.importance == "high"] == []
    for code in ("BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"):
        assert [v for v in subtree_violations(unit=unit(code), campaign=scenario_module, as_of=MARCH_31)
                if v.importance == "high"] == []


def _site(event_code: str, unit_code: str) -> Site:
    return Site.objects.get(event__code=event_code, unit__code=unit_code)


def _found(campaign, code="BN.HA", day=MARCH_31):
    return subtree_violations(unit=unit(code), campaign=campaign, as_of=day)


@pytest.mark.usefixtures("db")
def test_non_members_by_category_adding_up_to_more_than_the_total_block(scenario_module):
    site = _site("E6", "BN.HA.TT")
    Site.objects.filter(pk=site.pk).update(non_members_by_category={"religious": 9, "civil_servants": 11})

    found = [v for v in _found(scenario_module) if v.rule == "site_categories_exceed_total"]
    assert [(v.importance, v.unit_code, v.where, v.record_id) for v in found] == [
        ("high", "BN.HA.TT", "event", site.event_id)]
    assert "20" in found[0].message and "17" in found[0].message
    assert site.unit.name in found[0].message and site.event.title in found[0].message

    Site.objects.filter(pk=site.pk).update(non_members_by_category={"religious": 6})
    categories = [v for v in _found(scenario_module) if v.rule.startswith("site_categories")]
    assert rules(categories) == [("site_categories_incomplete", "medium")]


@pytest.mark.usefixtures("db")
def test_returns_whose_parts_exceed_their_totals_block(scenario_module):
    member_return = MemberReturn.objects.get(unit__code="BN.HA.HP.PM", as_of=MARCH_31)
    MemberReturn.objects.filter(pk=member_return.pk).update(exempt=30, away=15, studied=39)
    non_member = NonMemberReturn.objects.get(unit__code="BN.HA.YT", as_of=MARCH_31)
    NonMemberReturn.objects.filter(pk=non_member.pk).update(studied=45)

    found = {(v.rule, v.unit_code, v.record_id): v for v in _found(scenario_module) if v.importance == "high"}
    assert set(found) == {
        ("return_parts_exceed_total", "BN.HA.HP.PM", member_return.pk),
        ("return_studied_above_expected", "BN.HA.HP.PM", member_return.pk),
        ("non_member_return_studied_above_expected", "BN.HA.YT", non_member.pk),
    }
    parts = found[("return_parts_exceed_total", "BN.HA.HP.PM", member_return.pk)]
    assert "31/03/2024" in parts.message
    assert parts.where_label == capfirst(translated("member return"))
    # The roll-up's excess is explained by the returns: not repeated for the units above them.
    assert not any(v.rule.endswith("coverage_above_eligible") for v in _found(scenario_module))
    # A superseded return does not count and is not checked.
    older = MemberReturn.objects.get(unit__code="BN.HA.HP.PL", as_of=datetime.date(2024, 2, 29))
    MemberReturn.objects.filter(pk=older.pk).update(studied=99)
    assert not any(v.record_id == older.pk for v in _found(scenario_module))


@pytest.mark.usefixtures("db")
def test_bridge_point_counts_out_of_bounds(scenario_module):
    capped = _site("E1", "BN.HA.YT")
    Site.objects.filter(pk=capped.pk).update(other_members=150_000)
    empty = _site("E5", "BN.HA.HP")
    Site.objects.filter(pk=empty.pk).update(other_members=0, non_members=0)
    crowded = _site("E6", "BN.HA.TT")  # the town has 120 members on its returns
    Site.objects.filter(pk=crowded.pk).update(other_members=121)

    found = {(v.rule, v.importance, v.unit_code) for v in _found(scenario_module)}
    assert ("site_above_cap", "high", "BN.HA.YT") in found
    assert ("site_no_attendance", "low", "BN.HA.HP") in found
    assert ("site_members_above_roster", "medium", "BN.HA.TT") in found
    Site.objects.filter(pk=crowded.pk).update(other_members=120)
    assert not any(v.rule == "site_members_above_roster" for v in _found(scenario_module))


@pytest.mark.usefixtures("db")
def test_units_that_have_not_reported_are_listed_not_counted(scenario_module):
    found = [v for v in _found(scenario_module, day=datetime.date(2024, 3, 25))
             if v.rule == "unit_not_reported"]
    assert [(v.unit_code, v.importance) for v in found] == [
        ("BN.HA.HP.PM", "low"), ("BN.HA.HP.YT", "low"), ("BN.HA.TT.KP1", "low"), ("BN.HA.TT.KP2", "low"),
        ("BN.HA.TT.CQ", "low"), ("BN.HA.YT", "low")]
    assert all("25/03/2024" in v.message for v in found)


@pytest.mark.usefixtures("db")
def test_submitting_a_report_with_a_high_violation_is_refused(scenario_module):
    report = _draft(scenario_module, strengths="Toàn huyện có 256/263 đảng viên học tập, đạt 97,43%.")
    audit_before = AuditEntry.objects.count()

    with pytest.raises(ValidationError) as error:
        report_submit(actor=None, report=report, on=MARCH_31)

    messages = error.value.messages
    assert messages[0] == translated("The report cannot be submitted until these problems are corrected:")
    assert len(messages) == 2 and "97,43%" in messages[1] and "97,34%" in messages[1]
    assert messages[1].startswith(f"{report.unit.name}: ")
    stored = Report.objects.get(pk=report.pk)
    assert (stored.status, stored.snapshot, stored.version) == (Report.Status.DRAFT, None, report.version)
    assert AuditEntry.objects.count() == audit_before

    # Medium and low findings warn but do not block: a slip in the text's own arithmetic.
    report.strengths = ("Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 3 hội "
                        "nghị khác.")
    report.save()
    assert report_submit(actor=None, report=report, on=MARCH_31).status == Report.Status.SUBMITTED


@pytest.mark.usefixtures("db")
def test_a_submitted_report_is_read_against_its_frozen_figures(scenario_module):
    report = report_submit(actor=None, report=_draft(scenario_module), on=MARCH_31)
    Report.objects.filter(pk=report.pk).update(leadership="Có 256/263 đảng viên học tập, đạt 97,34%.")
    report.refresh_from_db()
    # Data changes after submission do not turn the frozen text into a contradiction.
    MemberReturn.objects.filter(unit__code="BN.HA.TT.KP1", as_of=MARCH_31).update(studied=45)
    assert [v for v in report_violations(report=report) if v.where == "leadership"] == []


# The roll-up's queries and seven more (member returns in force, non-member returns in force, bridge
# points, and the units' periods, the rosters of members in their unit of today and in earlier
# units, and the member returns that bound a bridge point's members), whatever the size of the
# subtree. The roll-up reads three more a level of the tree it walks down to name the units without
# data (none for a cell).
SUBTREE_QUERIES = {"BN.HA": 14, "BN.HA.HB": 14, "BN.HA.HP.PM": 13}


@pytest.mark.usefixtures("db")
def test_subtree_violations_read_a_fixed_number_of_queries(scenario_module, django_assert_num_queries):
    units = {code: unit(code) for code in ("BN.HA", "BN.HA.HB", "BN.HA.HP.PM")}
    for code, root in units.items():
        with django_assert_num_queries(SUBTREE_QUERIES[code]):
            subtree_violations(unit=root, campaign=scenario_module, as_of=MARCH_31)
    # More records in the subtree do not mean more queries.
    for site in Site.objects.filter(event__code="E1"):
        Site.objects.filter(pk=site.pk).update(non_members_by_category={"mass": site.non_members + 1})
    with django_assert_num_queries(SUBTREE_QUERIES["BN.HA"]):
        found = subtree_violations(unit=units["BN.HA"], campaign=scenario_module, as_of=MARCH_31)
    assert sum(v.rule == "site_categories_exceed_total" for v in found) == 5
