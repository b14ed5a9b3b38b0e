"""Report pages: list with completeness, create, edit (conflicts), the report page and its workflow."""

import datetime
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.audit.models import AuditEntry
from chuyende.events.services import SiteData, event_create
from chuyende.figures.snapshot import from_json
from chuyende.members.models import Member
from chuyende.reports import views
from chuyende.reports.drafting import OPTIONAL_PARAGRAPHS, FigureRef, Paragraph
from chuyende.reports.figures import live_figures
from chuyende.reports.models import Report
from chuyende.reports.services import EDITABLE_FIELDS, report_create, report_submit
from chuyende.reports.validation import Violation
from chuyende.returns.services import member_return_save
from tests.conftest import OUTSIDER_ROLES, TEST_PASSWORD, unit
from tests.view_helpers import message, translated

pytestmark = pytest.mark.django_db
# The box ticked to confirm each workflow step (reports/confirm.html).
SUBMIT = {"submit-confirmed": "on"}
ACCEPT = {"accept-confirmed": "on"}
RETURN = {"return-confirmed": "on"}

MARCH_31 = datetime.date(2024, 3, 31)


def district_officer() -> User:
    return user_create(actor=None, username="t.ha.officer", password=TEST_PASSWORD, unit=unit("BN.HA"),
                       role="officer", full_name="Cán bộ huyện")


def hb_submitted() -> Report:
    return Report.objects.get(unit__code="BN.HA.HB", number=1)


def draft(campaign, code: str = "BN.HA.HB", **fields: Any) -> Report:
    return report_create(actor=None, campaign=campaign, unit=unit(code), as_of=MARCH_31, **fields)


def frozen_figures(report: Report) -> dict[str, Any]:
    assert report.snapshot is not None
    return from_json(report.snapshot["figures"])


def edit_data(report: Report, **overrides: Any) -> dict[str, Any]:
    """The edit form as the page fills it for this report, with some fields changed."""
    data: dict[str, Any] = {"version": report.version}
    for name in EDITABLE_FIELDS:
        value = getattr(report, name)
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    data.update(overrides)
    return data


def report_counts() -> tuple[int, list[tuple[int, str, int]]]:
    rows = list(Report.objects.order_by("pk").values_list("pk", "status", "version"))
    return len(rows), rows


# --- list ---------------------------------------------------------------------------------------


def test_list_of_the_district_shows_sub_unit_reports_completeness_and_waiting(users, client_for):
    response = client_for(district_officer()).get(reverse("reports:list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert {(report.unit.code, late) for report, late in rows} == {
        ("BN.HA.HB", False), ("BN.HA.HP", False), ("BN.HA.TT", True), ("BN.HA.YT", False),
    }
    completeness = response.context["completeness"]
    assert len(completeness.expected) == 5
    assert [s.unit.code for s in completeness.late] == ["BN.HA.TT"]
    assert [ref.code for ref in completeness.missing] == ["BN.HA.THPT"]
    page = response.content.decode()
    assert "Chi bộ Trường THPT Hòa An" in page
    assert "28/03/2024" in page  # Thị trấn's late submission, with its day
    assert message("%(unit)s, sent on %(date)s", unit="Chi bộ Trung tâm Y tế huyện",
                   date="20/03/2024") in page
    assert {report.unit.code for report in response.context["waiting"]} == {
        "BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT",
    }
    assert reverse("reports:detail", args=[hb_submitted().pk]) in page
    assert reverse("reports:create") in page
    for name in ("outreach:list", "materials:list", "pledges:list", "supervision:list", "reports:list",
                 "reports:checks"):
        assert f'href="{reverse(name)}"' in page  # the menu


def test_list_keeps_to_the_subtree_and_waits_only_for_the_level_above(users, client_for):
    response = client_for(users.owner).get(reverse("reports:list"))
    assert [report.unit.code for report, _late in response.context["rows"]] == ["BN.HA.HB"]
    assert response.context["waiting"] == []  # its own report waits for the district, not for it
    assert [ref.code for ref in response.context["completeness"].missing] == [
        "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH",
    ]
    outsider = client_for(users.outsiders["officer"]).get(reverse("reports:list"))
    assert "BN.HA.HB" not in {report.unit.code for report, _late in outsider.context["rows"]}


def test_list_query_count_is_bounded(users, client_for, django_assert_max_num_queries, scenario):
    client = client_for(district_officer())
    for code in ("BN.HA", "BN.HA.THPT"):
        draft(scenario, code)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reports:list"))
    assert len(response.context["rows"]) == 6


# --- create and edit ------------------------------------------------------------------------------


def test_owner_creates_a_draft_with_the_header_filled_in(users, client_for, scenario):
    client = client_for(users.owner)
    page = client.get(reverse("reports:create"))
    assert page.status_code == 200
    assert {u.code for u in page.context["form"].fields["unit"].offered} == {
        "BN.HA.HB", "BN.HA.HB.DONG", "BN.HA.HB.TAY", "BN.HA.HB.TH",
    }
    response = client.post(reverse("reports:create"), {
        "unit": unit("BN.HA.HB").pk, "campaign": scenario.pk, "as_of": "2024-03-31",
    })
    created = Report.objects.filter(unit__code="BN.HA.HB").order_by("-pk").first()
    assert created is not None and created.status == Report.Status.DRAFT
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:edit", args=[created.pk])
    # The number after the report sent in March, and the commune committee's header.
    assert (created.number, created.symbol, created.issuing_body) == (2, "BC/ĐU", "ĐẢNG ỦY XÃ HÒA BÌNH")


def test_create_refuses_figures_dated_before_the_campaign(users, client_for, scenario):
    before = report_counts()
    response = client_for(users.owner).post(reverse("reports:create"), {
        "unit": unit("BN.HA.HB").pk, "campaign": scenario.pk, "as_of": "2023-12-01",
    })
    assert response.status_code == 200
    assert message("The figures cannot be as of %(date)s, before the campaign starts on %(start)s.",
                   date="01/12/2023", start=scenario.starts.strftime("%d/%m/%Y")) in response.content.decode()
    assert report_counts() == before


def test_owner_edits_every_part_of_a_draft(users, client_for, scenario):
    report = draft(scenario)
    client = client_for(users.owner)
    page = client.get(reverse("reports:edit", args=[report.pk]))
    assert page.status_code == 200
    assert page.context["form"].initial["version"] == report.version
    texts = {
        "leadership": "Đảng ủy ban hành Kế hoạch số 12-KH/ĐU.", "results_note": "Ghi chú thêm.",
        "strengths": "Tổ chức nghiêm túc.", "shortcomings": "Một số chi bộ báo cáo chậm.",
        "tasks": "Tiếp tục học tập.", "recipients": "- Huyện ủy,\n- Lưu VP.", "signer_name": "Lê Văn Bình",
        "summary": "Kết quả học tập Chuyên đề năm 2024", "number": 7,
    }
    response = client.post(reverse("reports:edit", args=[report.pk]), edit_data(report, **texts))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert {name: getattr(report, name) for name in texts} == texts
    assert report.version == 2


def test_owner_ticks_the_optional_paragraphs_of_section_two(users, client_for, scenario):
    report = draft(scenario)
    client = client_for(users.owner)
    page = client.get(reverse("reports:edit", args=[report.pk]))
    html = page.content.decode()
    assert 'name="paragraphs" value="completeness"' in html and "Các đoạn tùy chọn của phần II" in html
    assert page.context["form"].initial["paragraphs"] == list(OPTIONAL_PARAGRAPHS)
    assert "Cấp chi bộ trực thuộc:" in html and "đăng ký cam kết" in html
    ticked = [name for name in OPTIONAL_PARAGRAPHS if name not in ("levels", "pledges")]
    response = client.post(reverse("reports:edit", args=[report.pk]),
                           edit_data(report, paragraphs=ticked, paragraphs_offered="True"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.omitted_paragraphs == ["levels", "pledges"]
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Cấp chi bộ trực thuộc:" not in page and "đăng ký cam kết" not in page
    # the edit page previews section II as chosen
    edit_page = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "Cấp chi bộ trực thuộc:" not in edit_page
    # a form posted without the boxes (an older page) leaves the choice as it was
    client.post(reverse("reports:edit", args=[report.pk]), edit_data(report, strengths="Tốt."))
    report.refresh_from_db()
    assert report.omitted_paragraphs == ["levels", "pledges"] and report.strengths == "Tốt."
    # a name that is not an optional paragraph is refused by the form, nothing saved
    response = client.post(reverse("reports:edit", args=[report.pk]),
                           edit_data(report, paragraphs=["tables"], paragraphs_offered="True"))
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.omitted_paragraphs == ["levels", "pledges"]


def test_edit_shows_section_two_read_only(users, client_for, scenario, monkeypatch):
    report = draft(scenario)
    seen: dict[str, Any] = {}

    def fake_results(figures, *, campaign, unit_name, omit=()):
        seen.update(figures=figures, unit_name=unit_name)
        return [Paragraph(segments=("Đã học: ", FigureRef(text="34/36", key="party_members.studied")))]

    monkeypatch.setattr(views, "results_section", fake_results)
    page = client_for(users.owner).get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "34/36" in page
    assert 'name="results_section"' not in page
    assert seen["unit_name"] == "Đảng bộ xã Hòa Bình"
    assert seen["figures"]["party_members"]["eligible"] == 36


def test_edit_of_a_submitted_report_is_refused_and_changes_nothing(users, client_for):
    report = hb_submitted()
    client = client_for(users.owner)
    refusal = message("Report %(report)s has been submitted and can no longer be changed. "
                      "The level above must return it first.", report=report.number_and_symbol)
    response = client.get(reverse("reports:edit", args=[report.pk]), follow=True)
    assert response.status_code == 200
    assert refusal in response.content.decode()
    typed = "Sửa sau khi gửi"
    response = client.post(reverse("reports:edit", args=[report.pk]), edit_data(report, strengths=typed))
    assert response.status_code == 200  # the refusal above the form, which keeps the text
    page = response.content.decode()
    assert refusal in page and typed in page
    after = hb_submitted()
    assert (after.strengths, after.version, after.status) == (report.strengths, report.version, "submitted")


def test_second_of_two_concurrent_edits_keeps_its_text_and_says_why(users, client_for, scenario):
    report = draft(scenario)
    first, second = client_for(users.owner), client_for(users.reporter)
    url = reverse("reports:edit", args=[report.pk])
    version_1 = first.get(url).context["form"].initial["version"]
    version_2 = second.get(url).context["form"].initial["version"]
    assert version_1 == version_2 == report.version
    assert first.post(url, edit_data(report, strengths="Người thứ nhất viết.")).status_code == 302
    typed = "Người thứ hai viết một đoạn dài & không muốn mất."
    response = second.post(url, edit_data(report, strengths=typed))
    assert response.status_code == 200
    page = response.content.decode()
    conflict = message(
        "Someone else saved this report while you were editing it. Your changes were not saved: "
        "they are still in the form below. Open the report again in a new tab to see the other "
        "changes, then copy yours across."
    )
    assert conflict in page
    assert page.index(conflict) < page.index('name="strengths"')  # at the top, above the fields
    assert escape(typed) in page
    assert response.context["form"]["strengths"].value() == typed
    report.refresh_from_db()
    assert report.strengths == "Người thứ nhất viết."


# --- roles and scope ------------------------------------------------------------------------------


def test_viewer_gets_403_on_create_edit_and_submit(users, client_for, scenario):
    report = draft(scenario, signer_name="Lê Văn Bình")
    client = client_for(users.viewer)
    before = report_counts()
    assert client.get(reverse("reports:create")).status_code == 403
    assert client.post(reverse("reports:create"), {
        "unit": unit("BN.HA.HB").pk, "campaign": scenario.pk, "as_of": "2024-03-31",
    }).status_code == 403
    assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:edit", args=[report.pk]),
                       edit_data(report, strengths="Người xem")).status_code == 403
    assert client.post(reverse("reports:submit", args=[report.pk])).status_code == 403
    assert report_counts() == before
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    assert detail.status_code == 200
    assert not detail.context["can_edit"]
    assert reverse("reports:submit", args=[report.pk]) not in detail.content.decode()


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_hoa_phu_users_get_404_on_hoa_binh_reports(role, users, client_for, scenario):
    client = client_for(users.outsiders[role])
    drafted = draft(scenario, signer_name="Lê Văn Bình")
    before = report_counts()
    for report in (drafted, hb_submitted()):
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
        assert client.get(reverse("reports:edit", args=[report.pk])).status_code == 404
        assert client.post(reverse("reports:edit", args=[report.pk]), edit_data(report)).status_code == 404
        assert client.post(reverse("reports:submit", args=[report.pk])).status_code == 404
        assert client.post(reverse("reports:accept", args=[report.pk])).status_code == 404
        assert client.post(reverse("reports:return", args=[report.pk]), {"comment": "Sửa"}).status_code == 404
    # Tampering: a Hòa Bình unit posted in the Hòa Phú form.
    assert client.post(reverse("reports:create"), {
        "unit": unit("BN.HA.HB").pk, "campaign": scenario.pk, "as_of": "2024-03-31",
    }).status_code == 404
    assert report_counts() == before


# --- review by the level above --------------------------------------------------------------------


def test_district_officer_accepts_a_submitted_report(users, client_for):
    client = client_for(district_officer())
    report = hb_submitted()
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    assert detail.context["can_review"]
    assert reverse("reports:accept", args=[report.pk]) in detail.content.decode()
    response = client.post(reverse("reports:accept", args=[report.pk]), ACCEPT, follow=True)
    assert response.status_code == 200
    assert hb_submitted().status == Report.Status.ACCEPTED
    assert message("Accepted by the level above") in response.content.decode()  # in the history


def test_district_officer_returns_a_report_with_a_comment(users, client_for):
    client = client_for(district_officer())
    report = hb_submitted()
    response = client.post(reverse("reports:return", args=[report.pk]),
                           {"comment": "Bổ sung số liệu người ngoài Đảng.", **RETURN})
    assert response.status_code == 302
    returned = hb_submitted()
    assert (returned.status, returned.review_comment) == ("returned", "Bổ sung số liệu người ngoài Đảng.")
    owner_page = client_for(users.owner).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Bổ sung số liệu người ngoài Đảng." in owner_page


def test_return_without_a_comment_is_refused(users, client_for):
    client = client_for(district_officer())
    report = hb_submitted()
    response = client.post(reverse("reports:return", args=[report.pk]), {"comment": "  ", **RETURN})
    assert response.status_code == 200
    assert message("Say what must be corrected before the report is sent again.") in response.content.decode()
    assert hb_submitted().status == Report.Status.SUBMITTED


def test_the_unit_cannot_review_its_own_report(users, client_for):
    client = client_for(users.owner)
    report = hb_submitted()
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    assert detail.status_code == 200
    assert not detail.context["can_review"]
    assert reverse("reports:accept", args=[report.pk]) not in detail.content.decode()
    assert client.post(reverse("reports:accept", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:return", args=[report.pk]), {"comment": "Tự trả"}).status_code == 403
    after = hb_submitted()
    assert (after.status, after.version) == (report.status, report.version)


# --- submit, frozen figures, changed figures --------------------------------------------------------


def test_submit_from_the_page_freezes_the_figures(users, client_for, scenario):
    officer = district_officer()
    report = draft(scenario, "BN.HA", signer_name="Nguyễn Văn An")
    client = client_for(officer)
    response = client.post(reverse("reports:submit", args=[report.pk]), SUBMIT)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert frozen_figures(report)["party_members"]["studied"] == 256
    assert report.submitted_by == officer
    detail = client.get(reverse("reports:detail", args=[report.pk]))
    assert detail.context["frozen"]
    assert not detail.context["changes"]
    assert message("Figures changed after sending") not in detail.content.decode()


def test_submit_refused_lists_the_problems(users, client_for, scenario, monkeypatch):
    report = draft(scenario, signer_name="Lê Văn Bình")
    blocking = Violation(rule="rate", importance="high", unit_code="BN.HA.HB",
                         unit_name="Đảng bộ xã Hòa Bình",
                         message="Tỷ lệ 96,50% không khớp với 34/36 (94,44%).", where="strengths")
    warning = Violation(rule="sites", importance="medium", unit_code="BN.HA.HB.DONG",
                        unit_name="Chi bộ thôn Đông", message="Số điểm cầu lớn bất thường.")
    monkeypatch.setattr("chuyende.reports.services.report_violations", lambda report: [blocking])
    monkeypatch.setattr(views, "report_violations", lambda report, **_: [blocking, warning])
    response = client_for(users.owner).post(reverse("reports:submit", args=[report.pk]), SUBMIT)
    assert response.status_code == 200
    page = response.content.decode()
    assert message("The report cannot be submitted until these problems are corrected:") in page
    assert escape("Đảng bộ xã Hòa Bình: Tỷ lệ 96,50% không khớp với 34/36 (94,44%).") in page
    assert escape("Số điểm cầu lớn bất thường.") in page  # the warnings of the draft, too
    report.refresh_from_db()
    assert (report.status, report.snapshot) == (Report.Status.DRAFT, None)


def test_submit_without_a_signer_is_refused(users, client_for, scenario):
    report = draft(scenario)
    response = client_for(users.owner).post(reverse("reports:submit", args=[report.pk]), SUBMIT)
    assert response.status_code == 200
    assert message("Enter the name of the person who signs the report.") in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def test_changed_figures_notice_after_data_changes(users, client_for, scenario):
    report = draft(scenario, "BN.HA", signer_name="Nguyễn Văn An")
    report = report_submit(actor=None, report=report, on=MARCH_31)
    frozen = frozen_figures(Report.objects.get(pk=report.pk))
    # After sending: Khu phố 1 of Thị trấn corrects its return as of 31/03 (it replaces the first).
    member_return_save(actor=None, campaign=scenario, unit=unit("BN.HA.TT.KP1"),
                       as_of=MARCH_31, members_total=60, exempt=0, away=0, studied=10)
    response = client_for(district_officer()).get(reverse("reports:detail", args=[report.pk]))
    page = response.content.decode()
    assert message("Figures changed after sending") in page
    notice = response.context["changes"]
    assert "party_members.studied" in {change.key for change in notice.main}
    assert "children[BN.HA.TT].studied" in {change.key for change in notice.detail}
    changes = {change.key: change for change in notice}
    studied = changes["party_members.studied"]
    assert studied.label == translated("Party members who studied")
    assert studied.before == "256"
    live = live_figures(unit=unit("BN.HA"), campaign=scenario, as_of=MARCH_31)
    assert studied.after == f"{live['party_members']['studied']}"
    assert changes["party_members.rate"].before == "97,34%"
    assert "children[BN.HA.TT].studied" in changes
    assert changes["children[BN.HA.TT].studied"].label.startswith("Đảng bộ thị trấn Hòa An: ")
    # The report itself still prints its frozen figures.
    assert frozen_figures(Report.objects.get(pk=report.pk)) == frozen
    assert response.context["figures"] == frozen


# --- the report page --------------------------------------------------------------------------------


def test_detail_links_each_generated_figure_to_its_sources(users, client_for, scenario, monkeypatch):
    report = draft(scenario, "BN.HA")
    seen: list[dict[str, Any]] = []

    def fake_results(figures, *, campaign, unit_name, omit=()):
        seen.append(figures)
        return [Paragraph(segments=("1. Kết quả",), heading=True),
                Paragraph(segments=("Có ", FigureRef(text="256/263", key="party_members.studied"),
                                    " đảng viên đã học tập."))]

    monkeypatch.setattr(views, "results_section", fake_results)
    response = client_for(district_officer()).get(reverse("reports:detail", args=[report.pk]))
    page = response.content.decode()
    source = reverse("reports:figure_source", args=[report.pk]) + "?figure=party_members.studied"
    assert f'href="{escape(source)}"' in page
    assert not response.context["frozen"]
    assert seen[0]["party_members"]["studied"] == 256  # a draft renders live figures
    for name in ("docx", "xlsx", "pdf"):
        assert reverse(f"reports:{name}", args=[report.pk]) in page


def test_detail_prints_section_two_from_the_figures_with_its_sources(users, client_for, scenario):
    report = draft(scenario, "BN.HA")
    response = client_for(district_officer()).get(reverse("reports:detail", args=[report.pk]))
    page = response.content.decode()
    source = reverse("reports:figure_source", args=[report.pk])
    assert f'href="{source}?figure=party_members.studied"' in page
    assert f'href="{source}?figure=party_members.rate"' in page
    linked = {segment.text: segment.key for paragraph in response.context["results"]
              for segment in paragraph.segments if segment.key}
    assert linked["256"] == "party_members.studied"
    assert linked["97,34%"] == "party_members.rate"
    assert response.context["results"][0].level == 2  # the section's own title


def test_a_submitted_report_renders_from_its_snapshot(users, client_for, monkeypatch):
    report = hb_submitted()
    seen: list[dict[str, Any]] = []

    def fake_results(figures, *, campaign, unit_name, omit=()):
        seen.append(figures)
        return []

    monkeypatch.setattr(views, "results_section", fake_results)
    response = client_for(users.owner).get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200
    assert seen == [frozen_figures(report)]
    assert response.context["violations"] == []  # checks are shown on drafts only
    history = [step.label for step in response.context["history"]]
    assert history == [translated("Draft created"), translated("Submitted to the level above")]


def test_detail_rolls_up_the_sub_units_reports(users, client_for, scenario):
    """Each sub-unit's sent figures sit beside its live figures as of the same day (its report's
    date): nothing changed since sending in the scenario; a record dated before Hòa Bình's report
    and entered afterwards shows Hòa Bình as changed."""
    report = draft(scenario, "BN.HA")
    client = client_for(district_officer())
    response = client.get(reverse("reports:detail", args=[report.pk]))
    rows = {row.code: row for row in response.context["children"]}
    assert list(rows) == ["BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT", "BN.HA.THPT"]
    assert rows["BN.HA.THPT"].report is None
    for code in ("BN.HA.HB", "BN.HA.HP", "BN.HA.TT", "BN.HA.YT"):
        row = rows[code]
        sent = frozen_figures(Report.objects.get(unit__code=code))
        assert row.frozen is not None and row.live is not None
        assert (row.frozen.eligible, row.frozen.studied, row.frozen.events, row.frozen.person_times) == (
            sent["party_members"]["eligible"], sent["party_members"]["studied"], sent["events_organised"],
            sent["attendance_person_times"])
        assert row.differs == set(), code
    assert rows["BN.HA.THPT"].differs == set()
    assert message("No report sent") in response.content.decode()

    absent = (Member.objects.filter(unit__path__startswith=unit("BN.HA.HB").path, statuses__status="active")
              .exclude(study_records__campaign=scenario).first())
    assert absent is not None
    event_create(actor=None, campaign=scenario, organiser=absent.unit, held_on=datetime.date(2024, 3, 21),
                 format="cell_meeting", title="Học bù",
                 sites=[SiteData(unit=absent.unit, attendees=(absent,))])
    response = client.get(reverse("reports:detail", args=[report.pk]))
    rows = {row.code: row for row in response.context["children"]}
    hb = rows["BN.HA.HB"]
    assert "studied" in hb.differs and hb.live.studied == hb.frozen.studied + 1
    assert all(rows[code].differs == set() for code in ("BN.HA.HP", "BN.HA.TT", "BN.HA.YT"))


def test_detail_query_count_is_bounded(users, client_for, scenario, django_assert_max_num_queries):
    report = draft(scenario, "BN.HA", signer_name="Nguyễn Văn An")
    client = client_for(district_officer())
    # A draft: the live figures, the checks of the draft (the validation's own reads), the roll-up,
    # and one roll-up (11 queries) for each of the 4 distinct dates of the sub-units' reports.
    with django_assert_max_num_queries(96):
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    report_submit(actor=None, report=report, on=MARCH_31)
    # Sent: the snapshot, the live figures to compare with it, the sub-units' reports and their
    # 4 dates' roll-ups (and, with the live figures, the guiding documents, last year's campaign, the
    # events grouped by sector, audience and partner and the partial returns).
    with django_assert_max_num_queries(86):
        assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200


# --- confirmation and double submission of the workflow steps ---------------------------------------


def test_send_asks_for_confirmation_saying_what_gets_frozen(users, client_for, scenario):
    report = draft(scenario, signer_name="Lê Văn Bình")
    client = client_for(users.owner)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert '<details class="card confirm" id="send">' in page  # closed until opened: no script needed
    assert 'name="submit-confirmed"' in page and "required" in page
    assert message("Once sent, the report can no longer be changed unless the level above "
                   "returns it.") in page
    response = client.post(reverse("reports:submit", args=[report.pk]))  # the box not ticked
    assert response.status_code == 200
    answer = response.content.decode()
    assert message("Tick the box to confirm this step; nothing was done.") in answer
    assert '<details class="card confirm" id="send" open>' in answer
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT


def test_accept_and_return_ask_for_confirmation(users, client_for):
    client = client_for(district_officer())
    report = hb_submitted()
    unconfirmed_accept = client.post(reverse("reports:accept", args=[report.pk]))
    unconfirmed_return = client.post(reverse("reports:return", args=[report.pk]), {"comment": "Sửa"})
    for response in (unconfirmed_accept, unconfirmed_return):
        assert response.status_code == 200
        assert message("Tick the box to confirm this step; nothing was done.") in response.content.decode()
    assert "Sửa" in unconfirmed_return.content.decode()  # the comment stays in the form
    after = hb_submitted()
    assert (after.status, after.version) == (report.status, report.version)


def submissions_of(report: Report) -> int:
    return AuditEntry.objects.filter(action="submit", record_type="reports.Report",
                                     record_id=str(report.pk)).count()


def test_sending_a_report_twice_submits_it_once_without_an_error_page(users, client_for, scenario):
    report = draft(scenario, signer_name="Lê Văn Bình")
    client = client_for(users.owner)
    data = {**SUBMIT, "submission_key": str(uuid.uuid4())}
    first = client.post(reverse("reports:submit", args=[report.pk]), data)
    second = client.post(reverse("reports:submit", args=[report.pk]), data, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert second.redirect_chain == [(reverse("reports:detail", args=[report.pk]), 302)]
    already = message("This form had already been saved; it was not saved a second time.")
    assert already in second.content.decode()
    assert submissions_of(report) == 1


def test_send_pressed_again_without_a_key_says_it_was_already_sent(users, client_for, scenario):
    report = draft(scenario, signer_name="Lê Văn Bình")
    client = client_for(users.owner)
    client.post(reverse("reports:submit", args=[report.pk]), SUBMIT)
    again = client.post(reverse("reports:submit", args=[report.pk]), SUBMIT, follow=True)
    assert again.status_code == 200
    assert message("This report had already been sent to the level above.") in again.content.decode()
    assert submissions_of(report) == 1
