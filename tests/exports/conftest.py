import pytest

from chuyende.accounts.models import User
from chuyende.organisation.models import Unit


@pytest.fixture
def district(actors) -> User:
    """An officer of the district (Hòa An), on the module-scoped scenario."""
    return User.objects.create(username="s.ha.officer", unit=Unit.objects.get(code="BN.HA"), role="officer")
