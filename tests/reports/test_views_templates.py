"""The report templates pages: the list and the template in use, the default template to download, uploading
a unit's own variant (officers and administrators; 403 for the other roles), putting it in use or stopping
it, deleting it; another subtree's template is a 404."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from chuyende.reports import documents
from chuyende.reports.layout import default_template
from chuyende.reports.models import ReportTemplate
from chuyende.reports.services import report_template_upload
from tests.conftest import OUTSIDER_ROLES, unit
from tests.reports.test_templates import docx_of, variant
from tests.view_helpers import message, table_counts

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def hb_template(actors) -> ReportTemplate:
    return report_template_upload(actor=actors.owner, unit=unit("BN.HA.HB"), name="Mẫu Hòa Bình",
                                  file=SimpleUploadedFile("mau-hoa-binh.docx", variant()))


def post_upload(client, content: bytes, *, code: str = "BN.HA.HB", name: str = "Mẫu mới"):
    return client.post(reverse("reports:template_upload"), {
        "unit": unit(code).pk, "name": name, "file": SimpleUploadedFile("mau.docx", content),
    })


# --- the list -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "reporter", "viewer"])
def test_users_of_the_unit_see_the_templates_and_the_one_in_use(actors, client_for, hb_template, role):
    response = client_for(getattr(actors, role)).get(reverse("reports:templates"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mẫu Hòa Bình" in page
    assert reverse("reports:template_download", args=[hb_template.pk]) in page
    assert reverse("reports:template_default") in page
    assert "unit_name" in page and "signer_name" in page  # the fields a template can use
    # Only officers and administrators are offered the changes.
    manage = reverse("reports:template_active", args=[hb_template.pk])
    assert (manage in page) == (role == "owner")
    assert (reverse("reports:template_upload") in page) == (role == "owner")


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_another_subtree_s_templates_are_not_listed(actors, client_for, hb_template, role):
    response = client_for(actors.outsiders[role]).get(reverse("reports:templates"))
    assert response.status_code == 200
    assert "Mẫu Hòa Bình" not in response.content.decode()


def test_the_list_costs_a_fixed_number_of_queries(actors, client_for, hb_template,
                                                  django_assert_num_queries):
    client = client_for(actors.owner)
    client.get(reverse("reports:templates"))
    # Session, user and unit, the templates with their units and uploaders, the template in use.
    with django_assert_num_queries(5):
        assert client.get(reverse("reports:templates")).status_code == 200


def test_the_reports_page_links_to_the_templates(actors, client_for, scenario_module):
    response = client_for(actors.viewer).get(reverse("reports:list"))
    assert reverse("reports:templates") in response.content.decode()


# --- downloads ----------------------------------------------------------------------------------------------


def test_anyone_signed_in_downloads_the_default_template(actors, client_for, scenario_module):
    response = client_for(actors.viewer).get(reverse("reports:template_default"))
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    assert 'filename="bao-cao-36-HD-VPTW.docx"' in response["Content-Disposition"]
    assert response.content == default_template()
    texts = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "{{ summary }}" in texts


@pytest.mark.parametrize("role", ["owner", "reporter", "viewer"])
def test_users_of_the_unit_download_its_template(actors, client_for, hb_template, role):
    response = client_for(getattr(actors, role)).get(reverse("reports:template_download",
                                                             args=[hb_template.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == documents.DOCX_TYPE
    assert response.content == bytes(ReportTemplate.objects.get(pk=hb_template.pk).content)
    assert "{{ unit_name }}" in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "filename*=UTF-8''mau-hoa-binh.docx" in response["Content-Disposition"]


@pytest.mark.parametrize("role", OUTSIDER_ROLES)
def test_outsiders_get_404_for_a_template(actors, client_for, hb_template, role):
    client = client_for(actors.outsiders[role])
    assert client.get(reverse("reports:template_download", args=[hb_template.pk])).status_code == 404
    assert client.post(reverse("reports:template_active", args=[hb_template.pk]),
                       {"active": "0"}).status_code == 404
    assert client.get(reverse("reports:template_delete", args=[hb_template.pk])).status_code == 404
    assert client.post(reverse("reports:template_delete", args=[hb_template.pk])).status_code == 404
    assert ReportTemplate.objects.get(pk=hb_template.pk).is_active


def test_anonymous_users_are_sent_to_log_in(client, scenario_module):
    for name in ("reports:templates", "reports:template_default", "reports:template_upload"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "?next=" in response["Location"], name


# --- upload -------------------------------------------------------------------------------------------------


def test_an_officer_uploads_a_template_used_for_the_unit_s_reports(actors, client_for, scenario_module):
    client = client_for(actors.owner)
    assert client.get(reverse("reports:template_upload")).status_code == 200
    response = post_upload(client, variant(), name="Mẫu xã Hòa Bình")
    assert response.status_code == 302 and response["Location"] == reverse("reports:templates")
    template = ReportTemplate.objects.get(unit=unit("BN.HA.HB"))
    assert template.name == "Mẫu xã Hòa Bình" and template.is_active and template.uploaded_by == actors.owner
    page = client.get(reverse("reports:templates")).content.decode()
    assert "Mẫu xã Hòa Bình" in page


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_reporters_and_viewers_get_403_on_upload(actors, client_for, scenario_module, role):
    client = client_for(getattr(actors, role))
    before = table_counts()
    assert client.get(reverse("reports:template_upload")).status_code == 403
    assert post_upload(client, variant()).status_code == 403
    assert table_counts() == before and not ReportTemplate.objects.exists()


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_an_outsider_naming_another_subtree_s_unit_gets_404(actors, client_for, scenario_module, role):
    client = client_for(actors.outsiders[role])
    assert client.get(reverse("reports:template_upload")).status_code == 200  # for their own unit
    assert post_upload(client, variant(), code="BN.HA.HB").status_code == 404
    assert not ReportTemplate.objects.exists()


@pytest.mark.parametrize(("content", "expected"), [
    (docx_of("Đơn vị {{ unit_name }"), "Mẫu có lỗi cú pháp"),
    (docx_of("{{ ten_sai }}"), "Mẫu dùng trường “ten_sai” không có trong dữ liệu báo cáo"),
    (b"%PDF-1.4 not a Word file", "Tệp không phải văn bản Word (.docx)"),
], ids=["syntax-error", "unknown-field", "pdf"])  # ids: a .docx's bytes differ between xdist workers
def test_a_broken_template_is_refused_on_the_form_and_nothing_is_saved(actors, client_for, scenario_module,
                                                                        content, expected):
    client = client_for(actors.owner)
    before = table_counts()
    response = post_upload(client, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page or expected.replace("“", "&ldquo;") in page or message(expected) in page
    assert table_counts() == before and not ReportTemplate.objects.exists()


# --- in use, not in use, deleted ---------------------------------------------------------------------------


def test_an_officer_stops_and_resumes_using_a_template(actors, client_for, hb_template):
    client = client_for(actors.owner)
    url = reverse("reports:template_active", args=[hb_template.pk])
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not ReportTemplate.objects.get(pk=hb_template.pk).is_active
    assert client.post(url, {"active": "1"}).status_code == 302
    assert ReportTemplate.objects.get(pk=hb_template.pk).is_active
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_reporters_and_viewers_get_403_on_changes(actors, client_for, hb_template, role):
    client = client_for(getattr(actors, role))
    assert client.post(reverse("reports:template_active", args=[hb_template.pk]),
                       {"active": "0"}).status_code == 403
    assert client.get(reverse("reports:template_delete", args=[hb_template.pk])).status_code == 403
    assert client.post(reverse("reports:template_delete", args=[hb_template.pk])).status_code == 403
    assert ReportTemplate.objects.get(pk=hb_template.pk).is_active


def test_an_officer_deletes_a_template(actors, client_for, hb_template):
    client = client_for(actors.owner)
    url = reverse("reports:template_delete", args=[hb_template.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Mẫu Hòa Bình" in page.content.decode()
    assert client.post(url).status_code == 302
    assert not ReportTemplate.objects.filter(pk=hb_template.pk).exists()
