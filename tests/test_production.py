"""Production settings (chuyende/production.py, settings.py): the refusals at start, and `check --deploy`
clean under the settings documented in deploy/chuyende.env.example. Settings are read once per process,
so these run manage.py in a subprocess with the environment under test."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from chuyende.production import DEVELOPMENT_SECRET_KEY, production_secret_key

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / "deploy" / "chuyende.env.example"


def documented_environment() -> dict[str, str]:
    """The KEY=value lines of deploy/chuyende.env.example."""
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """manage.py ARGS in a fresh process: this environment only, files under tmp_path."""
    base = {key: value for key, value in os.environ.items()
            if not key.startswith("CHUYENDE_") and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    base.update({
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "CHUYENDE_MEDIA_ROOT": str(tmp_path / "media"),
        "CHUYENDE_STATIC_ROOT": str(tmp_path / "static"),
        "CHUYENDE_LOG_DIR": str(tmp_path / "logs"),
    })
    base.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=300, check=False)


def production_env(**overrides: str) -> dict[str, str]:
    env = documented_environment()
    env.update(CHUYENDE_SECRET_KEY=secrets.token_urlsafe(50))
    for path_key in ("DATABASE_URL", "CHUYENDE_MEDIA_ROOT", "CHUYENDE_STATIC_ROOT", "CHUYENDE_LOG_DIR"):
        env.pop(path_key, None)  # kept under tmp_path by manage()
    env.update(overrides)
    return env


# --- refusals at start ------------------------------------------------------------------------------


def test_production_refuses_to_start_on_the_default_key_with_debug_off(tmp_path):
    result = manage(tmp_path, "check", **production_env(
        CHUYENDE_DEBUG="0", CHUYENDE_SECRET_KEY=DEVELOPMENT_SECRET_KEY))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CHUYENDE_SECRET_KEY is a published development key" in result.stderr


def test_production_refuses_to_start_without_a_key(tmp_path):
    env = production_env(CHUYENDE_DEBUG="0")
    del env["CHUYENDE_SECRET_KEY"]
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "CHUYENDE_SECRET_KEY is not set" in result.stderr


def test_development_starts_on_the_default_key(tmp_path):
    """scripts/start and the tests: no key, debug off, CHUYENDE_ENV unset."""
    result = manage(tmp_path, "check", CHUYENDE_DEBUG="0")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "logs").is_dir()  # the log directory is made at start


@pytest.mark.parametrize(("key", "problem"), [
    ("", "is not set"),
    (DEVELOPMENT_SECRET_KEY, "published development key"),
    ("dev-only-insecure-key-change-me", "published development key"),
    ("django-insecure-" + "x7" * 30, "published development key"),
    ("short-but-random-7Hq2", "too short or too simple"),
    ("ab" * 40, "too short or too simple"),
])
def test_a_weak_key_is_refused_with_what_is_wrong(key, problem):
    with pytest.raises(ImproperlyConfigured, match=problem) as refused:
        production_secret_key(key)
    assert "secrets.token_urlsafe(50)" in str(refused.value)


def test_a_long_random_key_is_accepted():
    key = secrets.token_urlsafe(50)
    assert production_secret_key(key) == key


def test_production_refuses_debug_mode(tmp_path):
    result = manage(tmp_path, "check", **production_env(CHUYENDE_DEBUG="1"))
    assert result.returncode != 0
    assert "CHUYENDE_DEBUG=1" in result.stderr


def test_a_misspelt_environment_name_is_refused(tmp_path):
    result = manage(tmp_path, "check", CHUYENDE_ENV="prod")
    assert result.returncode != 0
    assert "CHUYENDE_ENV='prod' is not one of: development, production" in result.stderr


# --- check --deploy -----------------------------------------------------------------------------------


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_without_https_check_deploy_names_the_cookie_and_hsts_warnings(tmp_path):
    """CHUYENDE_HTTPS=0 (an intranet without TLS) is allowed, and its risks are reported."""
    result = manage(tmp_path, "check", "--deploy", **production_env(CHUYENDE_HTTPS="0"))
    assert result.returncode == 0, result.stderr
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout
    assert "security.W009" not in result.stderr + result.stdout  # the key is fine


SERVE_SCRIPT = """
import json, re
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
# An installed database: an empty one leads every page to the first run (/bat-dau/).
call_command("migrate", verbosity=0)
from chuyende.organisation.services import unit_create
unit_create(actor=None, code="BN", name="Tỉnh Bình Nguyên", kind="party_committee", parent=None)
client = Client()
https = {"host": "chuyende.example.vn", "x-forwarded-proto": "https"}
plain = client.get("/dang-nhap/", headers={"host": "chuyende.example.vn"})
secure = client.get("/dang-nhap/", headers=https)
css = re.search(r'href="(/static/css/app\\.[0-9a-f]+\\.css)"', secure.content.decode()).group(1)
static = client.get(css, headers={**https, "accept-encoding": "gzip"})
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "status": secure.status_code, "headers": dict(secure.headers),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "static_status": static.status_code, "static_headers": dict(static.headers),
}))
"""


def test_behind_https_pages_send_hsts_secure_cookies_and_whitenoise_serves_hashed_static_files(tmp_path):
    result = manage(tmp_path, "shell", "-c", SERVE_SCRIPT, **production_env(CHUYENDE_HSTS_SECONDS="3600"))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # collectstatic's hashed, compressed copy, cached for good by browsers
    assert seen["static_status"] == 200
    assert seen["static_headers"]["Content-Encoding"] == "gzip"
    assert "immutable" in seen["static_headers"]["Cache-Control"]
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://chuyende.example.vn/dang-nhap/"
    assert seen["status"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert seen["csrf_cookie_secure"] is True
