"""Accounts services: users managed within the actor's subtree and role, passwords (validators, history,
temporary ones), deactivation, and API tokens (made once or replaced, each change audited without the key)."""

import datetime
import itertools

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from chuyende.accounts.models import PasswordHistory, User
from chuyende.accounts.services import (
    API_TOKEN_CHANGE,
    api_token_get_or_create,
    api_token_replace,
    password_change,
    temporary_password,
    user_create,
    user_create_with_temporary_password,
    user_deactivate,
    user_password_reset,
    user_reactivate,
    user_update,
)
from chuyende.audit.models import AuditEntry
from chuyende.core.exceptions import NotAllowed, NotInScope
from chuyende.organisation.models import Unit
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("db")


def token_entries(user) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(record_type="accounts.User", record_id=str(user.pk)).order_by("pk")
    return [entry for entry in entries if API_TOKEN_CHANGE in (entry.after or {})]


def today() -> str:
    return timezone.localdate().isoformat()


def test_a_token_is_made_once_and_audited_once(actors):
    first = api_token_get_or_create(user=actors.viewer)
    again = api_token_get_or_create(user=actors.viewer)
    assert again.key == first.key
    [entry] = token_entries(actors.viewer)
    assert entry.actor == actors.viewer
    assert (entry.before, entry.after) == ({API_TOKEN_CHANGE: None}, {API_TOKEN_CHANGE: today()})
    assert entry.unit_path == actors.viewer.unit.path


def test_replacing_stops_the_old_token_and_is_audited(actors):
    first, replaced = api_token_replace(user=actors.owner)
    assert not replaced
    second, replaced = api_token_replace(user=actors.owner)
    assert replaced and second.key != first.key
    assert list(Token.objects.filter(user=actors.owner).values_list("key", flat=True)) == [second.key]
    entries = token_entries(actors.owner)
    assert [entry.before for entry in entries] == [{API_TOKEN_CHANGE: None}, {API_TOKEN_CHANGE: today()}]


def test_the_key_is_never_written_in_the_change_log(actors):
    keys = [api_token_replace(user=actors.reporter)[0].key, api_token_get_or_create(user=actors.viewer).key]
    for entry in AuditEntry.objects.all():
        text = f"{entry.record_id} {entry.record_label} {entry.before} {entry.after}"
        assert not any(key in text for key in keys)


# --- users: who may create and change whom ---------------------------------------------------------------
STRONG = "chi-bo-dong-2025"


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def unit_code(user: User) -> str | None:
    return user.unit.code if user.unit else None


def after(entry: AuditEntry) -> dict[str, object]:
    return entry.after or {}


def user_entries(user: User) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(record_type="accounts.User", record_id=str(user.pk)).order_by("pk"))


def test_an_officer_creates_a_user_of_their_subtree_with_a_temporary_password(actors, fast_passwords):
    user, password = user_create_with_temporary_password(
        actor=actors.owner, username="dong.baocao2", unit=unit("BN.HA.HB.DONG"), role="reporter",
        full_name="Lò Văn Thắng", email="thang@example.org",
    )
    assert user.check_password(password) and user.must_change_password
    assert (user.first_name, user.last_name, unit_code(user)) == ("Lò Văn", "Thắng", "BN.HA.HB.DONG")
    [entry] = user_entries(user)
    assert entry.actor == actors.owner and after(entry)["role"] == "reporter"
    assert password not in str(entry.after) and user.password not in str(entry.after)


@pytest.mark.parametrize("role", ["officer", "reporter", "viewer"])
def test_an_officer_may_give_roles_up_to_their_own(role, actors, fast_passwords):
    user, _password = user_create_with_temporary_password(
        actor=actors.owner, username=f"new.{role}", unit=unit("BN.HA.HB"), role=role, full_name="A B")
    assert user.role == role


def test_an_officer_never_creates_an_administrator(actors, fast_passwords):
    with pytest.raises(NotAllowed):
        user_create_with_temporary_password(actor=actors.owner, username="x.admin", unit=unit("BN.HA.HB"),
                                            role="admin", full_name="A B")
    assert not User.objects.filter(username="x.admin").exists()


@pytest.mark.parametrize("code", ["BN.HA", "BN", "BN.HA.HP"])
def test_nobody_creates_a_user_above_or_beside_their_own_unit(code, actors, fast_passwords):
    with pytest.raises(NotInScope):
        user_create_with_temporary_password(actor=actors.owner, username="x.above", unit=unit(code),
                                            role="viewer", full_name="A B")
    assert not User.objects.filter(username="x.above").exists()


@pytest.mark.parametrize("role", ["reporter", "viewer"])
def test_reporters_and_viewers_manage_no_user(role, actors, fast_passwords):
    actor = actors.reporter if role == "reporter" else actors.viewer
    with pytest.raises(NotAllowed):
        user_create_with_temporary_password(actor=actor, username="x.new", unit=unit("BN.HA.HB"),
                                            role="viewer", full_name="A B")
    with pytest.raises(NotAllowed):
        user_password_reset(actor=actor, user=actors.viewer)


def test_a_login_name_taken_is_a_field_error_whatever_its_case(actors, fast_passwords):
    for name in ("s.hb.viewer", "S.HB.Viewer"):
        with pytest.raises(ValidationError) as refused:
            user_create_with_temporary_password(actor=actors.owner, username=name, unit=unit("BN.HA.HB"),
                                                role="viewer", full_name="A B")
        assert list(refused.value.message_dict) == ["username"]


@pytest.mark.parametrize("password", ["12345678", "password", "abc", "s.hb.newuser"])
def test_weak_passwords_are_refused_naming_the_field(password, actors, fast_passwords):
    with pytest.raises(ValidationError) as refused:
        user_create(actor=None, username="s.hb.newuser", password=password, unit=unit("BN.HA.HB"),
                    role="viewer")
    assert list(refused.value.message_dict) == ["password"]
    assert not User.objects.filter(username="s.hb.newuser").exists()


def test_the_demo_and_test_passwords_pass_the_validators(actors, fast_passwords):
    from chuyende.demo.users import DEMO_LOGINS, DEMO_PASSWORD

    for login in DEMO_LOGINS[:2]:
        user_create(actor=None, username=f"{login.username}.copy", password=DEMO_PASSWORD,
                    unit=unit(login.unit_code), role=login.role, full_name=login.full_name)
    user_create(actor=None, username="t.other", password=TEST_PASSWORD, unit=unit("BN.HA"), role="viewer")


def test_an_officer_edits_a_user_of_their_subtree(actors, fast_passwords):
    user = user_update(actor=actors.owner, user=actors.viewer, full_name="Hà Văn Mới", email="",
                       role="reporter", unit=unit("BN.HA.HB.DONG"))
    user.refresh_from_db()
    assert (user.role, unit_code(user), user.get_full_name()) == ("reporter", "BN.HA.HB.DONG", "Hà Văn Mới")
    [entry] = user_entries(user)
    assert (entry.before or {})["role"] == "viewer" and after(entry)["unit"] == "BN.HA.HB.DONG"


def test_an_officer_never_raises_a_user_to_administrator_nor_edits_one(actors, fast_passwords):
    with pytest.raises(NotAllowed):
        user_update(actor=actors.owner, user=actors.viewer, full_name="A", email="", role="admin",
                    unit=unit("BN.HA.HB"))
    admin = User.objects.create(username="s.hb.admin", unit=unit("BN.HA.HB"), role="admin")
    with pytest.raises(NotAllowed):
        user_update(actor=actors.owner, user=admin, full_name="A", email="", role="viewer",
                    unit=unit("BN.HA.HB"))
    with pytest.raises(NotAllowed):
        user_deactivate(actor=actors.owner, user=admin)
    assert User.objects.get(pk=admin.pk).role == "admin"


def test_a_user_of_another_subtree_is_out_of_scope(actors, fast_passwords):
    with pytest.raises(NotInScope):
        user_update(actor=actors.owner, user=actors.outsiders["viewer"], full_name="A", email="",
                    role="viewer", unit=unit("BN.HA.HB"))
    with pytest.raises(NotInScope):
        user_password_reset(actor=actors.owner, user=actors.outsiders["viewer"])
    with pytest.raises(NotInScope):
        user_update(actor=actors.owner, user=actors.viewer, full_name="A", email="", role="viewer",
                    unit=unit("BN.HA"))


def test_nobody_changes_their_own_role_or_unit_or_deactivates_themselves(actors, fast_passwords):
    with pytest.raises(ValidationError) as refused:
        user_update(actor=actors.owner, user=actors.owner, full_name="A", email="", role="viewer",
                    unit=unit("BN.HA.HB"))
    assert list(refused.value.message_dict) == ["role"]
    with pytest.raises(ValidationError) as refused:
        user_update(actor=actors.owner, user=actors.owner, full_name="A", email="", role="officer",
                    unit=unit("BN.HA.HB.DONG"))
    assert list(refused.value.message_dict) == ["unit"]
    with pytest.raises(ValidationError):
        user_deactivate(actor=actors.owner, user=actors.owner)
    with pytest.raises(NotAllowed):
        user_password_reset(actor=actors.owner, user=actors.owner)
    owner = User.objects.get(pk=actors.owner.pk)
    assert (owner.role, unit_code(owner), owner.is_active) == ("officer", "BN.HA.HB", True)
    user = user_update(actor=actors.owner, user=actors.owner, full_name="Đinh Văn Tú", email="tu@example.org",
                       role="officer", unit=unit("BN.HA.HB"))
    assert user.email == "tu@example.org"


def test_deactivation_deletes_the_token_and_reactivation_restores_the_login(actors, fast_passwords):
    Token.objects.create(user=actors.viewer)
    user = user_deactivate(actor=actors.owner, user=actors.viewer)
    assert not user.is_active and not Token.objects.filter(user=user).exists()
    assert user_reactivate(actor=actors.owner, user=actors.viewer).is_active
    assert [after(e)["is_active"] for e in user_entries(actors.viewer)] == [False, True]


# --- passwords -------------------------------------------------------------------------------------------


@pytest.fixture
def users(actors, fast_passwords):
    """The officer of Hòa Bình and a viewer who has a password (TEST_PASSWORD)."""

    class Users:
        owner = actors.owner
        viewer = user_create(actor=None, username="p.hb.viewer", password=TEST_PASSWORD,
                             unit=unit("BN.HA.HB"), role="viewer")

    return Users


def test_a_reset_gives_a_readable_temporary_password_and_revokes_the_token(users):
    Token.objects.create(user=users.viewer)
    password = user_password_reset(actor=users.owner, user=users.viewer)
    user = User.objects.get(pk=users.viewer.pk)
    assert user.check_password(password) and user.must_change_password
    assert not Token.objects.filter(user=user).exists()
    assert not set(password) & set("il1o0") and len(password) == 14
    assert user_entries(user)[-1].after == {"password": "reset"}
    assert password not in str(user_entries(user)[-1].after)


def test_temporary_passwords_differ_and_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    passwords = {temporary_password() for _i in range(50)}
    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password)


def test_the_user_changes_a_temporary_password_once_and_may_not_keep_it(users):
    temporary = user_password_reset(actor=users.owner, user=users.viewer)
    with pytest.raises(ValidationError) as refused:
        password_change(user=users.viewer, current_password=temporary, new_password=temporary)
    assert list(refused.value.message_dict) == ["new_password"]
    Token.objects.create(user=users.viewer)
    user = password_change(user=users.viewer, current_password=temporary, new_password=STRONG)
    assert user.check_password(STRONG) and not user.must_change_password
    assert not Token.objects.filter(user=user).exists()


def test_a_wrong_current_password_or_a_weak_new_one_is_refused(users):
    with pytest.raises(ValidationError) as refused:
        password_change(user=users.viewer, current_password="wrong", new_password=STRONG)
    assert list(refused.value.message_dict) == ["current_password"]
    with pytest.raises(ValidationError) as refused:
        password_change(user=users.viewer, current_password=TEST_PASSWORD, new_password="12345678")
    assert list(refused.value.message_dict) == ["new_password"]
    assert User.objects.get(pk=users.viewer.pk).check_password(TEST_PASSWORD)


def test_the_last_passwords_may_not_be_used_again(users, settings):
    passwords = [TEST_PASSWORD, *(f"hoa-binh-{n}-pass" for n in range(settings.PASSWORD_HISTORY_SIZE))]
    for current, new in itertools.pairwise(passwords):
        password_change(user=users.viewer, current_password=current, new_password=new)
    latest = passwords[-1]
    for recent in passwords[-settings.PASSWORD_HISTORY_SIZE:]:
        with pytest.raises(ValidationError) as refused:
            password_change(user=users.viewer, current_password=latest, new_password=recent)
        assert list(refused.value.message_dict) == ["new_password"]
    # The oldest fell out of the history: it may be used again.
    password_change(user=users.viewer, current_password=latest, new_password=passwords[0])
    kept = PasswordHistory.objects.filter(user=users.viewer)
    assert kept.count() == settings.PASSWORD_HISTORY_SIZE
    assert not {p.password for p in kept} & set(passwords)  # hashes only
    assert any(check_password(passwords[-1], p.password) for p in kept)


def test_an_expired_token_is_replaced_when_asked_again(actors):
    first = api_token_get_or_create(user=actors.viewer)
    Token.objects.filter(pk=first.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    second = api_token_get_or_create(user=actors.viewer)
    assert second.key != first.key and Token.objects.filter(user=actors.viewer).count() == 1
