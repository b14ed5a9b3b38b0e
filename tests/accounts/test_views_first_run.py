"""The first-run page (`/bat-dau/`): every page leads there while the database holds no unit; it creates
levels, top unit and administrator, signs the administrator in, then answers 404."""

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.organisation.models import Level, Unit

pytestmark = pytest.mark.django_db

FIRST_RUN = reverse("accounts:first_run")
STRONG = "chi-bo-dong-2025"


def form_data(**overrides: str) -> dict[str, str]:
    return {
        "levels": "Tỉnh, Xã, Chi bộ", "root_code": "BN", "root_name": "Đảng bộ tỉnh Bình Nguyên",
        "root_kind": "party_committee", "admin_username": "tinh.quantri",
        "admin_full_name": "Nguyễn Văn Quản", "admin_email": "", "new_password": STRONG,
        "new_password2": STRONG, **overrides,
    }


@pytest.mark.parametrize("path", ["/", "/dang-nhap/", "/don-vi/", "/quan-tri/nguoi-dung/"])
def test_every_page_leads_to_the_first_run_while_no_unit_exists(path, client, empty_installation):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == FIRST_RUN


def test_the_api_is_not_redirected(client, empty_installation):
    assert client.get("/api/v1/units/").status_code == 401


def test_the_page_sets_up_the_installation_and_signs_the_administrator_in(
    client, empty_installation, fast_passwords
):
    assert client.get(FIRST_RUN).status_code == 200
    response = client.post(FIRST_RUN, form_data())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:admin_home")
    admin = User.objects.get(username="tinh.quantri")
    assert admin.role == "admin" and admin.unit == Unit.objects.get(code="BN")
    assert list(Level.objects.values_list("name", flat=True)) == ["Tỉnh", "Xã", "Chi bộ"]
    assert client.get(reverse("accounts:admin_home")).status_code == 200  # signed in
    assert client.get(FIRST_RUN).status_code == 404
    assert client.post(FIRST_RUN, form_data(root_code="XX", admin_username="x")).status_code == 404
    assert Unit.objects.count() == 1 and User.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"new_password": "12345678", "new_password2": "12345678"}, "new_password"),
    ({"new_password2": "other-pass-2025"}, "new_password2"),
    ({"levels": "Tỉnh,,Chi bộ"}, "levels"),
    ({"admin_username": "tên sai"}, "admin_username"),
])
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(
    overrides, field, client, empty_installation, fast_passwords
):
    response = client.post(FIRST_RUN, form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Unit.objects.exists() and not User.objects.exists() and not Level.objects.exists()


def test_once_installed_the_page_is_not_found(users, client):
    assert client.get(FIRST_RUN).status_code == 404
