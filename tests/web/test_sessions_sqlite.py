"""SQLite (the `make run` default) under several people saving at once: saves wait, none fails.

The test database pytest-django gives SQLite is in memory, which locks differently from the
file `make run` uses. So a child process runs the shipped settings against a real SQLite file
in a temporary folder (`YJ_VAR_DIR`): it migrates, makes one inspection with twenty cases
allocated to twenty inspectors, then has all of them press Save at the same moment, through
the real middleware, view and service (each thread its own client and connection).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 20
KQ_FIELD = "kq-2-1-desistance"


def test_twenty_simultaneous_saves_on_sqlite_all_land(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "YJ_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "yjinspect.web.settings",
        "YJ_AXES": "0",
    }
    env.pop("DATABASE_URL", None)  # the embedded default, whatever the caller runs on
    done = subprocess.run(
        [sys.executable, "-c", "from tests.web.test_sessions_sqlite import child; child()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (tmp_path / "yjinspect.sqlite3").exists()  # a real file, not memory
    assert result["journal_mode"] == "wal"
    assert result["statuses"] == [302] * PEOPLE, result["errors"]
    assert result["answers"] == PEOPLE  # every save stored: none lost
    assert result["evidence"] == [f"notes by inspector {i}" for i in range(PEOPLE)]


def child() -> None:
    """Runs in the child process: the saves, then one JSON line with what happened."""
    import django

    django.setup()
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.urls import reverse

    from tests.web.conftest import framework_version
    from yjinspect.web.inspections.models import Answer, Case, Inspection, Membership, Role

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    lead = users.create_user("lead")
    inspection = Inspection.objects.create(
        service_name="Testshire YJS",
        framework=framework_version(),
        fieldwork_start=dt.date(2024, 4, 8),
        window_start=dt.date(2023, 4, 10),
        window_end=dt.date(2024, 2, 2),
        created_by=lead,
    )
    clients, urls = [], []
    for i in range(PEOPLE):
        person = users.create_user(f"inspector{i}")
        Membership.objects.create(inspection=inspection, user=person, role=Role.INSPECTOR)
        case = Case.objects.create(
            inspection=inspection,
            case_ref=f"C{i:03d}",
            domain="court",
            disposal_type="referral_order",
            start_date=dt.date(2023, 6, 1),
            case_manager="CM1",
            in_sample=True,
            assessor=person,
        )
        client = Client(raise_request_exception=False, HTTP_HOST="localhost")
        client.force_login(person)
        clients.append(client)
        urls.append(reverse("inspections:assess", args=[inspection.pk, case.pk]))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    connections.close_all()

    barrier = threading.Barrier(PEOPLE)
    statuses: list[int] = [0] * PEOPLE
    errors: list[str] = []

    def save(i: int) -> None:
        data = {
            "action": "save",
            f"{KQ_FIELD}-value": "yes",
            f"{KQ_FIELD}-evidence": f"notes by inspector {i}",
        }
        try:
            barrier.wait()
            response = clients[i].post(urls[i], data)
            statuses[i] = response.status_code
            if response.status_code != 302:
                title = re.search(rb"<title>\s*([^<]*)", response.content)
                errors.append(f"{i}: {response.status_code} {title.group(1) if title else ''!r}")
        except Exception as error:  # reported through the JSON line
            errors.append(f"{i}: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = Answer.objects.order_by("assessment__case__case_ref")
    print(
        json.dumps(
            {
                "journal_mode": journal_mode,
                "statuses": statuses,
                "errors": errors,
                "answers": answers.count(),
                "evidence": [a.evidence for a in answers],
            }
        )
    )


pytestmark = pytest.mark.slow
