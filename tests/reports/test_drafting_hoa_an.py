"""Acceptance (issue 13, drafting): the Hòa An district report for 31/03/2024, drafted and downloaded as
.docx, says what real reports say (DOMAIN §4.1), with every figure from the counting engine; and the
drafts of every unit and date of both scenarios print only totals that equal their parts and rates
that equal their counts."""

import datetime
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import compute_rate, format_rate
from chuyende.demo.scenario import load_scenario
from chuyende.figures.snapshot import from_json, to_json
from chuyende.figures.tree import units_on
from chuyende.organisation.models import Unit
from chuyende.reports.documents import report_docx
from chuyende.reports.drafting import OPTIONAL_PARAGRAPHS, Paragraph, results_section
from chuyende.reports.figures import live_figures
from chuyende.reports.models import Report
from chuyende.reports.services import report_create, report_update
from tests.conftest import unit
from tests.reports.test_documents import paragraphs_of, without_marks

MARCH_31 = datetime.date(2024, 3, 31)
EXPECTED = json.loads(settings.DEMO_SCENARIO.with_name("scenario-hoa-an-2024.expected.json")
                      .read_text(encoding="utf-8"))
DISTRICT = EXPECTED["district_as_of_2024-03-31"]

pytestmark = pytest.mark.usefixtures("db")


def _n(text: str) -> int:
    return int(text.replace(".", ""))


def _rate(percent: float) -> str:
    return format_rate(Decimal(str(percent)), precision=2)


@pytest.fixture
def district_docx(scenario_module) -> list[str]:
    report = report_create(actor=None, campaign=scenario_module, unit=unit("BN.HA"), as_of=MARCH_31,
                           signer_name="Nguyễn Văn An")
    return paragraphs_of(report_docx(Report.objects.get(pk=report.pk)))


def _with(texts: list[str], start: str) -> str:
    found = [text for text in texts if start in text]
    assert len(found) == 1, (start, found)
    return found[0]


def test_the_district_report_cites_its_guiding_documents(district_docx):
    opening = _with(district_docx, "Thực hiện Hướng dẫn số 12-HD/BTGTU")
    assert opening.startswith(
        "Thực hiện Hướng dẫn số 12-HD/BTGTU, ngày 19/12/2023 của Ban Tuyên giáo Tỉnh ủy Bình Nguyên¹ và Kế "
        "hoạch số 87-KH/HU, ngày 27/12/2023 của Ban Thường vụ Huyện ủy Hòa An², toàn Đảng bộ huyện Hòa An đã "
        "tổ chức")
    # The footnotes follow section II, numbered as their marks, each naming the document's title.
    notes = [text for text in district_docx if text.startswith(("¹ ", "² "))]
    assert [note[:2] for note in notes] == ["¹ ", "² "]
    assert "Chuyên đề năm 2024" in notes[0] and "Chuyên đề năm 2024" in notes[1]


def test_conferences_apart_from_cell_meetings_and_people_apart_from_person_times(district_docx):
    opening = _with(without_marks(district_docx), "Thực hiện Hướng dẫn số 12-HD/BTGTU")
    members, non_party = DISTRICT["party_members"], DISTRICT["non_party"]
    formats = DISTRICT["events_by_format"]
    cell_meetings = formats["cell_meeting"]
    conferences = DISTRICT["events_held_in_unit"] - cell_meetings - formats["self_study"]
    people = members["studied"] + non_party["studied"]
    assert (f"đã tổ chức, tham dự {conferences:02d} hội nghị, {cell_meetings:02d} buổi sinh hoạt chi bộ và "
            f"{formats['self_study']:02d} đợt tự nghiên cứu tài liệu với {people} người tham gia (đảng viên "
            f"{members['studied']}/{members['eligible']} = {_rate(members['rate_percent'])}; người chưa là "
            f"đảng viên {non_party['studied']}/{non_party['eligible']} = "
            f"{_rate(non_party['rate_percent'])}).") in opening
    assert "05 hội nghị, 03 buổi sinh hoạt chi bộ" in opening and "377 người tham gia" in opening
    # person-times are printed apart, never added to people
    times = _with(district_docx, "Tổng số lượt người tham dự")
    non_members = DISTRICT["attendance_person_times"] - DISTRICT["party_member_person_times"]
    assert (f"{DISTRICT['attendance_person_times']} lượt người, trong đó "
            f"{DISTRICT['party_member_person_times']} lượt đảng viên và {non_members} lượt người chưa là "
            "đảng viên") in times


def test_the_province_conference_with_its_per_site_split(district_docx):
    line = _with(district_docx, "Hội nghị 1 (ngày 15/01/2024)")
    e1 = EXPECTED["event_E1_sites_in_district"]
    assert line == (f"Hội nghị 1 (ngày 15/01/2024): kết nối trực tuyến từ Tỉnh tới {e1['sites']:02d} điểm "
                    f"cầu với {e1['attendance']} người (01 điểm cầu trung tâm huyện/107 người; 04 điểm cầu "
                    "cơ sở/267 người).")
    assert _with(district_docx, "Hội nghị 2 (") == ("Hội nghị 2 (ngày 20/02/2024): hội nghị trực tiếp cho 51 "
                                                   "đại biểu.")
    assert not any(text.startswith("Hội nghị 3") for text in district_docx)  # no line for cell meetings


def test_the_level_lines_count_bridge_points_where_they_were_held(district_docx):
    assert _with(district_docx, "Cấp huyện:") == (
        "Cấp huyện: 02 hội nghị/158 lượt người (01 hội nghị trực tuyến do cấp trên tổ chức/107 lượt người; "
        "01 hội nghị trực tiếp/51 lượt người).")
    grassroots = _with(district_docx, "Cấp cơ sở:")
    assert grassroots.startswith("Cấp cơ sở: 05 hội nghị, buổi học tập/428 lượt người (01 hội nghị trực "
                                 "tuyến do cấp trên tổ chức/267 lượt người; ")
    cells = _with(district_docx, "Cấp chi bộ trực thuộc:")
    total = sum(_n(m) for m in re.findall(r"^Cấp [^:]+: \d+ [^/]+/([\d.]+) lượt người",
                                          "\n".join([_with(district_docx, "Cấp huyện:"), grassroots, cells]),
                                          re.M))
    assert total == DISTRICT["attendance_person_times"]


def test_an_officer_leaves_optional_paragraphs_out(scenario_module):
    report = report_create(actor=None, campaign=scenario_module, unit=unit("BN.HA"), as_of=MARCH_31,
                           signer_name="Nguyễn Văn An")
    report = report_update(actor=None, report=report, version=report.version,
                           omitted_paragraphs=["completeness", "levels", "conferences"])
    assert report.omitted_paragraphs == ["conferences", "levels", "completeness"]
    texts = paragraphs_of(report_docx(Report.objects.get(pk=report.pk)))
    text = "\n".join(texts)
    assert "Hội nghị 1 (" not in text and "Cấp huyện:" not in text and "Chưa gửi" not in text
    assert "Thực hiện Hướng dẫn số 12-HD/BTGTU" in text and "256/263" in text  # the rest stays
    assert "Tổ chức 61 buổi tuyên truyền" in text
    # a new draft for the next campaign starts from the same choice
    assert set(OPTIONAL_PARAGRAPHS) >= set(report.omitted_paragraphs)


def test_an_unknown_optional_paragraph_is_refused_with_its_name(scenario_module):
    from django.core.exceptions import ValidationError

    report = report_create(actor=None, campaign=scenario_module, unit=unit("BN.HA"), as_of=MARCH_31)
    with pytest.raises(ValidationError) as error:
        report_update(actor=None, report=report, version=report.version, omitted_paragraphs=["tables"])
    assert "“tables”" in str(error.value.message_dict["omitted_paragraphs"])
    assert Report.objects.get(pk=report.pk).omitted_paragraphs == []


# --- every draft of both scenarios ------------------------------------------------------------------

RATE = re.compile(r"(\d[\d.]*)/(\d[\d.]*) = (\d+(?:,\d+)?)%")
# "N <words>/P người|lượt người (a <words>/x ...; b <words>/y ...)" and "tới N điểm cầu với P người (...)"
TOTAL_WITH_PARTS = re.compile(r"(\d[\d.]*) [^/();]*?/(\d[\d.]*) (?:lượt )?người \(([^()]*)\)")
SITES_WITH_PARTS = re.compile(r"tới (\d[\d.]*) điểm cầu với (\d[\d.]*) người \(([^()]*)\)")
PART = re.compile(r"(\d[\d.]*) [^/;]*?/(\d[\d.]*) (?:lượt )?người")


def check_draft(paragraphs: list[Paragraph], figures: dict[str, Any], precision: int, where: str) -> int:
    """Every "a/b = x%" is the rate of its counts; every total with bracketed parts is their sum;
    distinct people are the sum of the groups printed with them; the figures' own parts add up."""
    checked = 0
    for paragraph in paragraphs:
        text = paragraph.text
        for studied, eligible, shown in RATE.findall(text):
            rate = compute_rate(_n(studied), _n(eligible), precision=precision)
            assert format_rate(rate, precision=precision) == f"{shown}%", (where, text)
            checked += 1
        for pattern in (TOTAL_WITH_PARTS, SITES_WITH_PARTS):
            for count, people, inside in pattern.findall(text):
                parts = PART.findall(inside)
                assert parts, (where, text)
                assert sum(_n(a) for a, _b in parts) == _n(count), (where, text)
                assert sum(_n(b) for _a, b in parts) == _n(people), (where, text)
                checked += 1
        people = re.search(r"với ([\d.]+) người tham gia \(([^()]*)\)", text)
        if people:
            groups = re.findall(r"(?:đảng viên|người chưa là đảng viên) ([\d.]+)", people.group(2))
            assert sum(_n(g) for g in groups) == _n(people.group(1)), (where, text)
            checked += 1
        for footnote in paragraph.footnotes:
            assert 0 < footnote.at <= len(text) and footnote.text
    if "parts" in next(iter((figures.get("events_by_level") or {"": {"parts": []}}).values())):
        for level in figures["events_by_level"].values():
            assert sum(p["events"] for p in level["parts"]) == level["events"], where
            assert sum(p["attendance_person_times"] for p in level["parts"]) == \
                level["attendance_person_times"], where
        assert sum(level["attendance_person_times"] for level in figures["events_by_level"].values()) == \
            figures["attendance_person_times"], where
        assert sum(figures["events_by_kind"].values()) == figures["events_held"], where
        for line in figures["conferences"]:
            assert sum(g["attendance_person_times"] for g in line["sites_by_level"]) == \
                line["attendance_person_times"], where
            assert sum(g["sites"] for g in line["sites_by_level"]) == line["sites"], where
    assert figures["people_studied"] == figures["party_members"]["studied"] + figures["non_party"]["studied"]
    return checked


def _every_draft(campaign: Campaign, days: list[datetime.date]) -> int:
    checked = 0
    with translation.override("vi"):
        for day in days:
            for placed in units_on(root=unit("BN"), day=day):
                if placed.closed_on is not None and placed.closed_on <= day:
                    continue
                unit_on_day, name = Unit.objects.get(pk=placed.pk), placed.name
                figures = live_figures(unit=unit_on_day, campaign=campaign, as_of=day)
                paragraphs = results_section(figures, campaign=campaign, unit_name=name)
                checked += check_draft(paragraphs, figures, campaign.rate_precision,
                                       f"{unit_on_day.code} {day}")
                # the frozen snapshot drafts the same text
                thawed = from_json(json.loads(json.dumps(to_json(figures))))
                again = results_section(thawed, campaign=campaign, unit_name=name)
                assert [p.text for p in again] == [p.text for p in paragraphs]
                assert [p.footnotes for p in again] == [p.footnotes for p in paragraphs]
    return checked


def test_every_draft_of_both_scenarios_adds_up(scenario_module):
    load_scenario(settings.DEMO_REFORM)
    checked = _every_draft(Campaign.objects.get(code="CD2024"), [
        datetime.date(2024, 1, 15), datetime.date(2024, 2, 29), datetime.date(2024, 3, 24), MARCH_31,
        datetime.date(2024, 4, 30), datetime.date(2024, 12, 31)])
    checked += _every_draft(Campaign.objects.get(code="NQ14"), [
        datetime.date(2026, 2, 15), datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)])
    assert checked > 100


def test_a_snapshot_frozen_before_the_new_keys_still_drafts(scenario_module):
    """Figures frozen before levels were split into parts, conferences listed and people counted:
    the section is written as it was then, without the new sentences."""
    figures = to_json(live_figures(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31))
    for key in ("people_studied", "non_member_person_times", "events_by_kind", "unit_depth", "conferences",
                "guiding_documents", "comparison"):
        figures.pop(key)
    for level in figures["events_by_level"].values():
        level.pop("parts")
    with translation.override("vi"):
        text = "\n".join(p.text for p in results_section(from_json(figures), campaign=scenario_module,
                                                          unit_name="Đảng bộ huyện Hòa An"))
    assert "Thực hiện" not in text and "Hội nghị 1" not in text
    assert ("Tham dự hội nghị trực tuyến do Đảng bộ tỉnh Bình Nguyên tổ chức ngày 15/01/2024 tại 05 điểm "
            "cầu") in text
    assert "256/263" in text
    assert Decimal("97.34") == from_json(figures)["party_members"]["rate"]


def test_comparison_with_last_years_campaign_of_the_same_kind(scenario_module):
    from chuyende.campaigns.services import campaign_create
    from chuyende.returns.services import member_return_save

    D = datetime.date
    earlier = campaign_create(
        actor=None, owner=unit("BN"), code="CD2023", kind="annual_topic", year=2023,
        title="Chuyên đề năm 2023",
        starts=D(2023, 1, 10), ends=None, study_deadline=D(2023, 3, 31), report_deadline=D(2023, 3, 25),
        target_rate=Decimal(95), excluded_statuses=["exempt", "away"], rate_precision=2,
        non_party_categories=[], guiding_documents=[])
    member_return_save(actor=None, campaign=earlier, unit=unit("BN.HA.YT"), as_of=D(2023, 3, 31),
                       members_total=30, exempt=0, away=0, studied=28)
    figures = live_figures(unit=unit("BN.HA.YT"), campaign=scenario_module, as_of=MARCH_31)
    assert figures["comparison"]["earlier_rate"] == Decimal("93.33")
    with translation.override("vi"):
        texts = [p.text for p in results_section(figures, campaign=scenario_module,
                                                 unit_name="Chi bộ Trung tâm Y tế huyện")]
        assert "So với năm 2023, tỷ lệ đảng viên học tập tăng 3,55 điểm phần trăm." in texts
        left_out = [p.text for p in results_section(figures, campaign=scenario_module, unit_name="X",
                                                    omit=["comparison"])]
        assert not any("So với năm" in text for text in left_out)
        # frozen and read back, the same sentence
        thawed = from_json(json.loads(json.dumps(to_json(figures))))
        assert texts == [p.text for p in results_section(thawed, campaign=scenario_module,
                                                         unit_name="Chi bộ Trung tâm Y tế huyện")]
    # another kind of campaign, or none the year before: no comparison
    earlier.kind = "resolution"
    earlier.save(update_fields=["kind"])
    assert live_figures(unit=unit("BN.HA.YT"), campaign=scenario_module, as_of=MARCH_31)["comparison"] is None


def test_the_report_page_puts_the_footnote_marks_after_the_documents_cited(scenario_module):
    from chuyende.reports.views import _segments

    report = report_create(actor=None, campaign=scenario_module, unit=unit("BN.HA"), as_of=MARCH_31)
    with translation.override("vi"):
        paragraphs = results_section(live_figures(unit=report.unit, campaign=scenario_module, as_of=MARCH_31),
                                     campaign=scenario_module, unit_name="Đảng bộ huyện Hòa An")
    opening = _segments(report, paragraphs)[2]
    assert "".join(s.text for s in opening.segments if not s.note) == paragraphs[2].text
    marks = [index for index, segment in enumerate(opening.segments) if segment.note]
    assert [opening.segments[index].text for index in marks] == ["1", "2"]
    assert opening.segments[marks[0] - 1].text.endswith("Ban Tuyên giáo Tỉnh ủy Bình Nguyên")
    assert opening.segments[marks[1] - 1].text.endswith("Ban Thường vụ Huyện ủy Hòa An")
    assert opening.notes == [(1, "Hướng dẫn tổ chức học tập, quán triệt, tuyên truyền Chuyên đề năm 2024"),
                             (2, "Kế hoạch học tập, quán triệt Chuyên đề năm 2024")]


def test_figures_added_since_a_snapshot_was_frozen_are_not_listed_as_moved(scenario_module):
    from chuyende.reports.figures import figure_changes

    live = live_figures(unit=unit("BN.HA"), campaign=scenario_module, as_of=MARCH_31)
    old = json.loads(json.dumps(to_json(live)))
    for key in ("people_studied", "conferences", "guiding_documents", "comparison", "events_by_kind"):
        old.pop(key)
    for level in old["events_by_level"].values():
        level.pop("parts")
    assert figure_changes(from_json(old), live) == []
    old["party_members"]["studied"] = 250
    assert [key for key, _before, _after in figure_changes(from_json(old), live)] == ["party_members.studied"]
