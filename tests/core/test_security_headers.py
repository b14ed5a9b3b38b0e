"""Security headers on the pages (django-csp, Django's SecurityMiddleware, django-guid) and the rule that
lets the Content-Security-Policy forbid inline code: no template has an inline script, event handler
attribute or style."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES_ROOT = Path(__file__).resolve().parents[2] / "chuyende"
POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
    "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'",
}


def policy_of(response) -> dict[str, str]:
    parts = response["Content-Security-Policy"].split(";")
    return dict(part.strip().split(" ", 1) for part in parts)


def assert_secure_headers(response) -> None:
    policy = policy_of(response)
    for name, value in POLICY.items():
        assert policy[name] == value, name
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{12}", response["X-Request-ID"])


@pytest.mark.django_db
def test_the_login_page_sends_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_secure_headers(response)


@pytest.mark.parametrize("name", ["figures:dashboard", "members:list", "imports:home"])
def test_pages_of_a_signed_in_user_send_the_security_headers(actors, client_for, name):
    response = client_for(actors.owner).get(reverse(name))
    assert response.status_code == 200
    assert_secure_headers(response)


def test_error_pages_send_the_security_headers_too(actors, client_for):
    response = client_for(actors.owner).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert_secure_headers(response)


def test_every_request_gets_its_own_id(actors, client_for):
    client = client_for(actors.owner)
    ids = {client.get(reverse("login"))["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_the_api_docs_page_runs_under_the_same_policy_with_its_script_as_a_file(actors, client_for):
    client = client_for(actors.owner)
    page = client.get(reverse("docs"))
    assert page.status_code == 200
    assert_secure_headers(page)
    html = page.content.decode()
    assert "<style" not in html
    # Every script is a file of this site, the start-up script included.
    sources = re.findall(r"<script([^>]*)>", html)
    assert sources and all('src="/' in attributes for attributes in sources)
    script = client.get(reverse("docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# --- the templates ------------------------------------------------------------------------------------

def templates() -> list[Path]:
    return sorted(TEMPLATES_ROOT.rglob("templates/**/*.html"))


INLINE_CODE = {
    "an inline <script> (move it to a static .js file)": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "an event handler attribute (attach it in a static .js file)": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "a style attribute (use a class of app.css)": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "a <style> element (use app.css)": re.compile(r"<style\b", re.I),
}


def test_the_templates_are_found():
    names = {path.name for path in templates()}
    assert {"base.html", "500.html", "dashboard.html", "job.html"} <= names


@pytest.mark.parametrize("template", templates(), ids=lambda path: str(path.relative_to(TEMPLATES_ROOT)))
def test_no_template_holds_inline_code_the_policy_would_block(template):
    text = template.read_text(encoding="utf-8")
    found = [what for what, pattern in INLINE_CODE.items() if pattern.search(text)]
    assert not found, f"{template.relative_to(TEMPLATES_ROOT)} has {', '.join(found)}"


def test_the_inline_code_patterns_catch_what_they_should():
    samples = {
        "<script>alert(1)</script>": True, '<script src="/static/a.js" defer></script>': False,
        '<button onclick="go()">': True, '<div data-on="x">': False, '<a href="javascript:go()">': True,
        '<td style="width:5%">': True, '<progress class="bar">': False, "<style>p{}</style>": True,
    }
    for sample, blocked in samples.items():
        assert any(pattern.search(sample) for pattern in INLINE_CODE.values()) is blocked, sample
