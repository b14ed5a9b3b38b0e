"""The users pages of the Administration: officer of Hòa Bình (owner), its reporter and viewer (members),
Hòa Phú's officer (outsider)."""

import pytest
from django.urls import reverse

from chuyende.accounts.models import User
from chuyende.audit.models import AuditEntry
from chuyende.organisation.models import Unit
from tests.view_helpers import message

pytestmark = pytest.mark.django_db

USERS = reverse("accounts:users")
CREATE = reverse("accounts:user_create")


def edit_url(user: User) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def new_user(**overrides: object) -> dict[str, object]:
    return {"username": "dong.canbo", "full_name": "Lò Văn Đông", "email": "", "role": "reporter",
            "unit": Unit.objects.get(code="BN.HA.HB.DONG").pk, **overrides}


def test_the_owner_lists_the_users_of_their_subtree_only(users, client_for):
    page = client_for(users.owner).get(USERS)
    assert page.status_code == 200
    listed = {user.username for user in page.context["page"].object_list}
    assert {"t.hb.officer", "t.hb.reporter", "t.hb.viewer"} <= listed
    assert not any(name.startswith("t.hp.") for name in listed)


def test_the_list_filters_and_exports(users, client_for):
    client = client_for(users.owner)
    found = client.get(USERS, {"q": "reporter", "role": "reporter", "active": "1"})
    assert [u.username for u in found.context["page"].object_list] == ["t.hb.reporter"]
    export = client.get(USERS, {"role": "viewer", "export": "csv"})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "t.hb.viewer" in text and "t.hb.reporter" not in text


def test_a_unit_filter_of_another_subtree_is_not_found(users, client_for):
    response = client_for(users.owner).get(USERS, {"unit": Unit.objects.get(code="BN.HA.HP").pk})
    assert response.status_code == 404


def test_the_list_reads_a_fixed_number_of_queries(users, client_for, django_assert_num_queries):
    client = client_for(users.owner)
    for n in range(5):
        User.objects.create(username=f"extra.{n}", unit=Unit.objects.get(code="BN.HA.HB.DONG"), role="viewer")
    # session, user, the user's unit, count, the page of users with their units, the unit filter's choices
    with django_assert_num_queries(6):
        assert client.get(USERS).status_code == 200
    for n in range(5, 60):
        User.objects.create(username=f"extra.{n}", unit=Unit.objects.get(code="BN.HA.HB"), role="viewer")
    with django_assert_num_queries(6):
        assert len(client.get(USERS).context["page"].object_list) == 50


@pytest.mark.parametrize("who", ["reporter", "viewer"])
def test_reporters_and_viewers_are_refused(who, users, client_for):
    client = client_for(getattr(users, who))
    for url in (USERS, CREATE, reverse("accounts:admin_home"), edit_url(users.viewer)):
        assert client.get(url).status_code == 403, url
    assert client.post(CREATE, new_user()).status_code == 403
    assert client.post(reverse("accounts:user_password_reset", args=[users.viewer.pk])).status_code == 403


def test_the_owner_creates_a_user_and_sees_the_temporary_password_once(users, client_for):
    response = client_for(users.owner).post(CREATE, new_user())
    assert response.status_code == 200
    password = response.context["password"]
    created = User.objects.get(username="dong.canbo")
    assert created.check_password(password) and created.must_change_password
    assert password in response.content.decode()
    assert password not in client_for(users.owner).get(edit_url(created)).content.decode()


def test_a_taken_login_name_is_a_field_error(users, client_for):
    response = client_for(users.owner).post(CREATE, new_user(username="t.hb.viewer"))
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert message("The login name %(name)s is taken.", name="t.hb.viewer") in response.content.decode()


def test_an_officer_cannot_create_an_administrator(users, client_for):
    response = client_for(users.owner).post(CREATE, new_user(role="admin"))
    assert response.status_code == 200 and response.context["form"].errors["role"]
    assert not User.objects.filter(username="dong.canbo").exists()


def test_a_unit_above_the_owner_is_not_found(users, client_for):
    response = client_for(users.owner).post(CREATE, new_user(unit=Unit.objects.get(code="BN.HA").pk))
    assert response.status_code == 404
    assert not User.objects.filter(username="dong.canbo").exists()


def test_the_owner_edits_a_user(users, client_for):
    client = client_for(users.owner)
    data = {"full_name": "Hà Thị Mới", "email": "moi@example.org", "role": "reporter",
            "unit": Unit.objects.get(code="BN.HA.HB").pk}
    response = client.post(edit_url(users.viewer), data)
    assert response.status_code == 302
    user = User.objects.get(pk=users.viewer.pk)
    assert (user.role, user.email, user.get_full_name()) == ("reporter", "moi@example.org", "Hà Thị Mới")


def test_the_owner_cannot_change_their_own_role(users, client_for):
    data = {"full_name": "A B", "email": "", "role": "viewer", "unit": users.owner.unit_id}
    response = client_for(users.owner).post(edit_url(users.owner), data)
    assert response.status_code == 200 and response.context["form"].errors["role"]
    assert User.objects.get(pk=users.owner.pk).role == "officer"


def test_deactivate_reactivate_and_reset(users, client_for):
    client = client_for(users.owner)
    assert client.post(reverse("accounts:user_deactivate", args=[users.viewer.pk])).status_code == 302
    assert not User.objects.get(pk=users.viewer.pk).is_active
    assert client.post(reverse("accounts:user_reactivate", args=[users.viewer.pk])).status_code == 302
    assert User.objects.get(pk=users.viewer.pk).is_active
    reset = client.post(reverse("accounts:user_password_reset", args=[users.viewer.pk]))
    assert reset.status_code == 200
    assert User.objects.get(pk=users.viewer.pk).check_password(reset.context["password"])
    assert client.get(reverse("accounts:user_deactivate", args=[users.viewer.pk])).status_code == 405


def test_the_owner_cannot_deactivate_themselves(users, client_for):
    response = client_for(users.owner).post(reverse("accounts:user_deactivate", args=[users.owner.pk]),
                                            follow=True)
    assert message("You cannot deactivate your own account.") in response.content.decode()
    assert User.objects.get(pk=users.owner.pk).is_active


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_outsiders_see_no_user_of_hoa_binh(role, users, client_for):
    client = client_for(users.outsiders[role])
    before = AuditEntry.objects.count()
    assert client.get(edit_url(users.viewer)).status_code == 404
    for name in ("user_deactivate", "user_reactivate", "user_password_reset"):
        assert client.post(reverse(f"accounts:{name}", args=[users.viewer.pk])).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[999999])).status_code == 404
    assert AuditEntry.objects.count() == before
