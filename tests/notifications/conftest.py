import pytest

from chuyende.accounts.models import User
from tests.conftest import unit

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def run_tasks_now(settings):
    """The job runner's tasks run as soon as they are enqueued (django-tasks' immediate backend)."""
    settings.TASKS = IMMEDIATE


@pytest.fixture
def district_officer(actors) -> User:
    """An officer of Hòa An (BN.HA): reviews the reports of Hòa Bình and Hòa Phú."""
    return User.objects.create(username="s.ha.officer", unit=unit("BN.HA"), role="officer",
                               email="ha.officer@example.vn")
