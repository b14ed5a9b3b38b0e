"""Schemathesis against the served OpenAPI document: every operation, no 500.

The document is read from the app itself (`/api/schema/`), so every endpoint is covered, those of the
activity module included. Requests go to the WSGI app in-process, with the token of a district officer
on the Hòa An scenario, in valid (positive) and invalid (negative) shapes. Bounded for CI: a few
derandomised examples per operation and mode, no deadline.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from chuyende.accounts.models import User
from chuyende.organisation.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_EXAMPLES = 10
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@pytest.fixture
def connection_kept_open() -> Iterator[None]:
    """The test's database connection stays open across the in-process requests, as with Django's test
    client: each WSGI request would otherwise close it (it is inside the test's transaction)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def run_operation(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    run()


@pytest.mark.usefixtures("connection_kept_open")
def test_no_operation_answers_a_server_error(scenario: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the files the import operations upload
    officer = User.objects.create(
        username="st.ha.officer", unit=Unit.objects.get(code="BN.HA"), role="officer"
    )
    headers = {"Authorization": f"Token {Token.objects.create(user=officer).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler(), headers=headers)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid operation fails here
        operations += 1
        for mode in MODES:
            try:
                run_operation(operation, mode, headers)
            except Exception as error:  # every operation is tried; the failures are listed together
                failures.append(f"{operation.label} ({mode.value}): {type(error).__name__}: {error}")
    assert operations >= 15  # the document lists the core endpoints at least
    assert not failures, "\n\n".join(failures)
