"""With YJ_S3_BUCKET set, app servers keep no files: evidence and case-list previews go to S3.

The bucket is served by moto's S3 server over real HTTP, so boto3 and django-storages run
exactly as they would against AWS or another S3-compatible store. The storage settings are the
shipped ones: `settings.py` is read in a child process with the YJ_S3_* variables set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from yjinspect.web.inspections.models import Case, EvidenceItem, Inspection
from yjinspect.web.inspections.services import caselists
from yjinspect.web.inspections.services.archive import export_inspection, import_inspection

from .test_cases import commit, good, make_csv, upload
from .test_evidence import PDF, add

pytestmark = pytest.mark.django_db

BUCKET = "yj-evidence"
REGION = "eu-west-2"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def shipped_storage(endpoint: str) -> dict[str, Any]:
    """STORAGES["default"] as settings.py builds it from the YJ_S3_* variables."""
    env = {
        **os.environ,
        "YJ_S3_BUCKET": BUCKET,
        "YJ_S3_ENDPOINT_URL": endpoint,
        "YJ_S3_REGION": REGION,
    }
    code = (
        "import json; from yjinspect.web import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


@pytest.fixture(scope="module")
def s3_storage(s3_endpoint: str) -> dict[str, Any]:
    return shipped_storage(s3_endpoint)


@pytest.fixture
def bucket(
    s3_endpoint: str, s3_storage: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], list[str]]]:
    """The shipped S3 settings, an empty bucket, and a way to list its keys.

    MEDIA_ROOT points at a folder that must stay empty: nothing may fall back to disk."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **_keys())
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage}

    def keys() -> list[str]:
        listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return sorted(str(o["Key"]) for o in listed)

    yield keys
    for key in keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    client.delete_bucket(Bucket=BUCKET)


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def _files_on_disk(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_settings_send_files_to_the_bucket_privately_and_never_overwrite(
    s3_endpoint: str, s3_storage: dict[str, Any]
) -> None:
    storage = s3_storage
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["region_name"]) == (
        BUCKET,
        s3_endpoint,
        REGION,
    )
    assert options["default_acl"] == "private" and options["file_overwrite"] is False
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}


def test_evidence_is_kept_in_the_bucket_and_downloaded_from_it(
    bucket: Callable[[], list[str]],
    settings: Any,
    client_as: Callable[[str], Client],
    inspection: Inspection,
) -> None:
    response = add(
        client_as("inspector"),
        inspection,
        SimpleUploadedFile("board minutes.pdf", PDF, content_type="application/pdf"),
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    [key] = bucket()
    assert key == f"yjinspect/{item.upload.name}" and key.startswith("yjinspect/evidence/")
    assert "board" not in key and key.endswith(".pdf")  # the random name, not the person's
    assert _files_on_disk(Path(settings.MEDIA_ROOT)) == []
    url = reverse("inspections:evidence_download", args=[inspection.pk, item.pk])
    download = client_as("moderator").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]

    item.upload.storage.delete(item.upload.name)  # lost from the bucket: a clear 404
    assert client_as("moderator").get(url).status_code == 404


def test_a_case_list_preview_made_on_one_server_is_committed_from_the_bucket(
    bucket: Callable[[], list[str]],
    settings: Any,
    client_as: Callable[[str], Client],
    inspection: Inspection,
) -> None:
    lead = client_as("lead")
    html = upload(lead, inspection, make_csv([good(n) for n in range(1, 6)]))
    assert "Add 5 cases" in html
    stored = bucket()
    assert [k.rsplit(".", 2)[1:] for k in stored] == [["meta", "json"], ["rows", "json"]]
    assert all(k.startswith("yjinspect/imports/") for k in stored)
    assert _files_on_disk(Path(settings.MEDIA_ROOT)) == []

    commit(lead, inspection)
    assert Case.objects.filter(inspection=inspection).count() == 5
    assert bucket() == []  # a committed preview's files are deleted


def test_previews_older_than_a_day_are_removed_from_the_bucket(
    bucket: Callable[[], list[str]],
    client_as: Callable[[str], Client],
    inspection: Inspection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    upload(client_as("lead"), inspection, make_csv([good(1)]))
    first = bucket()
    assert len(first) == 2
    later = time.time() + caselists.PREVIEW_LIFETIME_SECONDS + 60
    monkeypatch.setattr(caselists.time, "time", lambda: later)
    upload(client_as("lead"), inspection, make_csv([good(2)]))  # a new session: no discard
    now = bucket()
    assert len(now) == 2 and not set(first) & set(now)


def test_an_exported_inspection_restores_its_evidence_into_the_bucket(
    bucket: Callable[[], list[str]],
    client_as: Callable[[str], Client],
    inspection: Inspection,
    django_capture_on_commit_callbacks: Any,
) -> None:
    add(client_as("inspector"), inspection, SimpleUploadedFile("minutes.pdf", PDF))
    with django_capture_on_commit_callbacks(execute=True):  # the commit removes the journal
        restored = import_inspection(export_inspection(inspection), placeholders=True)
    item = EvidenceItem.objects.get(inspection=restored)
    original = EvidenceItem.objects.get(inspection=inspection)
    assert item.upload.name != original.upload.name  # a fresh key, never the archived path
    with item.upload.open("rb") as handle:
        assert handle.read() == PDF
    assert sorted(bucket()) == sorted(f"yjinspect/{i.upload.name}" for i in (item, original))
