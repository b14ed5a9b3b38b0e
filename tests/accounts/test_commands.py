"""`manage.py setup_installation` (the first-run service from the command line) and the refused
`createsuperuser`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chuyende.accounts.models import User
from chuyende.organisation.models import Level, Unit

pytestmark = pytest.mark.django_db

STRONG = "chi-bo-dong-2025"
ARGS = ["--levels", "Tỉnh,Xã,Chi bộ", "--root-code", "BN", "--root-name", "Đảng bộ tỉnh Bình Nguyên",
        "--root-kind", "party_committee", "--admin-username", "tinh.quantri",
        "--admin-full-name", "Nguyễn Văn Quản"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("setup_installation", *args, stdout=out)
    return out.getvalue()


def test_the_password_is_read_from_the_named_variable(monkeypatch, fast_passwords):
    monkeypatch.setenv("ADMIN_PASSWORD", STRONG)
    output = run(*ARGS, "--admin-password-env", "ADMIN_PASSWORD")
    assert "tinh.quantri" in output and "BN" in output
    admin = User.objects.get(username="tinh.quantri")
    assert admin.check_password(STRONG) and admin.role == "admin"
    assert admin.unit == Unit.objects.get(code="BN")
    assert list(Level.objects.values_list("name", flat=True)) == ["Tỉnh", "Xã", "Chi bộ"]


def test_the_password_flag_for_scripts(fast_passwords):
    run(*ARGS, "--admin-password", STRONG)
    assert User.objects.get(username="tinh.quantri").check_password(STRONG)


def test_the_password_is_asked_for_twice(monkeypatch, fast_passwords):
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run(*ARGS)
    assert User.objects.get(username="tinh.quantri").check_password(STRONG)


def test_two_different_answers_write_nothing(monkeypatch):
    answers = iter([STRONG, "other-pass-2025"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        run(*ARGS)
    assert not Unit.objects.exists()


def test_without_input_a_password_must_be_given(monkeypatch):
    monkeypatch.delenv("NO_SUCH_VAR", raising=False)
    with pytest.raises(CommandError):
        run(*ARGS, "--no-input")
    with pytest.raises(CommandError, match="NO_SUCH_VAR"):
        run(*ARGS, "--admin-password-env", "NO_SUCH_VAR")
    assert not Unit.objects.exists()


def test_a_weak_password_is_refused_and_nothing_written(fast_passwords):
    with pytest.raises(CommandError, match="password"):
        run(*ARGS, "--admin-password", "12345678")
    assert not Unit.objects.exists() and not User.objects.exists()


def test_a_second_setup_is_refused_with_exit_status_1(fast_passwords):
    run(*ARGS, "--admin-password", STRONG)
    with pytest.raises(CommandError) as refused:
        run(*ARGS[:-4], "--admin-username", "second", "--admin-full-name", "A B", "--admin-password", STRONG)
    assert refused.value.returncode == 1
    assert Unit.objects.count() == 1 and not User.objects.filter(username="second").exists()


def test_createsuperuser_is_refused_pointing_to_the_right_tools():
    with pytest.raises(CommandError, match="setup_installation"):
        call_command("createsuperuser", "--username", "root", "--email", "x@example.org", "--no-input")
    assert not User.objects.exists()
