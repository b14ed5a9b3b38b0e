"""The environment readers: DATABASE_URL parsing and booleans."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from chuyende.env import database_from_url, env_bool

BASE_DIR = Path("/srv/chuyende")


def test_no_url_is_the_sqlite_file_in_the_base_dir():
    config = database_from_url("", base_dir=BASE_DIR)
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", "/srv/chuyende/db.sqlite3")


def test_sqlite_url_with_four_slashes_is_an_absolute_path():
    config = database_from_url("sqlite:////tmp/x.sqlite3", base_dir=BASE_DIR)
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", "/tmp/x.sqlite3")


def test_sqlite_uses_write_ahead_logging_so_pages_read_during_an_import():
    options = database_from_url("", base_dir=BASE_DIR)["OPTIONS"]
    assert isinstance(options, dict) and "journal_mode=WAL" in options["init_command"]


def test_sqlite_url_without_a_path_is_in_memory():
    assert database_from_url("sqlite://", base_dir=BASE_DIR)["NAME"] == ":memory:"


def test_postgres_url_gives_user_password_host_port_and_name():
    url = "postgres://chuyende:p%40ss@db.example.vn:5433/chuyende_prod"
    assert database_from_url(url, base_dir=BASE_DIR) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "chuyende_prod",
        "USER": "chuyende",
        "PASSWORD": "p@ss",
        "HOST": "db.example.vn",
        "PORT": "5433",
        "OPTIONS": {"options": "-c jit=off"},
    }


def test_postgresql_scheme_without_port_leaves_it_empty():
    config = database_from_url("postgresql://u:pw@localhost/db", base_dir=BASE_DIR)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("db", "u", "pw")
    assert (config["HOST"], config["PORT"]) == ("localhost", "")


def test_an_unsupported_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://u:p@localhost/db", base_dir=BASE_DIR)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", True), ("true", True), (" Yes ", True), ("on", True),
    ("0", False), ("false", False), ("no", False), ("off", False), ("", False),
])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CHUYENDE_TEST_FLAG", raw)
    assert env_bool("CHUYENDE_TEST_FLAG", not expected) is expected


def test_env_bool_unset_is_the_default(monkeypatch):
    monkeypatch.delenv("CHUYENDE_TEST_FLAG", raising=False)
    assert env_bool("CHUYENDE_TEST_FLAG", True) is True
    assert env_bool("CHUYENDE_TEST_FLAG", False) is False


def test_env_bool_bad_value_is_refused(monkeypatch):
    monkeypatch.setenv("CHUYENDE_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="CHUYENDE_TEST_FLAG"):
        env_bool("CHUYENDE_TEST_FLAG", False)


def test_sqlite_transactions_take_the_write_lock_at_begin_and_wait_for_it():
    options = database_from_url("", base_dir=BASE_DIR)["OPTIONS"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_a_whole_number_with_a_minimum_refuses_less_and_words(monkeypatch):
    from chuyende.env import env_int_at_least

    assert env_int_at_least("CHUYENDE_TEST_LIMIT", 20, 1) == 20
    monkeypatch.setenv("CHUYENDE_TEST_LIMIT", " 5 ")
    assert env_int_at_least("CHUYENDE_TEST_LIMIT", 20, 1) == 5
    monkeypatch.setenv("CHUYENDE_TEST_LIMIT", "0")
    assert env_int_at_least("CHUYENDE_TEST_LIMIT", 20, 0) == 0
    for bad in ("0", "-3", "twenty"):
        monkeypatch.setenv("CHUYENDE_TEST_LIMIT", bad)
        with pytest.raises(ImproperlyConfigured):
            env_int_at_least("CHUYENDE_TEST_LIMIT", 20, 1)
