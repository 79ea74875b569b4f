"""The load run of `make bench`: 50 simulated inspectors against gunicorn and PostgreSQL.

Run inside `scripts/with-postgres.sh` (DATABASE_URL set). It builds a fresh inspection with
one sampled case per simulated inspector (so inspectors never edit each other's answers),
starts gunicorn on loopback, and for a fixed time each inspector repeatedly opens their case's
assessment form, changes one answer, saves it, and opens the ratings page. At the end it
compares every answer the inspectors were told was saved with the database ('lost' counts
any that differ), and measures a trivial endpoint in the same run for the ratio.

Traffic goes to 127.0.0.1 only, and every loop stops at its deadline.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

USERS = int(os.environ.get("YJ_BENCH_USERS", "50"))
SECONDS = float(os.environ.get("YJ_BENCH_SECONDS", "60"))
# Seconds an inspector spends reading and typing between actions (people are not robots).
THINK = float(os.environ.get("YJ_BENCH_THINK", "2"))
PASSWORD = "bench-password-not-secret-1"  # noqa: S105 - throwaway users on a throwaway database
WEB = Path(__file__).resolve().parents[1] / "web"
INPUT = re.compile(r"<input[^>]*>", re.I)
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S | re.I)


def _setup_django() -> None:
    sys.path.insert(0, str(WEB.parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yjinspect.web.settings")
    import django

    django.setup()


def build_inspection(users: int) -> int:
    """A fieldwork-stage inspection with one sampled court case per bench inspector."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from yjinspect.frameworks import shipped_framework_paths
    from yjinspect.web.inspections.models import (
        Case,
        FrameworkVersion,
        Inspection,
        Membership,
        Role,
    )

    call_command("migrate", verbosity=0)
    lead, _ = User.objects.get_or_create(username="bench-lead", defaults={"is_staff": True})
    source = shipped_framework_paths()["hmip-youth-2021"].read_text(encoding="utf-8")
    inspection = Inspection.objects.create(
        service_name="Benchshire YJS",
        framework=FrameworkVersion.store(source),
        state="fieldwork",
        fieldwork_start=dt.date(2024, 4, 8),
        created_by=lead,
    )
    Membership.objects.create(inspection=inspection, user=lead, role=Role.LEAD)
    for i in range(users):
        user, _ = User.objects.get_or_create(username=f"bench-{i:03d}")
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(inspection=inspection, user=user, role=Role.INSPECTOR)
        Case.objects.create(
            inspection=inspection,
            case_ref=f"BENCH-{i:03d}",
            domain="court",
            disposal_type="referral_order",
            start_date=dt.date(2023, 9, 1),
            case_manager="CM1",
            risk_of_harm="medium",
            safety_wellbeing="low",
            in_sample=True,
            assessor=user,
        )
    return inspection.pk


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    # The same latencies by kind of request, to show which one sets the p95.
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    saved: dict[tuple[str, str], str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, ok: bool, kind: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind.setdefault(kind, []).append(seconds)
            if not ok:
                self.errors += 1


class _NoRedirectAfterPost(urllib.request.HTTPRedirectHandler):
    """Report a POST's redirect as 302 (a save) instead of following it."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: object,
        code: int,
        msg: str,
        headers: object,
        newurl: str,
    ) -> urllib.request.Request | None:
        if req.data is not None:
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


class Browser:
    """Just enough of a browser: cookies, CSRF token, timed requests."""

    def __init__(self, base: str, tally: Tally) -> None:
        self.base = base
        self.tally = tally
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirectAfterPost()
        )

    def request(
        self, path: str, data: list[tuple[str, str]] | None = None, kind: str = "other"
    ) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - loopback only
        req.add_header("Referer", self.base + path)
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
        except OSError:
            status, text = 0, ""
        self.tally.add(time.perf_counter() - start, 200 <= status < 400, kind)
        return status, text


def _form_fields(html: str) -> list[tuple[str, str]]:
    """The fields a browser would post back: hidden inputs, checked radios, textareas."""
    fields: list[tuple[str, str]] = []
    for tag in INPUT.findall(html):
        attrs = dict(ATTR.findall(tag))
        kind, name = attrs.get("type", "text"), attrs.get("name")
        if not name or kind in {"submit", "file"}:
            continue
        if kind in {"radio", "checkbox"} and " checked" not in tag:
            continue
        fields.append((name, attrs.get("value", "")))
    fields += [(n, v) for n, v in TEXTAREA.findall(html)]
    return fields


def inspector(
    base: str,
    pk: int,
    index: int,
    case_pk: int,
    window: list[float],
    start: threading.Barrier,
    tally: Tally,
) -> None:
    """Sign in and warm up (not measured), then work until the deadline."""
    browser = Browser(base, Tally())
    status, page = browser.request("/accounts/login/")
    token = dict(_form_fields(page)).get("csrfmiddlewaretoken", "")
    browser.request(
        "/accounts/login/",
        [
            ("csrfmiddlewaretoken", token),
            ("username", f"bench-{index:03d}"),
            ("password", PASSWORD),
        ],
    )
    rng = random.Random(index)
    url = f"/inspections/{pk}/cases/{case_pk}/assess/"
    browser.request(url)
    browser.request(f"/inspections/{pk}/ratings/")
    start.wait()
    browser.tally = tally
    deadline = window[0]
    time.sleep(rng.uniform(0, THINK))  # people do not all click at the same instant
    kqs = [
        f"kq-2-{s}-{lens}"
        for s in range(1, 5)
        for lens in ("desistance", "child_safety", "others_safety")
    ]
    while time.monotonic() < deadline:
        status, page = browser.request(url, kind="open the form")
        if status != 200:
            continue
        fields = [(n, v) for n, v in _form_fields(page) if not n.endswith("-value")]
        kept = {n: v for n, v in _form_fields(page) if n.endswith("-value")}
        target = rng.choice(kqs)
        value = rng.choice(["yes", "no"])
        kept[f"{target}-value"] = value
        fields += [*kept.items(), ("action", "save")]
        status, _ = browser.request(url, fields, kind="save")
        if status == 302:  # saved: the form redirects after a successful save
            with tally.lock:
                tally.saved[(f"BENCH-{index:03d}", target)] = value
        time.sleep(THINK)
        browser.request(f"/inspections/{pk}/ratings/", kind="ratings page")
        time.sleep(THINK)


def trivial(base: str, deadline: float) -> tuple[int, float]:
    tally = Tally()
    browser = Browser(base, tally)
    count = 0
    while time.monotonic() < deadline:
        browser.request("/healthz")
        count += 1
    return count, statistics.median(tally.latencies) * 1000


def worker_rss_mb(server_pid: int) -> list[float]:
    """Resident memory of each gunicorn worker (the server's child processes), in MB.

    Read from /proc, so Linux only; an empty list elsewhere."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != server_pid:  # the parent pid
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


def gunicorn_shape() -> str:
    """The worker processes and threads the run used, as the production settings chose them."""
    from yjinspect.web import gunicorn_conf

    return f"gunicorn {gunicorn_conf.workers} workers x {gunicorn_conf.threads} thread(s)"


def percentile(ordered: list[float], fraction: float) -> float:
    """The value below which `fraction` of the (sorted) latencies fall, in milliseconds."""
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)] * 1000


def lost_answers(pk: int, saved: dict[tuple[str, str], str]) -> int:
    from yjinspect.web.inspections.models import Answer

    stored = {
        (ref, kq.replace(".", "-").join(["kq-", ""])): value
        for ref, kq, value in Answer.objects.filter(
            assessment__case__inspection_id=pk, assessment__kind="primary"
        ).values_list("assessment__case__case_ref", "key_question", "value")
    }
    return sum(1 for key, value in saved.items() if stored.get(key) != value)


def main() -> None:
    if "DATABASE_URL" not in os.environ:
        sys.exit("bench load: run me inside scripts/with-postgres.sh")
    _setup_django()
    from yjinspect.web.inspections.models import Case

    pk = build_inspection(USERS)
    cases = dict(Case.objects.filter(inspection_id=pk).values_list("case_ref", "pk"))
    port = _free_port()
    # The production gunicorn settings (web/gunicorn_conf.py), on a loopback port.
    env = {
        **os.environ,
        "YJ_AXES": "0",
        "YJ_DEBUG": "0",
        "YJ_LOG_LEVEL": "ERROR",
        "YJ_BIND": f"127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "-c", "python:yjinspect.web.gunicorn_conf",
            "yjinspect.web.wsgi",
        ],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        tally = Tally()
        window = [0.0]
        started = [0.0]

        rss_before: list[float] = []

        def open_window() -> None:
            rss_before.extend(worker_rss_mb(server.pid))
            started[0] = time.monotonic()
            window[0] = started[0] + SECONDS

        barrier = threading.Barrier(USERS, action=open_window)
        threads = [
            threading.Thread(
                target=inspector,
                args=(base, pk, i, cases[f"BENCH-{i:03d}"], window, barrier, tally),
            )
            for i in range(USERS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started[0]
        rss_after = worker_rss_mb(server.pid)
        trivial_count, trivial_p50 = trivial(base, time.monotonic() + 5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = sorted(tally.latencies)
    p50 = percentile(latencies, 0.5)
    p95 = percentile(latencies, 0.95)
    throughput = len(latencies) / elapsed
    trivial_throughput = trivial_count / 5
    lost = lost_answers(pk, tally.saved)
    print(
        f"load: {USERS} inspectors for {SECONDS:.0f} s against gunicorn + PostgreSQL "
        f"({THINK:g} s between actions; sign-in and warm-up not counted; "
        f"{gunicorn_shape()})"
    )
    print(
        f"load: requests={len(latencies)} throughput={throughput:.1f}/s "
        f"p50={p50:.0f} ms p95={p95:.0f} ms"
    )
    print(
        "load: p95 by request: "
        + ", ".join(
            f"{kind} {percentile(sorted(times), 0.95):.0f} ms ({len(times)})"
            for kind, times in tally.by_kind.items()
        )
    )
    if rss_before and rss_after:
        print(
            f"load: worker memory (RSS): after sign-in and warm-up {max(rss_before):.0f} MB, "
            f"after the run {max(rss_after):.0f} MB (largest of {len(rss_after)} workers)"
        )
    print(f"load: answers saved and checked={len(tally.saved)} lost={lost} errors={tally.errors}")
    print(
        f"load: trivial endpoint (one client) {trivial_throughput:.0f}/s p50={trivial_p50:.1f} ms; "
        f"throughput ratio {throughput / trivial_throughput:.2f}"
    )
    print(
        f"bench: p95_ms={p95:.0f} errors={tally.errors} lost={lost} "
        f"ratio={throughput / trivial_throughput:.2f}"
    )


if __name__ == "__main__":
    main()
