"""An unexpected error (HTTP 500) leaves a trace: its traceback and the request's id in the log file, and
the same id on the page (or in the API's JSON) for the user to quote."""

import logging.config
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils.log import configure_logging

from chuyende.logconfig import LOG_FILE_NAME, logging_config
from tests.view_helpers import translated

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]


@pytest.fixture
def log_file(tmp_path) -> Iterator[Path]:
    """The application's logging, as configured by the settings, writing to a file of this test."""
    logging.config.dictConfig(logging_config(log_dir=tmp_path, level="INFO", max_bytes=1_048_576, backups=1))
    yield tmp_path / LOG_FILE_NAME
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def log_records(path: Path) -> list[str]:
    """The records of the log file, each with its traceback lines."""
    return re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", path.read_text(encoding="utf-8"))


def test_a_page_that_fails_logs_its_traceback_with_the_request_id_shown_to_the_user(log_file):
    mark = uuid.uuid4().hex
    response = Client(raise_request_exception=False).get("/thu-loi/", {"mark": mark})

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{12}", request_id)
    page = response.content.decode()
    assert f'Mã lỗi: <strong id="request-id">{request_id}</strong>' in page
    assert mark not in page  # the error itself stays in the log
    [record] = [record for record in log_records(log_file) if mark in record]
    assert f" ERROR [{request_id}] django.request " in record.splitlines()[0]
    assert "Internal Server Error: /thu-loi/" in record
    assert "Traceback (most recent call last):" in record
    assert f"ForcedFailure: page failure {mark}" in record


def test_an_api_call_that_fails_answers_json_with_the_request_id(log_file):
    mark = uuid.uuid4().hex
    response = Client(raise_request_exception=False).get("/api/thu-loi/", {"mark": mark})

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    request_id = response["X-Request-ID"]
    assert response.json() == {
        "detail": translated("An unexpected error occurred on the server. Quote this error code to the "
                             "administrator: %(code)s.", code=request_id),
        "request_id": request_id,
    }
    [record] = [record for record in log_records(log_file) if mark in record]
    assert f"[{request_id}] django.request" in record
    assert f"ForcedFailure: API failure {mark}" in record


def test_log_lines_outside_a_request_carry_a_dash(log_file):
    logging.getLogger("chuyende.test").warning("no request here")
    [record] = [record for record in log_records(log_file) if "no request here" in record]
    assert " WARNING [-] chuyende.test " in record


def test_the_log_file_rotates(tmp_path):
    logging.config.dictConfig(logging_config(log_dir=tmp_path, level="INFO", max_bytes=2_000, backups=2))
    try:
        for number in range(100):
            logging.getLogger("chuyende.test").info("line %s of a long log %s", number, "x" * 50)
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    names = sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(LOG_FILE_NAME))
    assert names == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    assert (tmp_path / LOG_FILE_NAME).stat().st_size <= 2_000
