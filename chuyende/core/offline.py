"""Entry without a connection: the service worker, the offline page and the list of entries not sent.

The service worker (`/sw.js`, a template rendered here so that it can list the static files it keeps
with their versions and carry its Vietnamese texts) is Workbox, loaded from this site's own
static/vendor/workbox/ (scripts/setup copies it from npm), never from a CDN:

- the app shell (CSS, scripts) and the two pages below are precached;
- a page holding a form marked `data-offline` is kept when visited (network first), so that the form
  opens without a connection; a kept copy shown offline says so ("Bản lưu, không có kết nối");
- any other page asked for without a connection gets the offline page, never the browser's error page;
- a form marked `data-offline` sent without a connection is kept on the phone (a workbox-background-sync
  Queue) and listed as "Chưa gửi"; it is sent again when a page of the app sees the connection back.
  The server refuses a second sending of it (`submitted_once`, the form's one-time key).

To make a form of a page work offline: `@submitted_once` on its view (which redirects once saved),
`{% submission_key %}` beside `{% csrf_token %}` and `data-offline="<what it records>"` on the <form>.
"""

import hashlib
import json
import os
from functools import lru_cache

from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

WORKBOX = "vendor/workbox/"
# The app shell: what every page loads, and what the offline pages need.
SHELL = (
    "css/app.css",
    "js/app.js",
    "js/offline.js",
    "vendor/flatpickr/flatpickr.min.css",
    "vendor/flatpickr/flatpickr.min.js",
    "vendor/flatpickr/vn.js",
    WORKBOX + "workbox-window.prod.umd.js",
)
PAGES_CACHE = "chuyende-pages"
SAVED_HASH = "da-luu"  # /ngoai-tuyen/chua-gui/#da-luu: the entry just kept on the phone


@lru_cache(maxsize=64)
def _file_revision(path: str, mtime_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:16]


def _static_revision(name: str) -> str:
    """The version of a static file: its content's hash (the URL is also hashed in production)."""
    found = finders.find(name)
    if not found:
        return "missing"
    path = str(found if isinstance(found, str) else found[0])
    return _file_revision(path, os.stat(path).st_mtime_ns)


def _shell_page(template: str) -> str:
    # Kept on phones shared by several people: rendered as for nobody (no name, no menu, no token).
    context = {"user": AnonymousUser(), "saved_hash": SAVED_HASH}
    return render_to_string(template, context, request=None)


def _revision(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def worker_config() -> dict[str, object]:
    offline_url = reverse("offline:page")
    unsent_url = reverse("offline:unsent")
    precache = [{"url": static(name), "revision": _static_revision(name)} for name in SHELL]
    precache += [
        {"url": offline_url, "revision": _revision(_shell_page("offline/offline.html"))},
        {"url": unsent_url, "revision": _revision(_shell_page("offline/unsent.html"))},
    ]
    return {
        "precache": precache,
        "offlineUrl": offline_url,
        "unsentUrl": unsent_url,
        "savedHash": SAVED_HASH,
        "loginUrl": reverse("login"),
        "logoutUrl": reverse("logout"),
        "pagesCache": PAGES_CACHE,
        # Never kept nor answered with the offline page: files, downloads, the API, the worker itself.
        "passThrough": ["/static/", "/media/", "/api/", "/xuat-du-lieu/", "/sw.js"],
        "text": {
            "loggedOut": _("You were logged out: log in again, then send it again."),
            "expired": _("The form had expired (security check). Open the form again and type the entry "
                         "anew."),
            "refused": _("The server did not accept this entry (code %(status)s).") % {"status": "{status}"},
            "offline": _("No connection"),
        },
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: at the site's root so that it may control every page of the site."""
    config = json.dumps(worker_config(), ensure_ascii=False)
    response = render(request, "offline/sw.js", {
        "config": mark_safe(config),  # JSON made here from our own values
        "workbox_sw": static(WORKBOX + "workbox-sw.js"),
        "workbox_prefix": static(WORKBOX),
    }, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def offline_page(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker instead of a page it does not keep, when there is no connection."""
    return HttpResponse(_shell_page("offline/offline.html"))


@require_GET
def unsent_page(request: HttpRequest) -> HttpResponse:
    """The entries kept on this phone and not sent yet, filled in by offline.js from the service worker."""
    return HttpResponse(_shell_page("offline/unsent.html"))
