"""API: POST a report (a file or its text) and get the verdict of each of its claims."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from chuyende.audit.models import AuditEntry
from tests.api.conftest import api_url
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

URL = api_url("report-checks/")
TEXT = (
    "Có 255/264 đảng viên học tập, đạt 96,50%.\n"
    "Lớp cán bộ chủ chốt có 410 người (95 cấp tỉnh và 315 cấp huyện).\n"
    "Cán bộ chưa là đảng viên tiếp thu đạt trên 95%."
)


def test_the_verdicts_of_a_pasted_text(users, api_for):
    before = AuditEntry.objects.count()
    response = api_for(users.viewer).post(URL, {"text": TEXT}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(c["verdict"], c["stated"], c["computed"], c["where"]) for c in body["claims"]] == [
        ("does_not_hold", "96,50%", "96,59%", "đoạn 1"),
        ("holds", "410", "410", "đoạn 2"),
        ("cannot_check", "95%", "", "đoạn 3"),
    ]
    assert body["verdicts"] == {"holds": 1, "does_not_hold": 1, "cannot_check": 1}
    assert body["read"]["kind"] == "text" and body["read"]["complete"]
    assert AuditEntry.objects.count() == before  # nothing is stored


def test_a_word_file_posted_as_multipart(users, api_for):
    document = docx.Document()
    for line in TEXT.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("bao-cao.docx", buffer.getvalue())
    response = api_for(users.owner).post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["read"]["kind"] == "docx"
    assert [c["verdict"] for c in response.json()["claims"]] == ["does_not_hold", "holds", "cannot_check"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, "Choose a report file or paste its text."),
        (
            {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n\x00\x00")},
            "The file is not a document: send a .docx, a PDF or a text file.",
        ),
    ],
)
def test_bad_input_is_a_400_saying_why(users, api_for, payload, expected):
    response = api_for(users.owner).post(URL, payload, format="multipart")
    assert response.status_code == 400
    assert message(expected) in response.json()["detail"]


def test_a_token_is_needed():
    assert APIClient().post(URL, {"text": TEXT}, format="json").status_code in (401, 403)
