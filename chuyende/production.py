"""What a production start refuses: debug mode and a secret key anybody could know or guess.

`CHUYENDE_ENV=production` (scripts/production, the systemd units) turns these checks on; the
development default (scripts/start, scripts/test, pytest) keeps a fixed key so the demo runs as is.
"""

from django.core.exceptions import ImproperlyConfigured

# The key of development installations: public in this repository, so never valid in production.
DEVELOPMENT_SECRET_KEY = "chuyende-local-default-key-set-CHUYENDE_SECRET_KEY-in-production"
KNOWN_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, "dev-only-insecure-key-change-me"})
# Django's own deployment check (security.W009) asks for as much.
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5
HOW_TO_MAKE_A_KEY = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' and put it in "
    "the environment file (see README, Production)."
)


def production_secret_key(key: str) -> str:
    """The key if it is fit for production, else ImproperlyConfigured saying what is wrong."""
    if not key:
        raise ImproperlyConfigured(
            f"CHUYENDE_SECRET_KEY is not set, and CHUYENDE_ENV=production needs it. {HOW_TO_MAKE_A_KEY}"
        )
    if key in KNOWN_KEYS or key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "CHUYENDE_SECRET_KEY is a published development key, refused with CHUYENDE_ENV=production. "
            f"{HOW_TO_MAKE_A_KEY}"
        )
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"CHUYENDE_SECRET_KEY is too short or too simple for CHUYENDE_ENV=production: it needs at "
            f"least {MIN_SECRET_KEY_LENGTH} characters, {MIN_SECRET_KEY_UNIQUE_CHARACTERS} of them "
            f"different. {HOW_TO_MAKE_A_KEY}"
        )
    return key


def refuse_debug_in_production(debug: bool) -> None:
    if debug:
        raise ImproperlyConfigured(
            "CHUYENDE_DEBUG=1 shows tracebacks and settings to every visitor and is refused with "
            "CHUYENDE_ENV=production. Remove it from the environment file."
        )
