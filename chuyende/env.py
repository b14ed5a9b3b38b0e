"""Typed readers of the environment. A malformed value stops the process at start."""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_int_at_least(name: str, default: int, minimum: int) -> int:
    """A whole number of at least `minimum` (a count or a length of time)."""
    value = env_int(name, default)
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SQLITE_BUSY_TIMEOUT_SECONDS = 20


def _sqlite(name: str) -> dict[str, object]:
    # WAL lets pages read while a long import holds the write lock. Every transaction takes the
    # write lock when it begins (IMMEDIATE): a transaction that read first and wrote later could not
    # wait for the lock (SQLite answers "database is locked" at once, the busy timeout never applies),
    # whereas one waiting at BEGIN waits up to the timeout. synchronous=NORMAL is safe with WAL (a
    # power cut may lose the last commits, never corrupt the file) and keeps the lock held briefly.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        },
    }


def database_from_url(url: str, *, base_dir: Path) -> dict[str, object]:
    """SQLite by default; postgres://user:pass@host:port/name selects PostgreSQL."""
    if not url:
        return _sqlite(str(base_dir / "db.sqlite3"))
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # The first "/" after the (empty) host separates it from the path:
        # sqlite:////tmp/x.sqlite3 is the absolute /tmp/x.sqlite3.
        path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
        return _sqlite(unquote(path) or ":memory:")
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # The roll-up's grouped counts cost more to JIT-compile than to run.
            "OPTIONS": {"options": "-c jit=off"},
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported.")


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of: {', '.join(choices)}.")
    return value
