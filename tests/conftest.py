"""Shared fixtures: the Hòa An scenario and fixed users inside and outside Hòa Bình.

Extend with care: other test modules rely on these names.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.campaigns.models import Campaign
from chuyende.demo.scenario import load_scenario
from chuyende.organisation.models import Unit

TEST_PASSWORD = "hoaan2024-test"
OUTSIDER_ROLES = ("admin", "officer", "reporter", "viewer")


@dataclass(frozen=True)
class ScenarioUsers:
    owner: User  # officer of Hòa Bình (BN.HA.HB)
    reporter: User  # reporter of Hòa Bình
    viewer: User  # viewer of Hòa Bình
    outsiders: dict[str, User]  # Hòa Phú (BN.HA.HP) users by role


@pytest.fixture(autouse=True)
def installed() -> Iterator[None]:
    """Pages are served as on an installation that has its units: the first-run gate
    (chuyende.accounts.middleware) asks the database once a process, so its answer is fixed here; the
    first-run tests ask for `empty_installation` instead."""
    from chuyende.accounts import middleware

    middleware._installed = True
    yield
    middleware._installed = True


@pytest.fixture
def empty_installation(installed: None) -> None:
    from chuyende.accounts import middleware

    middleware.forget_installation()


@pytest.fixture
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def scenario(db) -> Campaign:
    """The Hòa An 2024 scenario loaded through the services; returns its campaign."""
    return load_scenario(django_settings.DEMO_SCENARIO)


@pytest.fixture(scope="module")
def scenario_module(django_db_setup, django_db_blocker) -> Iterator[Campaign]:
    """The scenario loaded once per test module, inside a transaction rolled back at module end.

    Tests using it must also request `db` (each test then runs in a savepoint of its own, so
    what a test writes is undone and the next test sees the scenario as loaded).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        campaign = load_scenario(django_settings.DEMO_SCENARIO)
        yield campaign
        transaction.set_rollback(True)


def unit(code: str) -> Unit:
    """The unit with this code (for tests that already have the database)."""
    return Unit.objects.get(code=code)


@pytest.fixture
def unit_of(scenario):
    def get(code: str) -> Unit:
        return Unit.objects.get(code=code)

    return get


@pytest.fixture
def users(scenario, fast_passwords) -> ScenarioUsers:
    hb = Unit.objects.get(code="BN.HA.HB")
    hp = Unit.objects.get(code="BN.HA.HP")

    def make(username: str, unit: Unit, role: str) -> User:
        return user_create(actor=None, username=username, password=TEST_PASSWORD, unit=unit,
                           role=role, full_name=username)

    return ScenarioUsers(
        owner=make("t.hb.officer", hb, "officer"),
        reporter=make("t.hb.reporter", hb, "reporter"),
        viewer=make("t.hb.viewer", hb, "viewer"),
        outsiders={role: make(f"t.hp.{role}", hp, role) for role in OUTSIDER_ROLES},
    )


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def actors(scenario_module, db) -> ScenarioUsers:
    """The same roles as `users`, on the module-scoped scenario; no passwords (for service tests)."""
    hb = Unit.objects.get(code="BN.HA.HB")
    hp = Unit.objects.get(code="BN.HA.HP")

    def make(username: str, unit: Unit, role: str) -> User:
        return User.objects.create(username=username, unit=unit, role=role)

    return ScenarioUsers(
        owner=make("s.hb.officer", hb, "officer"),
        reporter=make("s.hb.reporter", hb, "reporter"),
        viewer=make("s.hb.viewer", hb, "viewer"),
        outsiders={role: make(f"s.hp.{role}", hp, role) for role in OUTSIDER_ROLES},
    )
