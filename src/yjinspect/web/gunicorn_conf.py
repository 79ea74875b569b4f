"""gunicorn settings: `gunicorn -c python:yjinspect.web.gunicorn_conf yjinspect.web.wsgi`.

Pages are CPU work in Python (templates, the ORM), so one request at a time per process is
fastest: threads inside a process queue behind each other for the interpreter lock. One
process per core plus one (to use a core while another waits on PostgreSQL) measured best
on the two-core bench machine: p95 48-57 ms against 61-95 ms for four processes of two
threads, in interleaved runs (docs/deploying.md). Put a buffering proxy (nginx) in front, as
gunicorn's own documentation asks for its synchronous workers.

Every setting can be changed by environment variable, so one file serves every server size.
"""

from __future__ import annotations

import os

bind = os.environ.get("YJ_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("YJ_WORKERS", str((os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("YJ_THREADS", "1"))
# A request slower than this is killed and logged rather than holding a worker for ever;
# the PDF of a large report is the slowest page (a few seconds).
timeout = int(os.environ.get("YJ_WORKER_TIMEOUT", "60"))
# Replace each worker after this many requests (with jitter, so not all at once): a guard
# against slow growth in memory, at the cost of one warm-up per worker now and then.
max_requests = int(os.environ.get("YJ_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("YJ_ACCESS_LOG") or None
loglevel = os.environ.get("YJ_LOG_LEVEL", "warning").lower()
