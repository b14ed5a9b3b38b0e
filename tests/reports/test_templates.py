"""Report templates: the default one shipped as the file its builder writes, rendered into the same document
as the drafting says; a unit's own variant, checked on upload and used for its reports and those of the
units below it; refusals that name what is wrong and write nothing."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from docx import Document
from docxtpl import DocxTemplate

from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.reports import documents
from chuyende.reports.documents import figures_for, report_docx
from chuyende.reports.drafting import results_section
from chuyende.reports.layout import DEFAULT_TEMPLATE_PATH, build_default_template, default_template
from chuyende.reports.models import Report, ReportTemplate
from chuyende.reports.selectors import template_in_use
from chuyende.reports.services import (
    report_create,
    report_template_delete,
    report_template_set_active,
    report_template_upload,
)
from chuyende.reports.templating import CONTEXT_FIELDS, check_template, field_meanings, template_environment
from tests.conftest import unit
from tests.reports.test_documents import paragraphs_of, without_marks

pytestmark = pytest.mark.usefixtures("db")

MARCH_31 = datetime.date(2024, 3, 31)
CHANGED_HEADING = "PHẦN THỨ NHẤT: KẾT QUẢ ĐÃ ĐẠT"


def draft(campaign, code: str) -> Report:
    return report_create(actor=None, campaign=campaign, unit=unit(code), as_of=MARCH_31,
                         signer_name="Nguyễn Văn An")


def docx_of(*paragraphs: str, header: str = "") -> bytes:
    """A Word file made here with python-docx, one paragraph per argument."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header:
        document.sections[0].header.paragraphs[0].text = header
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def variant() -> bytes:
    """A unit's variant: its own heading, the unit's name and section II as drafted."""
    return docx_of(
        "Đơn vị: {{ unit_name }}", CHANGED_HEADING,
        "{%p for paragraph in results %}", "{{ paragraph.text }}", "{%p endfor %}",
        "{{ signer_name }}",
    )


def upload(actor, code: str, content: bytes, name: str = "Mẫu riêng", file_name: str = "mau.docx"):
    return report_template_upload(actor=actor, unit=unit(code), name=name,
                                  file=SimpleUploadedFile(file_name, content))


def refusal(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.message_dict["file"])


# --- the default template ---------------------------------------------------------------------------------


def parts_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_the_shipped_default_template_is_what_the_layout_builds():
    built = build_default_template()
    assert build_default_template() == built, "the builder gives the same bytes every time"
    assert parts_of(DEFAULT_TEMPLATE_PATH.read_bytes()) == parts_of(built), (
        "chuyende/reports/data/ is out of date: run `manage.py build_report_template` and commit the file"
    )


def test_the_default_template_uses_only_documented_fields():
    used = DocxTemplate(io.BytesIO(default_template())).get_undeclared_template_variables(
        template_environment())
    assert used == set(CONTEXT_FIELDS) - {"place", "issued_on", "unit_name", "unit_code", "campaign_title",
                                          "as_of"}
    meanings = dict(field_meanings())
    assert list(meanings) == list(CONTEXT_FIELDS)
    assert all(meanings.values())
    check_template(default_template())  # the shipped file passes the check an upload passes


def test_the_default_template_prints_section_ii_exactly_as_drafted(scenario_module):
    report = draft(scenario_module, "BN.HA")
    content = report_docx(report)
    with translation.override("vi"):
        drafted = results_section(figures_for(report), campaign=scenario_module,
                                  unit_name="Đảng bộ huyện Hòa An")
    document = Document(io.BytesIO(content))
    body = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in body]
    start = texts.index(drafted[0].text)
    printed = body[start:start + len(drafted)]
    # Exactly as drafted, with the footnote marks of the guiding documents cited.
    assert without_marks([p.text for p in printed]) == [p.text for p in drafted]
    assert "Tỉnh ủy Bình Nguyên¹ và Kế hoạch" in printed[2].text
    assert [bool(p.runs[0].bold) for p in printed] == [p.heading for p in drafted]
    assert [p.text for p in documents.section_ii(report)] == [p.text for p in drafted]
    # No tag of the template is left in the document, headers included.
    assert not [text for text in paragraphs_of(content) if "{{" in text or "{%" in text]


def test_text_with_markup_characters_is_printed_as_typed(scenario_module):
    report = draft(scenario_module, "BN.HA")
    report.leadership = "Kế hoạch <số 87> & hướng dẫn \"12-HD\" 'BTGTU'"
    report.signature_title = "T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ"
    texts = paragraphs_of(report_docx(report))
    assert "Kế hoạch <số 87> & hướng dẫn \"12-HD\" 'BTGTU'" in texts
    assert "T/M BAN THƯỜNG VỤ" in texts and "PHÓ BÍ THƯ" in texts


# --- a unit's own template ---------------------------------------------------------------------------------


def test_a_variant_is_used_for_the_unit_and_the_units_below_but_not_a_sibling(scenario_module, actors):
    content = variant()
    template = upload(actors.owner, "BN.HA.HB", content)
    assert template.is_active and template.uploaded_by == actors.owner
    assert bytes(ReportTemplate.objects.get(pk=template.pk).content) == content
    assert template.size == len(content)

    for code, name in (("BN.HA.HB", "Đảng bộ xã Hòa Bình"), ("BN.HA.HB.DONG", "Chi bộ thôn Đông")):
        texts = paragraphs_of(report_docx(draft(scenario_module, code)))
        assert f"Đơn vị: {name}" in texts, code
        assert CHANGED_HEADING in texts
        assert "II. KẾT QUẢ THỰC HIỆN" in texts  # section II as drafted, inside the unit's layout
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in texts

    for code in ("BN.HA.HP", "BN.HA"):  # a sibling, and the level above
        texts = paragraphs_of(report_docx(draft(scenario_module, code)))
        assert CHANGED_HEADING not in texts, code
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts


def test_the_nearest_unit_s_template_wins_and_stopping_it_falls_back(scenario_module, actors):
    district = upload(None, "BN.HA", docx_of("Mẫu huyện {{ unit_name }}"))
    commune = upload(actors.owner, "BN.HA.HB", variant())
    cell = unit("BN.HA.HB.DONG")
    assert template_in_use(unit=cell) == commune
    assert template_in_use(unit=unit("BN.HA.HP")) == district
    report_template_set_active(actor=actors.owner, template=commune, active=False)
    assert template_in_use(unit=cell) == district
    report_template_set_active(actor=None, template=district, active=False)
    assert template_in_use(unit=cell) is None  # the default


def test_one_template_of_a_unit_is_in_use_at_a_time(scenario_module, actors):
    first = upload(actors.owner, "BN.HA.HB", variant(), name="Thứ nhất")
    second = upload(actors.owner, "BN.HA.HB", variant(), name="Thứ hai")
    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    report_template_set_active(actor=actors.owner, template=first, active=True)
    second.refresh_from_db()
    assert (ReportTemplate.objects.get(pk=first.pk).is_active, second.is_active) == (True, False)
    assert template_in_use(unit=unit("BN.HA.HB")) == first


def test_upload_activation_and_deletion_are_in_the_change_log(scenario_module, actors):
    content = variant()
    template = upload(actors.owner, "BN.HA.HB", content, name="Mẫu xã")
    report_template_set_active(actor=actors.owner, template=template, active=False)
    report_template_delete(actor=actors.owner, template=template)
    entries = list(AuditEntry.objects.filter(record_type="reports.ReportTemplate", record_id=str(template.pk))
                   .order_by("id"))
    assert [entry.action for entry in entries] == ["create", "update", "delete"]
    assert {entry.actor for entry in entries} == {actors.owner}
    assert {entry.unit_path for entry in entries} == {unit("BN.HA.HB").path}
    created = entries[0].after
    assert created is not None and created["name"] == "Mẫu xã" and created["size"] == len(content)
    assert "content" not in created  # the file by its size and hash, not its bytes
    assert (entries[1].before or {})["is_active"] is True and (entries[1].after or {})["is_active"] is False
    assert not ReportTemplate.objects.filter(pk=template.pk).exists()


def test_a_name_is_taken_from_the_file_when_left_empty(scenario_module, actors):
    template = upload(actors.owner, "BN.HA.HB", variant(), name="  ", file_name="Mẫu Hòa Bình.docx")
    assert template.name == "Mẫu Hòa Bình" and template.file_name == "Mẫu Hòa Bình.docx"


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.fixture
def nothing_written():
    before = (ReportTemplate.objects.count(), AuditEntry.objects.count())
    yield
    assert (ReportTemplate.objects.count(), AuditEntry.objects.count()) == before


def test_a_jinja_syntax_error_is_refused_naming_the_paragraph_and_the_tag(scenario_module, actors,
                                                                          nothing_written):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB", docx_of("Tiêu đề", "Đơn vị {{ unit_name | }}", "Hết."))
    message = refusal(error)
    assert "cú pháp" in message
    assert "“Đơn vị {{ unit_name | }}”" in message
    assert "expected token 'name', got 'end of print statement'" in message


def test_a_loop_never_closed_is_refused_naming_the_missing_tag(scenario_module, actors, nothing_written):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB", docx_of("{%p for paragraph in results %}", "{{ paragraph.text }}"))
    assert "'endfor'" in refusal(error)


def test_an_unknown_field_is_refused_naming_it(scenario_module, actors, nothing_written):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB", docx_of("{{ unit_name }}", "{{ ten_sai }}"))
    assert "Mẫu dùng trường “ten_sai” không có trong dữ liệu báo cáo" in refusal(error)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB", docx_of("x", header="Trang {{ so_trang }}"))
    assert "“so_trang”" in refusal(error)


def test_an_unknown_attribute_of_a_paragraph_is_refused_naming_it(scenario_module, actors, nothing_written):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB",
               docx_of("{%p for paragraph in results %}", "{{ paragraph.txet }}", "{%p endfor %}"))
    assert "“.txet”" in refusal(error)


@pytest.mark.parametrize("tag", ["{{ unit_name.__class__ }}", "{{ unit_name * 100000 }}",
                                 "{% for i in range(9) %}x{% endfor %}"])
def test_a_template_cannot_reach_python_or_make_text_from_nothing(scenario_module, actors, nothing_written,
                                                                  tag):
    with pytest.raises(ValidationError):
        upload(actors.owner, "BN.HA.HB", docx_of(tag))


def zip_of(name: str, data: bytes) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as package:
        package.writestr(name, data)
    return output.getvalue()


@pytest.mark.parametrize(("content", "expected"), [
    (b"Day khong phai tep Word", "không phải văn bản Word (.docx)"),
    (b"%PDF-1.4 a pdf", "không phải văn bản Word (.docx)"),
    (zip_of("xl/workbook.xml", b"<workbook/>"), "không phải văn bản Word (.docx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), ".doc"),
    (b"", "không phải văn bản Word (.docx)"),
], ids=["text", "pdf", "xlsx-zip", "old-doc", "empty"])  # ids: a zip's bytes differ between xdist workers
def test_a_file_that_is_not_a_docx_is_refused(scenario_module, actors, nothing_written, content, expected):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB", content, file_name="mau.docx")
    assert expected in refusal(error)


def test_a_file_too_large_is_refused_before_it_is_read(scenario_module, actors, nothing_written, monkeypatch):
    from chuyende.reports import services, templating

    monkeypatch.setattr(services, "TEMPLATE_MAX_BYTES", 1000)
    monkeypatch.setattr(templating, "TEMPLATE_MAX_BYTES", 1000)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        upload(actors.owner, "BN.HA.HB", variant())
    assert "MB" in refusal(error)


# --- who may ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_reporters_and_viewers_may_not_change_templates(scenario_module, actors, role):
    with pytest.raises(NotAllowed):
        upload(getattr(actors, role), "BN.HA.HB", variant())
    template = upload(actors.owner, "BN.HA.HB", variant())
    with pytest.raises(NotAllowed):
        report_template_set_active(actor=getattr(actors, role), template=template, active=False)
    with pytest.raises(NotAllowed):
        report_template_delete(actor=getattr(actors, role), template=template)


@pytest.mark.parametrize("role", ["admin", "officer", "reporter", "viewer"])
def test_another_subtree_s_templates_are_out_of_scope(scenario_module, actors, role):
    outsider = actors.outsiders[role]
    with pytest.raises(NotInScope):
        upload(outsider, "BN.HA.HB", variant())
    template = upload(actors.owner, "BN.HA.HB", variant())
    with pytest.raises(NotInScope):
        report_template_set_active(actor=outsider, template=template, active=False)
    with pytest.raises(NotInScope):
        report_template_delete(actor=outsider, template=template)


def test_an_officer_of_the_level_above_may_change_a_sub_unit_s_template(scenario_module, actors):
    district_officer = type(actors.owner).objects.create(username="s.ha.officer", unit=unit("BN.HA"),
                                                         role="officer")
    template = upload(district_officer, "BN.HA.HB", variant())
    assert template.unit == unit("BN.HA.HB")
    with pytest.raises(NotInScope):  # and not the other way round
        upload(actors.owner, "BN.HA", variant())


# --- a stored template that fails ---------------------------------------------------------------------------


def test_a_stored_template_that_fails_is_a_clear_document_error(scenario_module, actors):
    ReportTemplate.objects.create(unit=unit("BN.HA.HB"), name="Hỏng", file_name="hong.docx",
                                  content=b"not a docx", size=10, sha256="0" * 64, is_active=True)
    with translation.override("vi"), pytest.raises(documents.DocumentError) as error:
        report_docx(draft(scenario_module, "BN.HA.HB.DONG"))
    assert "“Hỏng”" in str(error.value) and "Đảng bộ xã Hòa Bình" in str(error.value)
