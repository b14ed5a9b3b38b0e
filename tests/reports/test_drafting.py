"""Section II prose: Vietnamese sentences from the figures dict, every number pointing into it."""

import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from chuyende.campaigns.models import Campaign
from chuyende.core.numbers import format_number, format_rate
from chuyende.reports.drafting import (
    FigureRef,
    Paragraph,
    UnknownFigure,
    figure_refs,
    resolve_figure,
    results_section,
    two_digits,
)
from chuyende.reports.figures import live_figures
from tests.conftest import unit

MARCH_31 = datetime.date(2024, 3, 31)

pytestmark = pytest.mark.usefixtures("db", "vietnamese")


@pytest.fixture
def vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


def _figures(campaign: Campaign, code: str = "BN.HA", on: datetime.date = MARCH_31) -> dict[str, Any]:
    return live_figures(unit=unit(code), campaign=campaign, as_of=on)


def _text(paragraphs: list[Paragraph]) -> str:
    return "\n".join(paragraph.text for paragraph in paragraphs)


def _section(campaign: Campaign, figures: dict[str, Any], name: str = "Đảng bộ huyện Hòa An") -> str:
    return _text(results_section(figures, campaign=campaign, unit_name=name))


def test_district_results_as_of_the_study_deadline(scenario_module):
    text = _section(scenario_module, _figures(scenario_module))
    for expected in ("256/263", "97,34%", "18 đảng viên", "11 đảng viên", "3/5", "4/5", "5/5",
                     "Trường THPT Hòa An", "thị trấn Hòa An", "6.010", "61 buổi", "12", "90", "121/126",
                     "96,03%"):
        assert expected in text, expected
    assert ("256/263 đảng viên đã học tập, đạt 97,34% (trừ 18 đảng viên miễn công tác và sinh hoạt đảng "
            "và 11 đảng viên đi làm ăn xa)") in text
    assert "có 2 đảng viên thuộc diện được trừ vẫn tham gia học tập (không tính vào tỷ lệ trên)" in text
    assert "121/126 người thuộc diện học tập đã học tập, đạt 96,03%" in text


def test_district_conferences_per_level_and_bridge_points(scenario_module):
    """The province's online conference counts once at each level hosting its bridge points, with
    those points' person-times; the conferences organised at or above the district get a line each."""
    text = _section(scenario_module, _figures(scenario_module))
    assert ("Hội nghị 1 (ngày 15/01/2024): kết nối trực tuyến từ Tỉnh tới 05 điểm cầu với 374 người (01 điểm "
            "cầu trung tâm huyện/107 người; 04 điểm cầu cơ sở/267 người).") in text
    assert "Hội nghị 2 (ngày 20/02/2024): hội nghị trực tiếp cho 51 đại biểu." in text
    assert ("Cấp huyện: 02 hội nghị/158 lượt người (01 hội nghị trực tuyến do cấp trên tổ chức/107 lượt "
            "người; 01 hội nghị trực tiếp/51 lượt người).") in text
    assert ("Cấp cơ sở: 05 hội nghị, buổi học tập/428 lượt người (01 hội nghị trực tuyến do cấp trên tổ "
            "chức/267 lượt người; 01 hội nghị trực tiếp/85 lượt người; 02 hội nghị qua đĩa ghi hình/70 lượt "
            "người; 01 buổi sinh hoạt chi bộ lồng ghép nội dung học tập/6 lượt người).") in text
    assert ("Cấp chi bộ trực thuộc: 03 hội nghị, buổi học tập/19 lượt người (02 buổi sinh hoạt chi bộ lồng "
            "ghép nội dung học tập/18 lượt người; 01 đợt gửi tài liệu cho đảng viên tự nghiên cứu/1 lượt "
            "người).") in text
    assert ("Tổng số lượt người tham dự các hội nghị, buổi học tập: 605 lượt người, trong đó 495 lượt đảng "
            "viên và 110 lượt người chưa là đảng viên.") in text


def test_district_opening_cites_the_guiding_documents_and_counts_people_apart(scenario_module):
    paragraphs = results_section(_figures(scenario_module), campaign=scenario_module,
                                 unit_name="Đảng bộ huyện Hòa An")
    opening = paragraphs[2]
    assert opening.text == (
        "Thực hiện Hướng dẫn số 12-HD/BTGTU, ngày 19/12/2023 của Ban Tuyên giáo Tỉnh ủy Bình Nguyên và Kế "
        "hoạch số 87-KH/HU, ngày 27/12/2023 của Ban Thường vụ Huyện ủy Hòa An, toàn Đảng bộ huyện Hòa An đã "
        "tổ chức, tham dự 05 hội nghị, 03 buổi sinh hoạt chi bộ và 01 đợt tự nghiên cứu tài liệu với 377 "
        "người tham gia (đảng viên 256/263 = 97,34%; người chưa là đảng viên 121/126 = 96,03%).")
    marks = [opening.text[:footnote.at] for footnote in opening.footnotes]
    assert marks[0].endswith("Ban Tuyên giáo Tỉnh ủy Bình Nguyên")
    assert marks[1].endswith("Ban Thường vụ Huyện ủy Hòa An")
    assert [footnote.text for footnote in opening.footnotes] == [
        "Hướng dẫn tổ chức học tập, quán triệt, tuyên truyền Chuyên đề năm 2024",
        "Kế hoạch học tập, quán triệt Chuyên đề năm 2024"]
    # A document issued after the report's date is not cited.
    early = _figures(scenario_module, on=datetime.date(2023, 12, 20))
    assert [d["number"] for d in early["guiding_documents"]] == ["12-HD/BTGTU"]


def test_district_units_completeness_outreach_and_materials(scenario_module):
    text = _section(scenario_module, _figures(scenario_module))
    assert "5/5 chi, đảng bộ cơ sở đã tổ chức học tập (đạt 100%)." in text
    assert "3/5 chi, đảng bộ cơ sở có tỷ lệ đảng viên học tập đạt từ 95% trở lên." in text
    assert "Còn 2 đơn vị chưa đạt: Đảng bộ xã Hòa Bình (94,44%), Chi bộ Trường THPT Hòa An (92,86%)." in text
    assert "4/5 đơn vị đã gửi báo cáo, trong đó 3 đơn vị gửi đúng hạn (hạn 25/03/2024)." in text
    assert "Gửi muộn: Đảng bộ thị trấn Hòa An (28/03/2024)." in text
    assert "Chưa gửi: Chi bộ Trường THPT Hòa An." in text
    assert ("Tổ chức 61 buổi tuyên truyền với 6.010 lượt người; 6 buổi chưa xác định được số lượt người."
            in text)
    assert "tuyên truyền miệng: 45 buổi, 2.610 lượt người" in text
    assert "phát thanh, truyền hình: 6 buổi, chưa xác định được số lượt người" in text
    assert "Tiếp nhận tài liệu từ cấp trên: 12 đĩa DVD và 90 cuốn sách." in text
    assert "Cấp phát tài liệu cho các đơn vị trực thuộc: 11 đĩa DVD và 83 cuốn sách." in text
    assert "261/263 đảng viên đã đăng ký cam kết, kế hoạch làm theo, đạt 99,24%." in text


def test_section_headings_follow_real_reports(scenario_module):
    paragraphs = results_section(_figures(scenario_module), campaign=scenario_module,
                                 unit_name="Đảng bộ huyện Hòa An")
    headings = [p.text for p in paragraphs if p.heading]
    assert headings == [
        "II. KẾT QUẢ THỰC HIỆN",
        "1. Công tác tổ chức học tập, quán triệt",
        "2. Công tác tuyên truyền, phát hành tài liệu, đăng ký làm theo",
        "3. Tình hình báo cáo của các đơn vị trực thuộc",
    ]
    assert all(p.segments for p in paragraphs)


def _check_refs(figures: dict[str, Any], paragraphs: list[Paragraph], precision: int) -> int:
    refs = figure_refs(paragraphs)
    for ref in refs:
        value = resolve_figure(figures, ref.key)
        if isinstance(value, bool) or value is None:
            pytest.fail(f"{ref.key} points at {value!r}")
        if isinstance(value, int):
            assert ref.text in {format_number(value), two_digits(value)}, ref
        elif isinstance(value, Decimal):
            shown = {format_rate(value, precision=precision), f"{format_number(value.to_integral_value())}%"}
            assert ref.text in shown, ref
        else:
            assert value, f"{ref.key} selects nothing"
    return len(refs)


@pytest.mark.parametrize(("code", "on"), [
    ("BN.HA", MARCH_31), ("BN.HA", datetime.date(2024, 2, 29)), ("BN.HA", datetime.date(2024, 12, 31)),
    ("BN.HA.HB", MARCH_31), ("BN.HA.HB.DONG", MARCH_31), ("BN.HA.THPT", MARCH_31),
])
def test_every_figure_points_into_the_figures(scenario_module, code, on):
    figures = _figures(scenario_module, code, on)
    paragraphs = results_section(figures, campaign=scenario_module, unit_name=code)
    assert _check_refs(figures, paragraphs, scenario_module.rate_precision) > 5


def test_every_number_printed_is_a_figure(scenario_module):
    """Outside figures, digits appear only in dates, in names of units and events, in the numbers of
    the documents cited and in the ordinals of the conference lines ("Hội nghị 1 (ngày ...)")."""
    for on in (MARCH_31, datetime.date(2024, 2, 29), datetime.date(2024, 12, 31)):
        figures = _figures(scenario_module, on=on)
        names = [c["name"] for c in figures["children"]]
        names += [e["organiser"] for e in figures["events_attended"]]
        names += [d["number"] for d in figures["guiding_documents"]]
        for paragraph in results_section(figures, campaign=scenario_module, unit_name="Đảng bộ huyện Hòa An"):
            if paragraph.heading:
                continue
            for segment in paragraph.segments:
                if isinstance(segment, str):
                    rest = re.sub(r"\d{2}/\d{2}/\d{4}|Hội nghị \d+ \(", "", segment)
                    for name in names:
                        rest = rest.replace(name, "")
                    assert not re.search(r"\d", rest), segment


def test_unknown_keys_are_refused(scenario_module):
    figures = _figures(scenario_module)
    assert resolve_figure(figures, "children[BN.HA.HB].rate") == Decimal("94.44")
    assert resolve_figure(figures, "events_attended[E1].sites") == 5
    # The grassroots level holds its own 4 events and the province's conference at its bridge points.
    assert resolve_figure(figures, "events_by_level.3.events") == 5
    assert resolve_figure(figures, "events_by_level.3.by_format.video") == 2
    assert resolve_figure(figures, "events_by_level.3.parts[online-above].attendance_person_times") == 267
    assert resolve_figure(figures, "conferences[E1].sites_by_level[2].attendance_person_times") == 107
    assert [c["code"] for c in resolve_figure(figures, "children[reached_target=false,has_data=true]")] == [
        "BN.HA.HB", "BN.HA.THPT"]
    for key in ("party_members.nothing", "children[BN.XX]", "events_attended[E1].sites.more", "", "a..b",
                "party_members[x]", "events_attended[#99]", "events[E1].sites", "events_by_level.9"):
        with pytest.raises(UnknownFigure):
            resolve_figure(figures, key)


def test_a_unit_without_pledges_or_outreach_has_no_such_sentence(scenario_module):
    figures = _figures(scenario_module, on=datetime.date(2024, 2, 29))
    assert figures["pledges"]["registered"] == 0 and figures["outreach"]["sessions"] == 0
    paragraphs = results_section(figures, campaign=scenario_module, unit_name="Đảng bộ huyện Hòa An")
    text = _text([paragraph for paragraph in paragraphs if not paragraph.heading])
    assert "cam kết" not in text
    assert "tuyên truyền" not in text
    assert "Tiếp nhận tài liệu từ cấp trên: 12 đĩa DVD và 90 cuốn sách." in text  # materials are there


def test_a_part_without_any_record_is_left_out_and_the_next_renumbered(scenario_module):
    figures = _figures(scenario_module, on=datetime.date(2024, 2, 29))
    figures["materials"] = {}
    paragraphs = results_section(figures, campaign=scenario_module, unit_name="X")
    headings = [p.text for p in paragraphs if p.heading]
    # No sub-unit had sent a report by 29/02/2024: the part on their reports is left out too.
    assert headings == ["II. KẾT QUẢ THỰC HIỆN", "1. Công tác tổ chức học tập, quán triệt"]
    figures["completeness"]["on_time"] = [{"code": "BN.HA.YT", "name": "Chi bộ Trung tâm Y tế huyện",
                                           "on": "2024-02-20"}]
    paragraphs = results_section(figures, campaign=scenario_module, unit_name="X")
    headings = [p.text for p in paragraphs if p.heading]
    assert headings == ["II. KẾT QUẢ THỰC HIỆN", "1. Công tác tổ chức học tập, quán triệt",
                        "2. Tình hình báo cáo của các đơn vị trực thuộc"]
    leaf = _figures(scenario_module, "BN.HA.HB.DONG")
    leaf_text = _section(scenario_module, leaf, "Chi bộ thôn Đông")
    assert "báo cáo của các đơn vị" not in leaf_text  # a cell has no sub-units to report
    assert "chi, đảng bộ cơ sở" not in leaf_text and "chi bộ trực thuộc đã tổ chức" not in leaf_text


def test_sub_units_without_data_are_listed_not_counted_as_zero(scenario_module):
    figures = _figures(scenario_module, on=datetime.date(2024, 2, 29))
    text = _section(scenario_module, figures)
    without = [child["name"] for child in figures["children"] if not child["has_data"]]
    assert without
    assert "chưa có đủ số liệu nên chưa được tính vào kết quả: " + ", ".join(without) in text
    assert "Hòa Phú (60,00%)" not in text  # judged on its full figures only
    assert "Còn 2 đơn vị chưa đạt: Đảng bộ xã Hòa Bình (94,44%), Chi bộ Trường THPT Hòa An (85,71%)." in text


def test_only_the_statuses_the_campaign_excludes_are_spelled_out(scenario_module):
    figures = _figures(scenario_module)
    figures["party_members"]["excluded_statuses"] = ["exempt"]
    text = _section(scenario_module, figures)
    assert "(trừ 18 đảng viên miễn công tác và sinh hoạt đảng)." in text
    assert "đi làm ăn xa" not in text
    figures["party_members"]["excluded_statuses"] = []
    text = _section(scenario_module, figures)
    assert "(trừ" not in text and "thuộc diện được trừ" not in text


def test_pledge_ratings_are_given_once_rated(scenario_module):
    text = _section(scenario_module, _figures(scenario_module, on=datetime.date(2024, 12, 31)))
    assert ("Kết quả đánh giá việc thực hiện cam kết: 14 đảng viên thực hiện xuất sắc; 29 đảng viên "
            "thực hiện tốt; 5 đảng viên chưa thực hiện đạt cam kết.") in text
    assert "Kết quả đánh giá" not in _section(scenario_module, _figures(scenario_module))


def test_outreach_without_any_known_reach_is_not_guessed(scenario_module):
    figures = _figures(scenario_module)
    radio = {"sessions": 6, "reach": 0, "sessions_without_reach": 6}
    figures["outreach"] = {**radio, "by_channel": {"radio_tv": radio}}
    text = _section(scenario_module, figures)
    assert "Tổ chức 6 buổi tuyên truyền, chưa xác định được số lượt người." in text
    assert not re.search(r"\b0 lượt", text)


def test_all_reports_on_time_and_none_sent(scenario_module):
    figures = _figures(scenario_module)
    completeness = figures["completeness"]
    completeness["on_time"] += completeness["late"]
    completeness["late"], completeness["missing"] = [], []
    assert "4/5 đơn vị đã gửi báo cáo, tất cả đều đúng hạn" in _section(scenario_module, figures)
    # Nobody reported through the product: it does not know how they reported, so it says nothing.
    completeness["on_time"], completeness["missing"] = [], [{"code": "X", "name": "Chi bộ X"}]
    text = _section(scenario_module, figures)
    assert "báo cáo của các đơn vị" not in text and "Chi bộ X" not in text


def test_units_not_yet_due_are_not_named_as_missing(scenario_module):
    figures = _figures(scenario_module, on=datetime.date(2024, 3, 24))
    text = _section(scenario_module, figures)
    assert "3. Tình hình báo cáo của các đơn vị trực thuộc" in text
    assert "2/5 đơn vị đã gửi báo cáo, tất cả đều đúng hạn (hạn 25/03/2024)." in text
    assert "Chưa gửi" not in text


def test_paragraph_text_joins_its_segments():
    paragraph = Paragraph(segments=("Có ", FigureRef(text="256", key="party_members.studied"), "/",
                                    FigureRef(text="263", key="party_members.eligible"), " đảng viên."))
    assert paragraph.text == "Có 256/263 đảng viên."
    assert [ref.key for ref in paragraph.figures] == ["party_members.studied", "party_members.eligible"]

