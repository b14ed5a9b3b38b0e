"""An upload over its view's limit is stopped while it streams in (core.uploads), through Django's real
request path: the import page and the API answer with the size and the limit on the file field, nothing
is stored, and the body is never held in memory. The bodies are generated chunk by chunk, so the test
itself never builds them either."""

import io
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from chuyende.core.uploads import SizeLimitedUploadHandler, refused_upload
from chuyende.imports import spec
from chuyende.imports.models import ImportJob
from chuyende.imports.services import refused_upload_error
from tests.builders import nothing_written
from tests.view_helpers import translated

pytestmark = pytest.mark.django_db

MB = 1_048_576
BOUNDARY = "----chuyendeTestBoundary7MA4YWxkTrZu0gW"
CHUNK = 64 * 1024
TOO_LARGE = "The file is %(size)s MB; the largest allowed is %(limit)s MB."


@pytest.fixture(autouse=True)
def upload_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_MAX_BYTES = 50 * MB


class GeneratedBody(io.RawIOBase):
    """A readable stream over the bytes a generator yields, kept one chunk at a time."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = memoryview(b"")
        self.sent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            try:
                self.pending = memoryview(next(self.chunks))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        self.sent += size
        return size


def multipart(fields: dict[str, str], *, filename: str, file_size: int) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of a multipart body: the fields, then a CSV file of `file_size` bytes."""
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ) + (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
         "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    row = b"HB-0001,Nguyen Van A,Nam,1990,BN.HA.HB.DONG,x\n"
    block = row * (CHUNK // len(row))

    def chunks() -> Iterator[bytes]:
        yield head
        left = file_size
        while left:
            piece = block[:left]
            left -= len(piece)
            yield piece
        yield tail

    return len(head) + file_size + len(tail), chunks()


def vm_kib(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise AssertionError(f"{name} not in /proc/self/status")


def post_streamed(client: Client, path: str, length: int, chunks: Iterator[bytes], **extra: str) -> Any:
    """POSTs the generated body through Django's WSGI handler (the whole middleware stack), with the
    client's cookies (session, CSRF)."""
    body = io.BufferedReader(GeneratedBody(chunks), buffer_size=CHUNK)
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "CONTENT_LENGTH": str(length),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "HTTP_COOKIE": "; ".join(f"{morsel.key}={morsel.coded_value}" for morsel in client.cookies.values()),
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False, **extra,
    }
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"] = int(status.split()[0])
        return lambda data: None  # the WSGI write(); Django returns its content instead

    # The test's database connection stays open, as with Django's test client: the request's signals
    # would otherwise close it (it holds the test's transaction).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)
    return answer["status"], content.decode(), body


def measured(call: Any) -> tuple[Any, float, int]:
    """The call's result, its wall time and how far the process's peak memory rose above the memory
    in use before it (KiB)."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    before = vm_kib("VmRSS")
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started, vm_kib("VmHWM") - before


def assert_refused_quickly_and_within_memory(seconds: float, peak_rise_kib: int) -> None:
    # The acceptance bounds for a hostile file: refused in under 5 s and under 300 MB.
    assert seconds < 5, f"{seconds:.1f} s"
    assert peak_rise_kib < 300 * 1024, f"{peak_rise_kib / 1024:.0f} MiB"


def assert_nothing_stored(settings: Any) -> None:
    assert not ImportJob.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_a_100_mb_upload_on_the_import_page_is_refused_while_it_streams_in(actors, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(actors.owner)
    page = client.get(reverse("imports:home"))
    assert page.status_code == 200
    token = page.context["csrf_token"]
    length, chunks = multipart({"csrfmiddlewaretoken": str(token), "kind": "members"},
                               filename="dang-vien.csv", file_size=100 * MB)

    with nothing_written():
        (status, content, body), seconds, peak = measured(
            lambda: post_streamed(client, reverse("imports:home"), length, chunks))

    assert status == 200
    assert translated(TOO_LARGE, size="100,1", limit="50") in content
    assert 'aria-invalid="true"' in content or "has-error" in content
    assert '<option value="members" selected>' in content  # the fields before the file are kept
    assert body.raw.sent == length  # the rest of the body was drained, not left on the connection
    assert_nothing_stored(settings)
    assert_refused_quickly_and_within_memory(seconds, peak)


def test_a_100_mb_upload_to_the_api_is_400_naming_the_limit_on_the_file_field(actors, settings):
    token, _ = Token.objects.get_or_create(user=actors.owner)
    length, chunks = multipart({"kind": "members"}, filename="dang-vien.csv", file_size=100 * MB)

    with nothing_written():
        (status, content, body), seconds, peak = measured(lambda: post_streamed(
            Client(), "/api/v1/imports/", length, chunks, HTTP_AUTHORIZATION=f"Token {token.key}"))

    assert status == 400, content
    assert json.loads(content) == {"errors": {"file": [translated(TOO_LARGE, size="100,1", limit="50")]}}
    assert body.raw.sent == length
    assert_nothing_stored(settings)
    assert_refused_quickly_and_within_memory(seconds, peak)


def test_without_a_content_length_the_bytes_received_are_counted(settings):
    """A body whose length is not given up front (ASGI, a proxy that streams) is stopped once the file's
    bytes pass the limit; the message can then only say it is larger."""
    settings.IMPORT_UPLOAD_MAX_BYTES = 1 * MB
    request = RequestFactory().post(reverse("imports:home"))
    handler = SizeLimitedUploadHandler(request)
    assert handler.limit == 1 * MB
    handler.handle_raw_input(io.BytesIO(b"rest of the body"), {}, 0, BOUNDARY)
    handler.new_file("file", "x.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"x" * CHUNK, 0) == b"x" * CHUNK
    with pytest.raises(StopUpload) as stopped:
        handler.receive_data_chunk(b"x" * CHUNK, MB - CHUNK + 1)
    assert stopped.value.connection_reset is False
    assert handler.body.read() == b""  # drained
    refusal = refused_upload(request)
    assert refusal is not None and (refusal.field, refusal.size) == ("file", None)
    assert refused_upload_error(refusal).message_dict == {"file": [translated(
        "The file is larger than %(limit)s MB, the largest allowed.", limit="1")]}


def test_a_file_within_the_limit_goes_through(actors, settings, client_for):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1 * MB
    header = ",".join(column.header for column in spec.MEMBERS.columns) + "\n"
    upload = SimpleUploadedFile("ds.csv", header.encode() + b"x" * (MB - 1000), content_type="text/csv")
    response = client_for(actors.owner).post(reverse("imports:home"), {"kind": "members", "file": upload})
    assert response.status_code == 302
    assert ImportJob.objects.get().upload.size == upload.size


def test_views_without_a_limit_are_not_stopped(settings):
    """Only the views that declare a limit are: another upload (materials) keeps its own check."""
    settings.IMPORT_UPLOAD_MAX_BYTES = 1
    handler = SizeLimitedUploadHandler(RequestFactory().post("/tai-lieu/"))
    assert handler.limit == 0
    handler.handle_raw_input(io.BytesIO(), {}, 10 * MB, BOUNDARY)
    handler.new_file("attachment", "big.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * CHUNK, 5 * MB) == b"x" * CHUNK
