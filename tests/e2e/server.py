"""A real chuyende server in a subprocess, on its own database of the run's vendor.

The database follows DATABASE_URL like the main test run: a SQLite file in a temporary folder
when it is unset or SQLite, else a PostgreSQL database `<name>_e2e_<label>` on the same server,
created before the server starts and dropped after it stops.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from django.conf import settings
from psycopg import sql

from chuyende.env import database_from_url

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15


def database_vendor() -> str:
    """"postgresql" or "sqlite": the vendor of DATABASE_URL, the same as the main run's."""
    engine = str(database_from_url(os.environ.get("DATABASE_URL", ""), base_dir=REPO)["ENGINE"])
    return "postgresql" if engine.endswith("postgresql") else "sqlite"


@contextmanager
def scratch_database(*, label: str, folder: Path) -> Iterator[str]:
    """The DATABASE_URL of an empty database for one server, removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if database_vendor() == "sqlite":
        yield f"sqlite:///{folder / f'{label}.sqlite3'}"
        return
    database = database_from_url(url, base_dir=REPO)
    name = f"{database['NAME']}_e2e_{label}"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    _postgres_admin(database, drop, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlparse(url)._replace(path=f"/{name}").geturl()
    finally:
        _postgres_admin(database, drop)


def _postgres_admin(database: dict[str, object], *statements: sql.Composed) -> None:
    """Runs statements outside a transaction (CREATE/DROP DATABASE), connected to the run's database."""
    with psycopg.connect(dbname=str(database["NAME"]), user=str(database["USER"]),
                         password=str(database["PASSWORD"]), host=str(database["HOST"]),
                         port=str(database["PORT"]) or None, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def free_port() -> int:
    """A loopback port nobody listens on now; CHUYENDE_E2E_PORTS (comma-separated) takes precedence."""
    for candidate in _configured_ports():
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", candidate)) != 0:
                return candidate
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _configured_ports() -> list[int]:
    return [int(port) for port in os.environ.get("CHUYENDE_E2E_PORTS", "").split(",") if port.strip()]


@dataclass
class LiveServer:
    """A running server: its base URL, process and log file."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    # The job runner beside it (manage.py run_worker, as scripts/start and chuyende-worker run it): the
    # imports and the notifications are its tasks.
    worker: subprocess.Popen[bytes] | None = None

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def server_environment(*, database_url: str, folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "CHUYENDE_DEBUG": "0",
        "CHUYENDE_SECRET_KEY": secrets.token_urlsafe(50),
        "CHUYENDE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CHUYENDE_MEDIA_ROOT": str(folder / "media"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def manage(*args: str, env: dict[str, str], log: Path) -> None:
    """Runs a management command for the server's database; its output goes to the server log."""
    with log.open("ab") as output:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env,
                                stdout=output, stderr=subprocess.STDOUT, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{log.read_text(errors='replace')[-4000:]}")


def server_command(port: int) -> list[str]:
    """gunicorn when the venv has it and WhiteNoise serves the static files, else runserver."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if gunicorn.exists() and "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE:
        return [str(gunicorn), "chuyende.wsgi:application", "--bind", f"127.0.0.1:{port}",
                "--workers", "2", "--access-logfile", "-"]
    return [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"]


def start_server(*, database_url: str, folder: Path, demo: bool, reform: bool = False) -> LiveServer:
    """Migrates the database (and loads the Hòa An demo of 2024 when asked, with its 2025
    restructuring when `reform`), then starts the server."""
    env = server_environment(database_url=database_url, folder=folder)
    log = folder / "server.log"
    manage("migrate", "--no-input", "-v", "0", env=env, log=log)
    if demo:
        manage("load_scenario", *[str(path) for path in settings.DEMO_SCENARIOS[:2 if reform else 1]],
               env=env, log=log)
    port = free_port()
    command = server_command(port)
    if command[0].endswith("gunicorn"):
        manage("collectstatic", "--no-input", "-v", "0", env=env, log=log)
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        worker = subprocess.Popen([sys.executable, "manage.py", "run_worker", "--queue-name", "default",
                                   "--no-reload", "--interval", "0.2"], cwd=REPO, env=env, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", process=process, log=log, worker=worker)
    try:
        wait_until_answering(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def wait_until_answering(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"The server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url("/dang-nhap/"), timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers, even if not with 200: the tests will say what is wrong
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The server did not answer within {START_TIMEOUT_S} s:\n{server.log_tail()}")


def stop_server(server: LiveServer) -> None:
    for process in (server.process, server.worker):
        if process is None or process.poll() is not None:
            continue
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
