"""The production gunicorn settings: sized from the machine, changed by environment, and a
server started with them answers."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from yjinspect.bench.load import percentile
from yjinspect.web import gunicorn_conf


@pytest.fixture(autouse=True)
def _reload_afterwards() -> Iterator[None]:
    """Each test reloads the settings under its own environment; put them back after."""
    yield
    importlib.reload(gunicorn_conf)


def test_one_synchronous_worker_per_core_plus_one_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("YJ_WORKERS", "YJ_THREADS", "YJ_BIND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    conf = importlib.reload(gunicorn_conf)
    assert (conf.workers, conf.threads, conf.bind) == (5, 1, "127.0.0.1:8000")


def test_the_environment_overrides_each_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YJ_WORKERS", "7")
    monkeypatch.setenv("YJ_THREADS", "3")
    monkeypatch.setenv("YJ_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("YJ_MAX_REQUESTS", "200")
    conf = importlib.reload(gunicorn_conf)
    assert (conf.workers, conf.threads, conf.bind) == (7, 3, "0.0.0.0:9000")
    assert (conf.max_requests, conf.max_requests_jitter) == (200, 20)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_serves_the_app_with_these_settings(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "YJ_BIND": f"127.0.0.1:{port}",
        "YJ_WORKERS": "1",
        "YJ_VAR_DIR": str(tmp_path),
        "YJ_DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)  # SQLite in tmp_path: /healthz only needs a connection
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:yjinspect.web.gunicorn_conf",
            "yjinspect.web.wsgi",
        ],
        env=env,
    )
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read()
                break
            except OSError:
                time.sleep(0.1)
        assert body == b"ok"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_percentile_reads_the_sorted_latencies_in_milliseconds() -> None:
    ordered = [i / 1000 for i in range(1, 101)]  # 1 ms .. 100 ms
    assert percentile(ordered, 0.5) == pytest.approx(51)
    assert percentile(ordered, 0.95) == pytest.approx(96)
    assert percentile([0.2], 0.95) == pytest.approx(200)


def test_worker_memory_is_read_for_each_child_process() -> None:
    from yjinspect.bench.load import worker_rss_mb

    # The child says when Python is up: read before that, a just-forked process holds < 1 MB.
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        sizes = worker_rss_mb(os.getpid())
        assert len(sizes) == 1 and 1 < sizes[0] < 500  # one Python child, a few MB resident
    finally:
        child.kill()
        child.wait()
