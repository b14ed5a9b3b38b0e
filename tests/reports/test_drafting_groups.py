"""Section II sentences of the events by sector, audience and partner, and of what units know only in
part: Vietnamese, every total the sum of the parts printed beside it, partial facts never as a rate."""

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from chuyende.reports.drafting import figure_refs, resolve_figure, results_section
from chuyende.reports.figures import live_figures
from chuyende.returns.services import partial_return_save
from tests.builders import D
from tests.figures.test_breakdowns import district  # noqa: F401 (a fixture)

MARCH_31 = D(2024, 3, 31)

pytestmark = pytest.mark.usefixtures("db", "vietnamese")


@pytest.fixture
def vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


def _draft(campaign, unit) -> tuple[str, dict[str, Any], list]:
    figures = live_figures(unit=unit, campaign=campaign, as_of=MARCH_31)
    paragraphs = results_section(figures, campaign=campaign, unit_name="Đảng bộ huyện")
    return "\n".join(p.text for p in paragraphs), figures, paragraphs


def test_classes_by_sector_key_cadres_and_partners(district):  # noqa: F811
    campaign, unit, _units = district
    text, _figures, _paragraphs = _draft(campaign, unit)
    assert ("Theo loại hình đơn vị: các xã, phường, thị trấn tổ chức 03 lớp; các trường học tổ chức 01 lớp; "
            "các đơn vị y tế tổ chức 01 lớp.") in text
    assert "Lớp dành cho cán bộ chủ chốt: 410 lượt người tham dự (95 cấp tỉnh và 315 cấp huyện)." in text
    assert "Phối hợp với Công đoàn tổ chức 01 lớp cho công nhân, người lao động." in text
    assert "Phối hợp với Đoàn Thanh niên tổ chức 01 lớp cho đoàn viên, thanh niên, học sinh." in text
    assert "Phối hợp với Mặt trận Tổ quốc tổ chức 01 lớp cho chức sắc, chức việc tôn giáo." in text
    assert ("Lớp cho từng đối tượng: 01 lớp cho công nhân, người lao động với 50 lượt người; 01 lớp cho "
            "chức sắc, chức việc tôn giáo với 60 lượt người; 01 lớp cho đoàn viên, thanh niên, học sinh "
            "với 50 lượt người.") in text


def test_a_single_level_of_key_cadres_is_named_in_the_sentence(district):  # noqa: F811
    campaign, _unit, units = district
    from chuyende.events.services import event_create
    from tests.builders import site

    commune = units["commune"]
    event_create(actor=None, campaign=campaign, organiser=commune, held_on=D(2024, 3, 2), format="in_person",
                 title="Lớp cán bộ chủ chốt xã", sites=[site(commune, other_members=42)],
                 audience="key_cadres_commune")
    text, _figures, _paragraphs = _draft(campaign, commune)
    assert "Lớp dành cho cán bộ chủ chốt cấp xã: 42 lượt người tham dự." in text
    # The commune's own classes are its level lines, not a kind of unit below it.
    assert "Theo loại hình đơn vị" not in text


def test_partial_facts_are_printed_as_known_and_never_as_a_rate(district):  # noqa: F811
    campaign, unit, units = district
    partial_return_save(actor=None, campaign=campaign, unit=units["school"], as_of=D(2024, 3, 10),
                        who="non_members", category="civil_servants", rate_above=Decimal("95"))
    partial_return_save(actor=None, campaign=campaign, unit=units["health"], as_of=D(2024, 3, 10),
                        who="non_members", category="religious", studied_above=60)
    partial_return_save(actor=None, campaign=campaign, unit=units["commune"], as_of=D(2024, 3, 10),
                        who="non_members", studied=746)
    text, figures, paragraphs = _draft(campaign, unit)
    # In tree order: the commune, the school, the health centre.
    assert ("Số liệu mới nắm được một phần (không tính vào các tỷ lệ trên): Đảng bộ xã Xuân: người chưa là "
            "đảng viên có 746 người đã học tập (chưa có tổng số cần học tập); Chi bộ Trường THPT: cán bộ, "
            "công chức, viên chức, người lao động chưa là đảng viên tiếp thu đạt trên 95%; Chi bộ Trung "
            "tâm Y tế: chức sắc, chức việc, nhà tu hành có trên 60 người học tập.") in text
    # No rate, no a/b, no denominator was invented for them.
    assert "746/" not in text and "60/" not in text
    assert figures["non_party"]["eligible"] == 0
    # Every number printed points into the figures and says what it points at.
    for ref in figure_refs(paragraphs):
        value = resolve_figure(figures, ref.key)
        if ref.key.endswith("rate_above"):
            assert ref.text == "95%" and value == Decimal("95.00")
        elif isinstance(value, int):
            assert re.sub(r"\D", "", ref.text).lstrip("0") == str(value).lstrip("0") or value == 0


def test_every_total_printed_equals_the_sum_of_its_parts(district):  # noqa: F811
    campaign, unit, _units = district
    text, figures, _paragraphs = _draft(campaign, unit)
    cadres = re.search(
        r"cán bộ chủ chốt: ([\d.]+) lượt người tham dự \(([\d.]+) cấp tỉnh và ([\d.]+) cấp huyện\)", text)
    assert cadres is not None
    total, *parts = (int(n.replace(".", "")) for n in cadres.groups())
    assert total == sum(parts)
    sectors = re.search(r"Theo loại hình đơn vị: (.*)\.", text)
    assert sectors is not None
    printed = sum(int(n) for n in re.findall(r"tổ chức (\d+) lớp", sectors.group(1)))
    # Every event organised below the district, its own class being its level line.
    assert printed == figures["events_organised"] - 1


def test_old_snapshots_without_the_new_keys_still_draft(district):  # noqa: F811
    campaign, unit, _units = district
    figures = live_figures(unit=unit, campaign=campaign, as_of=MARCH_31)
    for key in ("events_by_sector", "events_by_audience", "key_cadres", "events_with_partners", "known_only"):
        figures.pop(key)
    text = "\n".join(p.text for p in results_section(figures, campaign=campaign, unit_name="Đảng bộ huyện"))
    assert "Theo loại hình" not in text and "cán bộ chủ chốt" not in text and "một phần" not in text
