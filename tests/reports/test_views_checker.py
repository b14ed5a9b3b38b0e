"""The checker page: any report's claims beside their sentences, and its figures saved as a unit's
returns once confirmed."""

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.returns.models import MemberReturn, NonMemberReturn
from tests.conftest import unit
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

URL = reverse("reports:checker")
SAVE_URL = reverse("reports:checker_returns")
TEXT = (
    "Đến ngày 20/3/2024, có 55/60 đảng viên đã học tập, đạt 91,67% (trừ 3 đảng viên miễn sinh hoạt và "
    "2 đảng viên đi làm ăn xa).\nNgười ngoài Đảng 40/44 người, đạt 90,91%.\n"
    "Tổ chức 9 hội nghị, gồm 3 hội nghị trực tiếp, 2 hội nghị trực tuyến và 3 hội nghị qua đĩa ghi hình."
)


def word_file(text: str) -> SimpleUploadedFile:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile("bao-cao.docx", buffer.getvalue())


def test_every_role_may_check_a_pasted_report(users, client_for):
    for user in (users.owner, users.reporter, users.viewer):
        response = client_for(user).post(URL, {"text": TEXT})
        assert response.status_code == 200
        checked = response.context["checked"]
        assert [c.verdict for c in checked.claims] == ["holds", "holds", "does_not_hold"]
        body = response.content.decode()
        assert "3 + 2 + 3 = 8" in body and "Đoạn 3" in body


def test_a_word_file_is_read_and_its_wrong_figure_shown_with_the_right_one(users, client_for):
    wrong = TEXT.replace("91,67%", "91,76%")
    response = client_for(users.owner).post(URL, {"file": word_file(wrong)})
    checked = response.context["checked"]
    assert checked.document.kind == "docx"
    wrong_claim = checked.claims[0]
    assert (wrong_claim.verdict, wrong_claim.stated, wrong_claim.computed) == (
        "does_not_hold",
        "91,76%",
        "91,67%",
    )
    assert "91,67%" in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        (
            SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR"),
            "The file is not a document: send a .docx, a PDF or a text file.",
        ),
        (SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF"), "The PDF file is damaged and cannot be read."),
        (
            SimpleUploadedFile("hong.docx", b"PK\x03\x04 not really a zip"),
            "The Word file is damaged and cannot be read.",
        ),
    ],
)
def test_a_file_that_is_not_a_readable_report_is_refused_with_a_reason(users, client_for, upload, expected):
    response = client_for(users.owner).post(URL, {"file": upload})
    assert response.status_code == 200
    assert response.context["checked"] is None
    assert response.context["error"] == message(expected)


def test_nothing_to_check_names_the_fields(users, client_for):
    response = client_for(users.owner).post(URL, {"text": "  "})
    assert message("Choose a report file or paste its text.") in response.content.decode()


def test_the_checker_needs_a_login(client):
    assert client.get(URL).status_code == 302


def _officer_of(code: str) -> User:
    return User.objects.create_user(
        username=f"t.{code}.officer", password="x", unit=unit(code), role="officer"
    )


def _confirmed(scenario, code: str, **changes) -> dict:
    return {
        "unit": unit(code).pk,
        "campaign": scenario.pk,
        "as_of": "2024-03-20",
        "members_total": 65,
        "exempt": 3,
        "away": 2,
        "studied": 55,
        "non_members_expected": 44,
        "non_members_studied": 40,
        **changes,
    }


def test_the_figures_read_are_offered_and_saved_as_the_units_returns(scenario, client_for):
    officer = _officer_of("BN.HA.TT")
    response = client_for(officer).post(URL, {"text": TEXT})
    assert response.context["returns_form"].initial == {
        "studied": 55,
        "members_total": 65,
        "exempt": 3,
        "away": 2,
        "non_members_studied": 40,
        "non_members_expected": 44,
    }

    # The town reports the non-members of its cells itself: the cell's return gives members only.
    confirmed = _confirmed(scenario, "BN.HA.TT.KP1", non_members_expected="", non_members_studied="")
    response = client_for(officer).post(SAVE_URL, confirmed)
    assert response.status_code == 302
    saved = MemberReturn.objects.get(unit__code="BN.HA.TT.KP1", as_of=datetime.date(2024, 3, 20))
    assert (saved.members_total, saved.exempt, saved.away, saved.studied) == (65, 3, 2, 55)
    assert not NonMemberReturn.objects.filter(unit__code="BN.HA.TT.KP1").exists()


def test_wrong_figures_are_refused_and_nothing_is_saved(scenario, client_for):
    officer = _officer_of("BN.HA.TT")
    before = (MemberReturn.objects.count(), NonMemberReturn.objects.count(), AuditEntry.objects.count())
    # The members' return is valid; the non-members' is not (the town reports them): neither is saved.
    response = client_for(officer).post(SAVE_URL, _confirmed(scenario, "BN.HA.TT.KP1"))
    assert response.status_code == 400
    assert (
        MemberReturn.objects.count(),
        NonMemberReturn.objects.count(),
        AuditEntry.objects.count(),
    ) == before
    assert response.context["returns_form"].errors["unit"]
    response = client_for(officer).post(
        SAVE_URL, _confirmed(scenario, "BN.HA.TT.KP1", non_members_studied=50)
    )
    assert response.status_code == 400
    assert (
        MemberReturn.objects.count(),
        NonMemberReturn.objects.count(),
        AuditEntry.objects.count(),
    ) == before


def test_a_unit_outside_the_officers_subtree_is_not_found(scenario, client_for):
    officer = _officer_of("BN.HA.TT")
    before = MemberReturn.objects.count()
    response = client_for(officer).post(SAVE_URL, _confirmed(scenario, "BN.HA.HP.PM"))
    assert response.status_code == 404
    assert MemberReturn.objects.count() == before


def test_viewers_are_not_offered_to_save_returns(users, client_for):
    response = client_for(users.viewer).post(URL, {"text": TEXT})
    assert response.context["returns_form"] is None
