"""Every kind dumped from the Hòa An scenario imports back as unchanged, writing nothing."""

import pytest

from chuyende.accounts.models import User
from chuyende.imports import dump, engine, spec
from chuyende.organisation.models import Unit
from tests.builders import nothing_written

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def province_admin(scenario_module) -> User:
    return User.objects.create(username="bn.admin", unit=Unit.objects.get(code="BN"), role="admin")


@pytest.mark.parametrize("kind", list(spec.KINDS))
def test_a_dump_imports_back_unchanged(province_admin, kind):
    data = dump.dump_workbook(kind, actor=province_admin)
    with nothing_written():
        result = engine.run_import(actor=province_admin, kind=kind, file=data, filename=f"{kind}.xlsx")
    assert result.problems == []
    assert result.rows > 0
    assert (result.created, result.updated, result.unchanged) == (0, 0, result.rows)

