"""Accounts API: users of the caller's subtree (create with a one-time password, change, deactivate,
reactivate, reset), level names, and the caller's own password."""

import pytest
from rest_framework.authtoken.models import Token

from chuyende.accounts.models import User
from chuyende.organisation.models import Level, Unit
from tests.api.conftest import api_url, errors_of
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

USERS = api_url("users/")


def uid(code: str) -> int:
    return Unit.objects.get(code=code).pk


def user_url(user: User, action: str = "") -> str:
    return api_url(f"users/{user.pk}/{action + '/' if action else ''}")


def test_the_owner_lists_and_filters_the_users_of_their_subtree(users, api_for):
    client = api_for(users.owner)
    listed = client.get(USERS).json()
    names = {row["username"] for row in listed["results"]}
    assert {"t.hb.officer", "t.hb.reporter", "t.hb.viewer"} <= names
    assert not any(name.startswith("t.hp.") for name in names)
    assert "password" not in listed["results"][0]
    only = client.get(USERS, {"role": "viewer", "q": "viewer"}).json()["results"]
    assert [row["username"] for row in only] == ["t.hb.viewer"]


def test_another_subtrees_user_and_an_unknown_id_get_the_same_answer(users, api_for):
    client = api_for(users.owner)
    foreign = client.get(user_url(users.outsiders["viewer"]))
    unknown = client.get(api_url("users/999999/"))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()


@pytest.mark.parametrize("who", ["reporter", "viewer"])
def test_reporters_and_viewers_are_refused(who, users, api_for):
    client = api_for(getattr(users, who))
    assert client.get(USERS).status_code == 403
    body = {"username": "x.new", "full_name": "A B", "role": "viewer", "unit": uid("BN.HA.HB")}
    assert client.post(USERS, body, format="json").status_code == 403
    assert not User.objects.filter(username="x.new").exists()


def test_create_gives_the_temporary_password_once(users, api_for):
    client = api_for(users.owner)
    body = {"username": "dong.canbo", "full_name": "Lò Văn Đông", "role": "officer",
            "unit": uid("BN.HA.HB.DONG")}
    response = client.post(USERS, body, format="json")
    assert response.status_code == 201, response.content
    created = User.objects.get(username="dong.canbo")
    assert created.check_password(response.json()["temporary_password"]) and created.must_change_password
    assert "temporary_password" not in client.get(user_url(created)).json()


def test_create_refusals(users, api_for):
    client = api_for(users.owner)
    base = {"username": "dong.canbo", "full_name": "A B", "role": "viewer", "unit": uid("BN.HA.HB")}
    taken = client.post(USERS, {**base, "username": "t.hb.viewer"}, format="json")
    assert taken.status_code == 400 and list(errors_of(taken)) == ["username"]
    assert client.post(USERS, {**base, "role": "admin"}, format="json").status_code == 403
    assert client.post(USERS, {**base, "unit": uid("BN.HA")}, format="json").status_code == 404
    assert client.post(USERS, {**base, "unit": 10**9}, format="json").status_code == 404
    assert client.post(USERS, {**base, "password": "x"}, format="json").status_code == 400
    assert not User.objects.filter(username="dong.canbo").exists()


def test_partial_update_and_own_role(users, api_for):
    client = api_for(users.owner)
    changed = client.patch(user_url(users.viewer), {"role": "reporter"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "reporter"
    own = client.patch(user_url(users.owner), {"role": "viewer"}, format="json")
    assert own.status_code == 400 and list(errors_of(own)) == ["role"]


def test_deactivate_reactivate_and_reset(users, api_for):
    client = api_for(users.owner)
    Token.objects.create(user=users.viewer)
    assert client.post(user_url(users.viewer, "deactivate"), format="json").json()["is_active"] is False
    assert not Token.objects.filter(user=users.viewer).exists()
    assert client.post(user_url(users.viewer, "reactivate"), format="json").json()["is_active"] is True
    reset = client.post(user_url(users.viewer, "reset-password"), format="json")
    assert reset.status_code == 200
    assert User.objects.get(pk=users.viewer.pk).check_password(reset.json()["temporary_password"])
    assert client.post(user_url(users.owner, "deactivate"), format="json").status_code == 400
    foreign = client.post(user_url(users.outsiders["viewer"], "reset-password"), format="json")
    assert foreign.status_code == 404


def test_levels_are_read_by_everyone_and_changed_by_administrators(users, api_for):
    assert len(api_for(users.viewer).get(api_url("levels/")).json()["results"]) == Level.objects.count()
    assert api_for(users.owner).post(api_url("levels/"), {"name": "Tổ"}, format="json").status_code == 403
    admin = api_for(users.outsiders["admin"])
    created = admin.post(api_url("levels/"), {"name": "Tổ đảng"}, format="json")
    assert created.status_code == 201 and created.json()["depth"] == Level.objects.count()
    level = Level.objects.get(depth=1)
    renamed = admin.patch(api_url(f"levels/{level.pk}/"), {"name": "Tỉnh ủy"}, format="json")
    assert renamed.status_code == 200 and Level.objects.get(depth=1).name == "Tỉnh ủy"
    assert admin.post(api_url("levels/"), {"name": ""}, format="json").status_code == 400


def test_the_caller_changes_their_password_and_their_token_stops(users, api_for):
    client = api_for(users.viewer)
    weak = client.post(api_url("password/"), {"current_password": TEST_PASSWORD, "new_password": "12345678"},
                       format="json")
    assert weak.status_code == 400 and list(errors_of(weak)) == ["new_password"]
    wrong = client.post(api_url("password/"), {"current_password": "no", "new_password": "hoa-binh-moi-2025"},
                        format="json")
    assert wrong.status_code == 400 and list(errors_of(wrong)) == ["current_password"]
    done = client.post(api_url("password/"), {"current_password": TEST_PASSWORD,
                                              "new_password": "hoa-binh-moi-2025"}, format="json")
    assert done.status_code == 200
    assert client.get(api_url("units/")).status_code == 401
