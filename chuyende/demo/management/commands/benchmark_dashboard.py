"""Drives the dashboard with concurrent clients: `manage.py benchmark_dashboard --clients 50 --pause 1`.

Starts gunicorn (4 sync workers, loopback only) against the current database (DATABASE_URL), gives
each client a real session of a viewer of the root unit, and lets every client load the dashboard
of the root and of its sub-units in turn, pausing between pages, for --duration seconds. Prints the
latency percentiles, the pages served a second and the errors. With --pause 0 the pages a second
are the most the server gives.

The clients are threads with the standard library's http.client: one GET at a time each, a new
connection every page (gunicorn's sync workers close them anyway), no third-party HTTP client to
install on the server for a benchmark. Only the HTML pages are loaded (static files are WhiteNoise's).
"""

import http.client
import logging
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.test import Client

from chuyende.accounts.models import User
from chuyende.accounts.services import user_create
from chuyende.organisation.models import Unit

USERNAME = "benchmark.dashboard"
WORKERS = 4
SUB_UNITS = 40  # pages of sub-units visited besides the root's: its children, then grandchildren


@dataclass
class _Results:
    latencies: list[float] = field(default_factory=list)  # seconds, of pages answered 200
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Command(BaseCommand):
    help = "Start gunicorn on the current database and time the dashboard under concurrent clients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=50)
        parser.add_argument("--pause", type=float, default=1.0,
                            help="seconds each client waits between pages")
        parser.add_argument("--duration", type=float, default=60.0, help="seconds the clients run")
        parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
        parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn worker processes")
        parser.add_argument("--unit", default="", help="code of the root unit (default: the top of the tree)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["clients"] < 1 or options["duration"] <= 0 or options["pause"] < 0:
            raise CommandError("--clients must be at least 1, --duration positive, --pause not negative.")
        root = self._root(options["unit"])
        paths = _dashboard_paths(root)
        cookies = _session_cookies(_benchmark_user(root), options["clients"])
        port = options["port"] or _free_port()
        server = _start_gunicorn(port, options["workers"])
        try:
            _wait_until_serving(port, server)
            _warm_up(port, cookies[0], options["workers"])
            self.stdout.write(f"gunicorn ({options['workers']} workers) on 127.0.0.1:{port}; "
                              f"{options['clients']} clients for {options['duration']:g} s, "
                              f"pause {options['pause']:g} s, {len(paths)} dashboard pages under "
                              f"{root.code}...")
            results, elapsed = _drive(port, paths, cookies, pause=options["pause"],
                                      duration=options["duration"])
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        self._print(results, elapsed)

    def _root(self, code: str) -> Unit:
        tops = Unit.objects.filter(parent__isnull=True).order_by("path")
        root = (Unit.objects.filter(code=code) if code else tops).first()
        if root is None:
            raise CommandError(f"No unit {code}." if code else "The database holds no units.")
        return root

    def _print(self, results: _Results, elapsed: float) -> None:
        pages = len(results.latencies)
        self.stdout.write("")
        self.stdout.write(f"Dashboard benchmark: {pages:,} pages in {elapsed:.1f} s, "
                          f"{pages / elapsed:.1f} pages/s, {len(results.errors)} errors")
        if pages >= 2:
            cuts = statistics.quantiles(results.latencies, n=100, method="inclusive")
            self.stdout.write(f"  latency ms: p50 {cuts[49] * 1000:.0f}  p95 {cuts[94] * 1000:.0f}  "
                              f"p99 {cuts[98] * 1000:.0f}  max {max(results.latencies) * 1000:.0f}")
        for error in sorted(set(results.errors))[:5]:
            self.stdout.write(f"  error: {error}")


def _dashboard_paths(root: Unit) -> list[str]:
    """The root's dashboard, then its children's and grandchildren's, SUB_UNITS at most."""
    below = (
        Unit.objects.filter(path__under=root.path, depth__in=[root.depth + 1, root.depth + 2])
        .order_by("depth", "path").values_list("pk", flat=True)[:SUB_UNITS]
    )
    return ["/", *(f"/?unit={pk}" for pk in below)]


def _benchmark_user(root: Unit) -> User:
    """A viewer of the root unit, created through the accounts service the first time."""
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        return user_create(actor=None, username=USERNAME, password=secrets.token_urlsafe(24), unit=root,
                           role=User.Role.VIEWER, full_name="Đo hiệu năng")
    if user.unit_id != root.pk:
        raise CommandError(f"The user {USERNAME} belongs to another unit; delete it or pass --unit.")
    return user


def _session_cookies(user: User, count: int) -> list[str]:
    """One session of the user a client (the test client's force_login writes real sessions)."""
    cookies = []
    logging.disable(logging.INFO)  # django-axes logs every login
    try:
        for _ in range(count):
            client = Client()
            client.force_login(user)
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    finally:
        logging.disable(logging.NOTSET)
    close_old_connections()
    return cookies


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "chuyende.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "120", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=dict(os.environ))


def _wait_until_serving(port: int, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn stopped at its start (exit {server.returncode}).")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout:g} s.")


def _warm_up(port: int, cookie: str, workers: int) -> None:
    """Every worker has loaded the application and served a page before the clock starts (gunicorn
    accepts connections as soon as it listens, while its workers are still starting)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _get(port, "/", cookie)[0] != 200:
        time.sleep(0.5)
    threads = [threading.Thread(target=_get, args=(port, "/", cookie)) for _ in range(workers * 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _get(port: int, path: str, cookie: str) -> tuple[int, str]:
    """The status of a GET (0 when the connection failed) and what to say if it is not 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
    except OSError as error:
        return 0, f"{path}: {error}"
    finally:
        connection.close()
    return response.status, f"{path}: HTTP {response.status}"


def _drive(port: int, paths: list[str], cookies: list[str], *, pause: float,
           duration: float) -> tuple[_Results, float]:
    results = _Results()
    started = time.monotonic()
    deadline = started + duration
    threads = [
        threading.Thread(target=_client,
                         args=(port, paths, cookie, pause, deadline, results, random.Random(number)))
        for number, cookie in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def _client(port: int, paths: list[str], cookie: str, pause: float, deadline: float, results: _Results,
            rng: random.Random) -> None:
    while time.monotonic() < deadline:
        path = rng.choice(paths)
        begin = time.monotonic()
        status, detail = _get(port, path, cookie)
        took = time.monotonic() - begin
        with results.lock:
            if status == 200:
                results.latencies.append(took)
            else:
                results.errors.append(detail)
        if pause:
            time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
