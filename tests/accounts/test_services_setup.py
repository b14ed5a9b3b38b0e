"""The first run of an empty installation (accounts.services.installation_setup): levels, top unit and first
administrator in one transaction, refused on a database that already holds a unit."""

import pytest
from django.core.exceptions import ValidationError

from chuyende.accounts.models import User
from chuyende.accounts.services import AlreadyInstalled, installation_setup
from chuyende.audit.models import AuditEntry
from chuyende.organisation.models import Level, Unit
from tests.view_helpers import translated

STRONG = "chi-bo-dong-2025"


def setup(**overrides: object) -> User:
    data: dict[str, object] = {
        "levels": ["Tỉnh", " Xã ", "Chi bộ"], "root_code": "BN", "root_name": "Đảng bộ tỉnh Bình Nguyên",
        "root_kind": "party_committee", "admin_username": "tinh.quantri",
        "admin_full_name": "Nguyễn Văn Quản", "admin_password": STRONG, **overrides,
    }
    return installation_setup(**data)  # type: ignore[arg-type]


def test_the_first_run_creates_levels_root_and_administrator(db, fast_passwords):
    admin = setup()
    assert list(Level.objects.values_list("depth", "name")) == [(1, "Tỉnh"), (2, "Xã"), (3, "Chi bộ")]
    root = Unit.objects.get()
    assert (root.code, root.parent, root.depth) == ("BN", None, 1)
    assert (admin.role, admin.unit, admin.check_password(STRONG)) == ("admin", root, True)
    assert not admin.must_change_password
    assert AuditEntry.objects.filter(actor=admin, after__installation__root="BN").exists()


def test_a_second_setup_is_refused_and_writes_nothing(db, fast_passwords):
    setup()
    before = (Unit.objects.count(), User.objects.count(), Level.objects.count(), AuditEntry.objects.count())
    with pytest.raises(AlreadyInstalled) as refused:
        setup(root_code="XX", admin_username="other.admin", levels=["A"])
    assert refused.value.messages == [translated(
        "This installation is already set up: its top unit exists. Sign in, or ask its administrators.")]
    assert (Unit.objects.count(), User.objects.count(), Level.objects.count(),
            AuditEntry.objects.count()) == before


@pytest.mark.parametrize(("overrides", "field"), [
    ({"levels": ["Tỉnh", "", "Chi bộ"]}, "levels"),
    ({"levels": []}, "levels"),
    ({"admin_password": "12345678"}, "password"),
    ({"admin_username": "bad name!"}, "username"),
    ({"root_code": ""}, "code"),
    ({"root_kind": "club"}, "kind"),
])
def test_a_bad_first_run_names_the_field_and_writes_nothing(overrides, field, db, fast_passwords):
    with pytest.raises(ValidationError) as refused:
        setup(**overrides)
    assert field in refused.value.message_dict
    assert not Unit.objects.exists() and not User.objects.exists() and not Level.objects.exists()
