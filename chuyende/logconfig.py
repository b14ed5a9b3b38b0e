"""Logging: every record to the console (journald under systemd) and to a rotating file.

The file is written by several processes at once (gunicorn's workers and the job runner), so it is
rotated by concurrent-log-handler, which takes a lock file around each write and rotation; the
standard library's RotatingFileHandler loses or mixes records when two processes rotate.
"""

from pathlib import Path
from typing import Any

LOG_FILE_NAME = "chuyende.log"
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s pid=%(process)d: %(message)s"


def logging_config(*, log_dir: Path, level: str, max_bytes: int, backups: int) -> dict[str, Any]:
    """The LOGGING setting; creates `log_dir` if it does not exist yet."""
    log_dir.mkdir(parents=True, exist_ok=True)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "chuyende.core.request_id.RequestIdFilter"}},
        "formatters": {"plain": {"format": FORMAT}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "plain",
            },
            "file": {
                "class": "concurrent_log_handler.ConcurrentRotatingFileHandler",
                "filename": str(log_dir / LOG_FILE_NAME),
                "maxBytes": max_bytes,
                "backupCount": backups,
                "encoding": "utf-8",
                "filters": ["request_id"],
                "formatter": "plain",
            },
        },
        "root": {"handlers": ["console", "file"], "level": level},
        "loggers": {
            # Django's own loggers reach the root handlers (its default console handler is for DEBUG only).
            "django": {"level": level},
            # One line per request that had no X-Request-ID is noise.
            "django_guid": {"level": "WARNING"},
        },
    }
