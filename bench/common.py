"""Helpers shared by the bench scripts: the bench databases, a gunicorn to load, wrk."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def ensure_database(url: str) -> None:
    """Create the bench database on the server if it is missing (PostgreSQL only)."""
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0.5: the median's rank)."""
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def times_floor(value: float, floor: float) -> str:
    """A figure against the floor's, as the issue states it: "3.4×"."""
    return f"{value / floor:.1f}×" if floor else "–"


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn crm.wsgi`` on a free local port, as docs/deploy.md serves Rapport, with the
    bench's settings (its URLconf adds the floor page). A context manager: stopped on exit."""

    def __init__(self, *, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            **env,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "ALLOWED_HOSTS": "127.0.0.1",
            "RAPPORT_BASE_URL": self.base,
            "LOG_LEVEL": "WARNING",
            # DEBUG=False serves hashed static names from a manifest: the bench's own copy.
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        }
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=self.env, cwd=ROOT, check=True
        )
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "crm.wsgi", "--chdir", str(ROOT), "--bind", f"127.0.0.1:{self.port}"]
            + ["--workers", str(self.workers), "--no-control-socket", "--log-level", "warning"],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # the master stops its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class WrkResult:
    requests_per_second: float
    latency_p50_ms: float
    requests: int
    errors: int  # non-2xx/3xx responses and socket errors (a request over 30 s included)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def status_of(url: str, *, cookie: str) -> int:
    """The status of one GET, redirects not followed (wrk would count a redirect to the
    sign-in page as a success)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request(
            "GET", f"{parts.path}?{parts.query}" if parts.query else parts.path, headers={"Cookie": cookie}
        )
        return connection.getresponse().status
    finally:
        connection.close()


def wrk(url: str, *, cookie: str, seconds: int, connections: int, threads: int = 1) -> WrkResult:
    """Load ``url`` with wrk for ``seconds``, signed in through ``cookie`` ("name=value")."""
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency"]
        + ["-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE).groups()
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(rps, float(value) * _UNITS_MS[unit], requests, errors)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None
