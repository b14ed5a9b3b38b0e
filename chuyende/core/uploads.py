"""Uploads refused while they stream in, in constant memory.

`SizeLimitedUploadHandler` comes first in FILE_UPLOAD_HANDLERS. A view whose uploads have a size limit
says so with `@upload_limit("SETTING")` (a DRF view: `upload_limit_setting = "SETTING"` on its class);
the handler then stops the multipart parsing at the first file of a body larger than the limit (by
the request's Content-Length, plus room for the other fields) or as soon as a file's received bytes pass
it. The rest of the body is read and dropped (and StopUpload has connection_reset=False) so the view
still answers on the same connection: the fields read before the file are there, the file is not, and
`refused_upload(request)` tells the view why, to name the limit on the file's field. Nothing of the
file is stored: the handlers after this one never received its bytes, or had them closed and deleted.
"""

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.urls import Resolver404, resolve

# Room in the body for the multipart boundaries and headers and the form's other fields (CSRF token,
# kind, campaign, submission key): a body within the limit plus this is left to the view's own check.
MULTIPART_OVERHEAD = 64 * 1024
DRAIN_BLOCK = 256 * 1024
_REFUSAL = "_chuyende_upload_refused"
_View = TypeVar("_View", bound=Callable[..., Any])


@dataclasses.dataclass(frozen=True)
class UploadRefusal:
    field: str
    limit: int  # bytes
    size: int | None  # bytes of the whole request body, None when only "more than the limit" is known


def upload_limit(setting: str) -> Callable[[_View], _View]:
    """Marks a view whose uploads may not be larger than `settings.<setting>` bytes (0: no limit)."""
    def mark(view: _View) -> _View:
        view.upload_limit_setting = setting  # type: ignore[attr-defined]
        return view
    return mark


def refused_upload(request: HttpRequest) -> UploadRefusal | None:
    """Why the request's file is missing, if the handler stopped it; None otherwise."""
    refusal: UploadRefusal | None = getattr(request, _REFUSAL, None)
    return refusal


def _limit_for(request: HttpRequest) -> int:
    match = request.resolver_match
    if match is None:  # the body was read before the URL was resolved (by a middleware)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return 0
    view = match.func
    setting = getattr(view, "upload_limit_setting", None) or getattr(
        getattr(view, "cls", None), "upload_limit_setting", None)
    return int(getattr(settings, setting)) if setting else 0


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops the upload of a file larger than its view's limit; passes every chunk on otherwise."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = _limit_for(request) if request is not None else 0
        self.body_length: int | None = None  # (the base class's content_length is a part's)
        self.body: Any = None

    def handle_raw_input(self, input_data: Any, META: Any, content_length: int, boundary: str,
                         encoding: str | None = None) -> None:
        self.body_length = content_length or None
        self.body = input_data
        return None

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if self.limit and self.body_length and self.body_length > self.limit + MULTIPART_OVERHEAD:
            self._refuse(size=self.body_length)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self.limit and start + len(raw_data) > self.limit:
            self._refuse(size=None)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

    def _refuse(self, *, size: int | None) -> None:
        if self.request is not None:
            setattr(self.request, _REFUSAL, UploadRefusal(field=self.field_name, limit=self.limit, size=size))
        self._drain()
        raise StopUpload(connection_reset=False)

    def _drain(self) -> None:
        """Reads the rest of the body in large blocks, keeping none. Django would drain it too, but line
        by line (HttpRequest.__iter__), which takes seconds of CPU for a large text file."""
        if self.body is None:
            return
        while self.body.read(DRAIN_BLOCK):
            pass
