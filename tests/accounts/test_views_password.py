"""The password change page, the must-change redirect after a reset, a deactivated user's login and the
page of a user without a unit."""

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.accounts.services import user_deactivate, user_password_reset
from tests.conftest import TEST_PASSWORD
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")
LOGIN = reverse("login")
NEW = "hoa-binh-moi-2025"


def change(current: str, new: str, again: str | None = None, **extra: str) -> dict[str, str]:
    return {"current_password": current, "new_password": new, "new_password2": again or new, **extra}


@pytest.mark.parametrize("who", ["owner", "reporter", "viewer"])
def test_every_user_changes_their_password(who, users, client):
    user = getattr(users, who)
    client.login(username=user.username, password=TEST_PASSWORD)
    assert client.get(CHANGE).status_code == 200
    response = client.post(CHANGE, change(TEST_PASSWORD, NEW))
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW)
    assert client.get("/").status_code == 200  # this session stays open


def test_the_page_needs_a_login(db, client):
    response = client.get(CHANGE)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(("data", "field"), [
    (change("wrong", NEW), "current_password"),
    (change(TEST_PASSWORD, "12345678"), "new_password"),
    (change(TEST_PASSWORD, TEST_PASSWORD), "new_password"),
    (change(TEST_PASSWORD, NEW, "other-2025-pass"), "new_password2"),
])
def test_bad_input_is_shown_on_its_field(data, field, users, client_for):
    response = client_for(users.viewer).post(CHANGE, data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert User.objects.get(pk=users.viewer.pk).check_password(TEST_PASSWORD)


def test_a_reset_user_is_led_to_the_change_page_until_they_change_it(users, client):
    temporary = user_password_reset(actor=users.owner, user=users.viewer)
    assert client.login(username="t.hb.viewer", password=temporary)
    for path in ("/", "/don-vi/", reverse("api-token-page")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(CHANGE), path
    page = client.get(CHANGE)
    notice = message("Your password is temporary: choose your own password to continue.")
    assert notice in page.content.decode()
    refused = client.post(CHANGE, change(temporary, temporary))
    assert refused.status_code == 200 and refused.context["form"].errors["new_password"]
    done = client.post(CHANGE, change(temporary, NEW, next="/don-vi/"))
    assert done.status_code == 302 and done["Location"] == "/don-vi/"
    assert client.get("/don-vi/").status_code == 200


def test_the_next_page_never_leaves_the_site(users, client_for):
    response = client_for(users.viewer).post(CHANGE, change(TEST_PASSWORD, NEW, next="https://evil.example/"))
    assert response["Location"] == "/"


def test_a_deactivated_user_is_told_so_at_login(users, client):
    user_deactivate(actor=users.owner, user=users.viewer)
    response = client.post(LOGIN, {"username": "t.hb.viewer", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert message("This account has been deactivated. Ask an administrator of your unit.") in \
        response.content.decode()
    wrong = client.post(LOGIN, {"username": "t.hb.viewer", "password": "wrong-password"}).content.decode()
    assert message("This account has been deactivated. Ask an administrator of your unit.") not in wrong


def test_a_deactivated_user_loses_their_open_session(users, client_for):
    client = client_for(users.viewer)
    assert client.get("/").status_code == 200
    user_deactivate(actor=users.owner, user=users.viewer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_user_without_a_unit_sees_why(db, client, fast_passwords):
    orphan = User.objects.create_user(username="no.unit", password=NEW)
    client.force_login(orphan)
    for path in ("/", "/don-vi/", "/quan-tri/"):
        response = client.get(path)
        assert response.status_code == 403
        assert message("Your account has no unit") in response.content.decode()
    assert client.get(CHANGE).status_code == 200


def test_the_top_bar_shows_log_out_outside_the_menu(users, client_for):
    page = client_for(users.viewer).get("/").content.decode()
    menu_end = page.index("</details>")
    assert page.index('class="logout"') > menu_end
    assert message("Change password") in page[:menu_end]
