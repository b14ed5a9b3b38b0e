"""benchmark_dashboard really starts gunicorn on a free loopback port, drives the dashboard with clients
holding real sessions, prints the latency percentiles, and stops the server."""

import os
import socket
import subprocess
import sys

import pytest

from tests.e2e.server import REPO, free_port, scratch_database

pytestmark = pytest.mark.slow


def manage(url: str, *arguments: str) -> str:
    result = subprocess.run([sys.executable, str(REPO / "manage.py"), *arguments], cwd=REPO,
                            env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_drives_the_dashboard_of_a_synthetic_tree_and_stops_its_server(tmp_path):
    port = free_port()
    with scratch_database(label="dashboard", folder=tmp_path) as url:
        manage(url, "migrate", "--verbosity", "0")
        manage(url, "benchmark_rollup", "--communes", "2", "--cells", "2", "--members", "5", "--events", "2",
               "--repeat", "1")
        out = manage(url, "benchmark_dashboard", "--clients", "2", "--pause", "0", "--duration", "2",
                     "--workers", "2", "--port", str(port))
    assert f"on 127.0.0.1:{port}" in out
    summary = next(line for line in out.splitlines() if line.startswith("Dashboard benchmark: "))
    assert summary.endswith(" 0 errors")
    assert int(summary.split()[2].replace(",", "")) > 0  # pages served
    assert "p50 " in out and "p95 " in out and "p99 " in out
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the server was stopped
